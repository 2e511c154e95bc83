"""Job journey end to end: a veteran applies on the public board, the employer moves the
application to 录用 (hired), and the village clerk sees the placement in the station portal."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hiring_world(world, make_user, village_clerk):
    from employment.tests.factories import EmployerFactory, JobPostingFactory
    from services import roles
    from veterans.tests.factories import VeteranFactory

    employer = EmployerFactory(name="沧州渤海拥军物流有限公司", county=world["countyA"], is_partner=True)
    employer_user = make_user(roles.ROLE_EMPLOYER, None, username="boss", employer=employer)
    posting = JobPostingFactory(employer=employer, county=world["countyA"], title="仓储主管")
    veteran = VeteranFactory(name="李建军", station=world["villageA1a"], employment_status="unemployed")
    return {"employer_user": employer_user, "posting": posting, "veteran": veteran, "clerk": village_clerk}


def test_visitor_applies_employer_hires_clerk_sees_placement(page, live_server, hiring_world, login, screenshot):
    from conftest import PASSWORD
    from veterans.models import Veteran

    veteran = hiring_world["veteran"]
    # 1. the veteran applies on the public board
    page.goto(f"{live_server.url}/jobs/{hiring_world['posting'].pk}/")
    page.click("text=申请该岗位")
    page.fill("#id_name", veteran.name)
    page.fill("#id_id_number", veteran.id_number)
    page.fill("#id_phone", veteran.phone)
    page.select_option("#id_stated_county", label="新华区")
    page.click("button[type=submit]")
    number = page.locator("#application-number").inner_text()
    assert re.fullmatch(r"A\d{8}[0-9A-HJKMNP-TV-Z]{10}", number)

    # 2. the employer moves it through the pipeline to hired
    page.context.clear_cookies()
    login(page, "boss", PASSWORD)
    page.goto(f"{live_server.url}/employers/postings/{hiring_world['posting'].pk}/")
    page.click(f"text={number}")
    assert page.get_by_text("已匹配退役军人登记信息").is_visible()
    for step in ("shortlisted", "interview", "hired"):
        page.select_option("#id_to_status", value=step)
        page.click("form button:has-text('确定')")
        page.wait_for_load_state()
    assert page.get_by_text("申请状态已更新").is_visible()
    screenshot(page, "journey_employer_hired")
    veteran = Veteran.objects.get(pk=veteran.pk)
    assert veteran.employment_status == "employed"
    assert veteran.employer_name == "沧州渤海拥军物流有限公司"

    # 3. the village clerk sees the placement of a veteran of their station
    page.context.clear_cookies()
    login(page, hiring_world["clerk"].username, PASSWORD)
    page.goto(f"{live_server.url}/station/employment/?tab=placements")
    row = page.locator("table tbody tr", has_text=veteran.name)
    assert row.count() == 1
    assert "沧州渤海拥军物流有限公司" in row.inner_text()
    screenshot(page, "journey_clerk_placement", readme=True)
