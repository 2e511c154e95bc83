"""A visitor searches the job board in Chinese, filters by county, applies and looks the
application up by its number."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def board(world):
    from employment.tests.factories import EmployerFactory, JobPostingFactory

    a = EmployerFactory(name="沧州华北重工有限公司", county=world["countyA"], is_partner=True)
    b = EmployerFactory(name="运河物流股份有限公司", county=world["countyB"])
    JobPostingFactory(employer=a, county=world["countyA"], title="安保主管", salary_min=5000, salary_max=7000)
    JobPostingFactory(employer=b, county=world["countyB"], title="安保队员", salary_min=4000, salary_max=5000)
    JobPostingFactory(employer=b, county=world["countyB"], title="叉车司机", category="logistics",
                      description="持叉车证，负责仓库装卸。")  # fmt: skip
    return world


def test_visitor_searches_filters_applies_and_looks_up(page, live_server, board, screenshot):
    from employment.tests.factories import make_id_number

    page.goto(f"{live_server.url}/jobs/")
    page.fill("#id_q", "安保")
    page.click("#job-search button[type=submit]")
    results = page.locator("#job-results .job-title")
    assert sorted(results.all_inner_texts()) == ["安保主管", "安保队员"]

    page.select_option("#id_county", label="新华区")
    page.click("#job-search button[type=submit]")
    assert results.all_inner_texts() == ["安保主管"]
    assert "county=130902000000" in page.url
    screenshot(page, "job_board", readme=True)

    page.click("text=安保主管")
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    assert page.get_by_text("沧州华北重工有限公司").first.is_visible()
    page.click("text=申请该岗位")
    id_number = make_id_number("130902", "19900101", 135)
    page.fill("#id_name", "赵新兵")
    page.fill("#id_id_number", id_number)
    page.fill("#id_phone", "13812345678")
    page.select_option("#id_stated_county", label="新华区")
    page.fill("#id_message", "曾任连队班长，持有驾驶证。")
    page.click("button[type=submit]")
    number = page.locator("#application-number").inner_text()
    assert re.fullmatch(r"A\d{8}[0-9A-HJKMNP-TV-Z]{10}", number)

    page.click("text=申请进度查询")
    page.fill("#id_number", number)
    page.fill("#id_id_tail", id_number[-6:])
    page.click("button[type=submit]")
    assert page.locator("#application-status").inner_text() == "已投递"
    screenshot(page, "job_application_status")
