"""Browser test: a village clerk registers a veteran (信息采集), fixes a wrong check character, finds the record."""

import pytest

from veterans.tests.factories import make_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_village_clerk_registers_a_veteran(page, live_server, world, village_clerk, login, screenshot):
    from conftest import PASSWORD
    from veterans.models import Veteran

    good = make_id_number("130902", "19860315", 271)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")

    login(page, village_clerk.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/station/")
    page.goto(f"{live_server.url}/station/veterans/new/")
    assert page.locator("h1").inner_text() == "信息采集：登记退役军人"

    page.fill("#id_name", "王建军")
    page.fill("#id_id_number", wrong)
    page.fill("#id_phone", "13912345678")
    page.fill("#id_current_address", "沧州市新华区建设北街88号")
    page.select_option("#id_service_branch", "army")
    page.fill("#id_enlistment_date", "2004-12-01")
    page.fill("#id_discharge_date", "2009-12-01")
    page.select_option("#id_category", "soldier")
    page.select_option("#id_placement", "self")
    page.select_option("#id_employment_status", "employed")
    page.fill("#id_employer_name", "沧州市某物流公司")
    page.click("input[type=submit][value=提交登记]")

    error = page.locator("#id_id_number").locator("xpath=..").locator(".invalid-feedback")
    assert "身份证号校验位错误：末位应为" in error.inner_text()
    assert page.get_by_text("提交的信息有误").is_visible()
    assert Veteran.objects.count() == 0
    screenshot(page, "registry_form", readme=True)

    page.fill("#id_id_number", good.lower())  # a lower-case x would be normalised as well
    page.click("input[type=submit][value=提交登记]")
    page.wait_for_url(f"{live_server.url}/station/veterans/*/")
    assert page.get_by_text("已登记退役军人“王建军”的信息").is_visible()
    assert page.get_by_text("1986-03-15").first.is_visible()

    page.goto(f"{live_server.url}/station/veterans/")
    page.fill("input[name=q]", "wjj")
    page.click("button[type=submit]:has-text('查询')")
    row = page.locator("tbody tr").first
    assert "王建军" in row.inner_text()
    assert good[:6] + "********" + good[-4:] in row.inner_text()
    assert good not in page.content()
    screenshot(page, "registry_list")
