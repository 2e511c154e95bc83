"""关怀模式 at phone width, with JavaScript switched off: the switch is a plain link, the choice is
remembered, text is ≥ 18 px, touch targets ≥ 44 px, the job board and the station finder show one
column with the essentials. Screenshots at 390 px, both modes, for docs/screenshots/.

(The automatic axe audit checks every page here in both modes as well.)
"""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(new_context):
    page = new_context(java_script_enabled=False, has_touch=True).new_page()
    page.set_viewport_size(PHONE)
    return page


@pytest.fixture
def board(world):
    from employment.tests.factories import EmployerFactory, JobPostingFactory

    a = EmployerFactory(name="沧州华北重工有限公司", county=world["countyA"], is_partner=True)
    b = EmployerFactory(name="运河物流股份有限公司", county=world["countyB"])
    JobPostingFactory(employer=a, county=world["countyA"], title="安保主管", salary_min=5000, salary_max=7000)
    JobPostingFactory(employer=b, county=world["countyB"], title="仓库管理员", salary_min=4000, salary_max=5000)
    JobPostingFactory(employer=b, county=world["countyB"], title="叉车司机", category="logistics")
    for station, address, phone in (
        (world["countyA"], "沧州市新华区建设北街18号", "0317-2021234"),
        (world["countyB"], "沧州市运河区解放西路56号", "0317-3035678"),
    ):
        station.address, station.phone, station.opening_hours = address, phone, "工作日 8:30-17:30"
        station.save()
    return world


def _px(page, selector, prop):
    return float(page.eval_on_selector(selector, f"el => parseFloat(getComputedStyle(el).{prop})"))


def _height(page, selector):
    return page.eval_on_selector(selector, "el => el.getBoundingClientRect().height")


def test_care_mode_switch_without_javascript_at_phone_width(phone, live_server, board, screenshot):
    page = phone
    page.goto(f"{live_server.url}/jobs/?q=安保")
    expect(page.locator("#job-results .job-title")).to_have_text(["安保主管"])
    assert _px(page, "body", "fontSize") == 16
    screenshot(page, "care_jobs_normal_390", readme=True)

    # the switch: a plain link; the server sets the cookie and sends us back to the same page
    page.get_by_role("link", name="关怀模式").click()
    page.wait_for_url(f"{live_server.url}/jobs/?q=%E5%AE%89%E4%BF%9D")
    assert page.evaluate("document.documentElement.className") == "care-mode"
    cookie = next(c for c in page.context.cookies() if c["name"] == "cz_care")
    assert cookie["value"] == "1" and cookie["httpOnly"] and cookie["expires"] > 0  # remembered past this session
    expect(page.locator("#job-results .job-title")).to_have_text(["安保主管"])

    # larger text and headings, high-contrast text
    assert _px(page, "body", "fontSize") >= 18
    assert _px(page, ".job-meta", "fontSize") >= 18  # the "small" print too
    assert _px(page, "h1", "fontSize") > _px(page, "body", "fontSize") * 1.3
    assert page.eval_on_selector("body", "el => getComputedStyle(el).color") == "rgb(0, 0, 0)"
    # touch targets of at least 44 px
    for selector in ("#id_q", "#id_county", "#job-search button[type=submit]", ".care-switch", ".navbar-toggler"):
        assert _height(page, selector) >= 44, selector
    # one column, the essentials: keyword, county, search; per job: title, salary, employer, county, deadline
    assert not page.locator("#id_category").is_visible()
    assert not page.locator("#id_min_salary").is_visible()
    row = page.locator("#job-results .list-group-item").first
    assert row.get_by_text("沧州华北重工有限公司").is_visible()
    assert row.get_by_text("截止").is_visible()
    assert not row.get_by_text("发布于").is_visible()
    q_box, county_box = page.locator("#id_q").bounding_box(), page.locator("#id_county").bounding_box()
    assert county_box["y"] > q_box["y"] + q_box["height"] - 1  # stacked, not side by side
    screenshot(page, "care_jobs_care_390", readme=True)

    # remembered on the next page: the station finder
    page.goto(f"{live_server.url}/stations/?parent={board['city'].code}")
    assert page.evaluate("document.documentElement.className") == "care-mode"
    first = page.locator("#station-results .list-group-item").first
    assert first.get_by_text("地址：沧州市新华区建设北街18号").is_visible()
    assert first.get_by_role("link", name="0317-2021234").get_attribute("href") == "tel:0317-2021234"
    assert not first.get_by_text("县级", exact=True).is_visible()  # the level badge is a detail, hidden
    address, phone_line = first.get_by_text("地址："), first.get_by_text("电话：")
    assert phone_line.bounding_box()["y"] > address.bounding_box()["y"]  # one detail per line
    screenshot(page, "care_stations_care_390", readme=True)

    # and off again, back on the same page
    page.get_by_role("link", name="退出关怀模式").click()
    page.wait_for_url(f"{live_server.url}/stations/?parent={board['city'].code}")
    assert page.evaluate("document.documentElement.className") == ""
    assert not [c for c in page.context.cookies() if c["name"] == "cz_care"]
    assert first.get_by_text("县级", exact=True).is_visible()
    screenshot(page, "care_stations_normal_390", readme=True)


def test_clerk_pages_have_the_switch_in_their_header(page, live_server, world, village_clerk, login, screenshot):
    from conftest import PASSWORD

    login(page, village_clerk.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/station/")
    page.locator("header").get_by_role("link", name="关怀模式").click()
    page.wait_for_url(f"{live_server.url}/station/")
    assert page.evaluate("document.documentElement.className") == "care-mode"
    assert _px(page, "body", "fontSize") >= 18
    expect(page.locator("header").get_by_role("link", name="退出关怀模式")).to_be_visible()
    screenshot(page, "care_clerk_dashboard")
    page.goto(f"{live_server.url}/station/veterans/new/")
    page.get_by_role("button", name="提交登记").click()  # empty: the error summary, in 关怀模式
    expect(page.locator(".form-error-summary")).to_be_visible()
    screenshot(page, "care_clerk_registration_errors")
