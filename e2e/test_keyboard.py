"""Keyboard only (no mouse, no page.click/fill): a visitor applies for a job on the public board —
including a first attempt with a mistake, whose error summary takes the focus — and finds a service
station. Every element the Tab key reaches must show a visible focus ring."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_TABS = 80

_FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  return {
    tag: el.tagName, id: el.id, text: (el.innerText || el.value || "").trim().slice(0, 40),
    outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2,
    visible: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0,
  };
}"""


def _focused(page):
    return page.evaluate(_FOCUS_STATE)


def tab_to(page, locator, *, shift=False) -> None:
    """Press Tab until ``locator`` has the focus; every stop on the way must show its focus."""
    target = locator.element_handle()
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab" if shift else "Tab")
        state = _focused(page)
        if state is None:
            continue
        assert state["visible"], f"focus on an invisible element: {state}"
        assert state["outline"], f"no visible focus ring on {state}"
        if page.evaluate("el => el === document.activeElement", target):
            return
    raise AssertionError(f"{locator} not reached with {MAX_TABS} presses of Tab")


def type_into(page, locator, text: str) -> None:
    tab_to(page, locator)
    page.keyboard.type(text)


@pytest.fixture
def board(world):
    from employment.tests.factories import EmployerFactory, JobPostingFactory

    employer = EmployerFactory(name="沧州华北重工有限公司", county=world["countyA"], is_partner=True)
    JobPostingFactory(employer=employer, county=world["countyA"], title="安保主管", salary_min=5000, salary_max=7000)
    JobPostingFactory(employer=employer, county=world["countyA"], title="叉车司机")
    return world


def test_keyboard_only_job_application(page, live_server, board, screenshot):
    from employment.models import Application
    from employment.tests.factories import make_id_number

    page.goto(f"{live_server.url}/")
    # the first Tab reveals the skip link; Enter moves on to the page's content
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到主要内容")
    assert page.evaluate("el => el === document.activeElement", skip.element_handle())
    assert skip.bounding_box()["y"] >= 0  # on screen once focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"

    tab_to(page, page.get_by_role("link", name="查找就业岗位"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/jobs/")

    type_into(page, page.locator("#id_q"), "安保")
    page.keyboard.press("Enter")  # submits the search form
    page.wait_for_url(re.compile(r"/jobs/\?q="))
    tab_to(page, page.locator("#job-results a", has_text="安保主管"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))

    tab_to(page, page.get_by_role("link", name="申请该岗位"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/jobs/\d+/apply/$"))

    # first attempt: the phone number is missing
    id_number = make_id_number("130902", "19880512", 117)
    type_into(page, page.locator("#id_name"), "郑卫国")
    type_into(page, page.locator("#id_id_number"), id_number)
    tab_to(page, page.locator("#id_stated_county"))
    page.keyboard.press("ArrowDown")  # a closed <select> changes its option with the arrow keys
    assert page.locator("#id_stated_county").evaluate("el => el.value") != ""
    tab_to(page, page.get_by_role("button", name="提交申请"))
    page.keyboard.press("Enter")
    page.wait_for_load_state()

    # the error summary has the focus (read out by screen readers); the field says what is wrong
    summary = page.locator(".form-error-summary")
    assert page.evaluate("el => el === document.activeElement", summary.element_handle())
    phone = page.locator("#id_phone")
    assert phone.get_attribute("aria-invalid") == "true"
    described = phone.get_attribute("aria-describedby").split()
    assert "id_phone_error" in described
    assert page.locator("#id_phone_error").inner_text().strip() != ""
    screenshot(page, "keyboard_apply_errors")

    # the summary's link leads to the field; type the phone number there
    tab_to(page, summary.get_by_role("link").first)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_phone"
    page.keyboard.type("13812345678")
    tab_to(page, page.get_by_role("button", name="提交申请"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/jobs/applications/done/"))
    number = page.locator("#application-number").inner_text()
    assert re.fullmatch(r"A\d{8}[0-9A-HJKMNP-TV-Z]{10}", number)
    assert Application.objects.get(number=number).name == "郑卫国"


def test_keyboard_only_station_search(page, live_server, world):
    station = world["countyA"]
    station.address, station.phone = "沧州市新华区建设北街18号", "0317-2021234"
    station.save()

    page.goto(f"{live_server.url}/stations/")
    type_into(page, page.get_by_label("服务站名称或地址"), "新华区")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/stations/\?q="))
    tab_to(page, page.locator("#station-results a.station-name").first)
    name = page.evaluate("document.activeElement.innerText")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/stations/\d{12}/$"))
    assert page.locator("h1").inner_text() == name
    # back with the keyboard: the breadcrumb's first link
    tab_to(page, page.get_by_role("link", name="全市"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/stations/")
