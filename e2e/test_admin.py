"""Bureau staff in the Django admin: the index, the veteran registry, a veteran's page and the
station list — in Chinese down to the screen-reader table headers, and checked by axe-core like
every other page the journeys visit."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bureau_staff_work_in_the_admin(page, live_server, world, city_bureau, login, screenshot):
    from conftest import PASSWORD
    from veterans.tests.factories import VeteranFactory

    veteran = VeteranFactory(name="周保国", station=world["villageA1a"])
    VeteranFactory(name="吴振华", station=world["villageB1a"])
    login(page, city_bureau.username, PASSWORD)
    page.goto(f"{live_server.url}/admin/")
    headers = page.locator("#content-main thead th").all_inner_texts()
    assert {"模型名称", "添加链接", "修改或查看列表链接"} <= set(headers)
    assert not {"Model name", "Add link", "Change or view list link"} & set(headers)

    page.get_by_role("link", name=re.compile("^退役军人$")).first.click()
    page.wait_for_url(f"{live_server.url}/admin/veterans/veteran/")
    expect(page.locator("#result_list")).to_contain_text("周保国")
    screenshot(page, "admin_veterans")
    page.get_by_role("link", name="周保国").click()
    page.wait_for_url(f"{live_server.url}/admin/veterans/veteran/{veteran.pk}/change/")
    page.goto(f"{live_server.url}/admin/services/station/")
    expect(page.locator("#result_list")).to_contain_text("新华区")
