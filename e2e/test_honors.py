"""Browser test: a 军人家庭 nomination goes village clerk → county reviewer → city reviewer → honor roll."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _logout(page):
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()


def test_household_nomination_through_both_tiers_to_the_honor_roll(
    page, live_server, world, village_clerk, county_reviewer, city_reviewer, login, screenshot
):
    from honors.models import Award
    from veterans.models import Household

    Household.objects.create(head_name="刘光荣", station=world["villageA1a"], address="沧州市新华区光荣路18号")

    # 1. the village clerk drafts and submits
    login(page, village_clerk.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/station/")
    page.goto(f"{live_server.url}/station/honors/")
    page.get_by_role("link", name="新建提名").click()
    page.select_option("#id_honor_type", label="军人家庭")
    page.fill("#id_year", "2026")
    page.select_option("#id_household", label="刘光荣户（新华区1街道1社区）")
    page.fill("#id_reasons", "父子两代参军，家庭和睦，积极支持国防建设。")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("已保存提名草稿")).to_be_visible()
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("提名已提交县级审核")).to_be_visible()
    _logout(page)

    # 2. the county reviewer approves
    login(page, county_reviewer.username, PASSWORD)
    page.goto(f"{live_server.url}/station/honors/review/")
    page.get_by_role("link", name="审核", exact=True).first.click()
    expect(page.get_by_text("县级审核", exact=True)).to_be_visible()
    page.fill("#id_comment", "经核实符合军人家庭评选条件，同意上报。")
    screenshot(page, "honors_review", readme=True)
    page.get_by_role("button", name="审核通过").click()
    expect(page.get_by_text("县级审核通过，已报市级审批")).to_be_visible()
    _logout(page)

    # 3. the city reviewer approves: the award gets its certificate number
    login(page, city_reviewer.username, PASSWORD)
    page.goto(f"{live_server.url}/station/honors/review/")
    page.get_by_role("link", name="审核", exact=True).first.click()
    page.get_by_role("button", name="审核通过").click()
    expect(page.get_by_text("已批准，证书编号 CZ-JRJT-2026-0001")).to_be_visible()
    assert Award.objects.get().certificate_number == "CZ-JRJT-2026-0001"

    # 4. the public honor roll shows the household by name and county only
    _logout(page)
    _earlier_awards(world, village_clerk, county_reviewer, city_reviewer)
    page.goto(f"{live_server.url}/honors/")
    expect(page.get_by_text("2026年 · 军人家庭")).to_be_visible()
    expect(page.get_by_text("刘光荣户")).to_be_visible()
    assert "光荣路18号" not in page.content()
    screenshot(page, "honor_roll", readme=True)


def _earlier_awards(world, clerk, county, city):
    """A few of last year's awards, so the roll shows its grouping by year and type."""
    from honors import actions
    from honors.models import HonorType
    from veterans.models import Household

    jrsj = HonorType.objects.get(code=HonorType.JRSJ)
    for name in ("王振国", "张卫东", "李长城", "赵红旗"):
        household = Household.objects.create(head_name=name, station=world["villageA1a"])
        n = actions.nomination_create(honor_type=jrsj, year=2025, household=household, reasons="三代从军", user=clerk)
        actions.nomination_submit(nomination=n, user=clerk)
        actions.nomination_county_approve(nomination=n, user=county)
        actions.nomination_city_approve(nomination=n, user=city)
