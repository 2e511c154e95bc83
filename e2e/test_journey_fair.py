"""A job fair end to end: the county clerk adds a partner employer (its postings come along),
checks in a registered veteran and a walk-in at the door by typing the numbers, records an
application at the booth, the employer hires, and the fair's public page counts it all."""

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fair_world(world, make_user, county_clerk):
    from employment import actions
    from employment.tests.factories import EmployerFactory, JobFairFactory, JobPostingFactory
    from services import roles
    from veterans.tests.factories import VeteranFactory

    employer = EmployerFactory(name="沧州渤海拥军物流有限公司", county=world["countyA"], is_partner=True)
    boss = make_user(roles.ROLE_EMPLOYER, None, username="boss", employer=employer)
    JobPostingFactory(employer=employer, county=world["countyA"], title="仓储主管", headcount=4)
    fair = JobFairFactory(county=world["countyA"], title="新华区春风行动招聘会", date=timezone.localdate())
    registered = VeteranFactory(name="李建军", station=world["villageA1a"])
    walk_in = VeteranFactory(name="赵卫东", station=world["villageB1a"])  # from the other county
    registration = actions.fair_register(fair=fair, veteran=registered, user=county_clerk)
    return {"fair": fair, "employer": employer, "boss": boss, "registration": registration, "walk_in": walk_in}


def test_clerk_runs_the_door_and_the_fair_counts_from_records(
    page, live_server, fair_world, county_clerk, login, screenshot
):
    from conftest import PASSWORD
    from employment.models import Application

    fair = fair_world["fair"]
    login(page, county_clerk.username, PASSWORD)
    page.goto(f"{live_server.url}/station/employment/fairs/{fair.pk}/")
    page.fill("#id_credit_code", fair_world["employer"].credit_code)
    page.click("button:has-text('添加参会企业')")
    assert page.get_by_text("已添加参会企业“沧州渤海拥军物流有限公司”及其1个在招岗位").is_visible()
    assert page.locator("[data-testid=positions]").inner_text() == "4"

    page.click("text=现场签到")
    page.fill("#id_code", fair_world["registration"].number)
    page.click("button:has-text('签到')")
    assert "李建军签到成功" in page.locator("[data-testid=checkin-result]").inner_text()
    page.fill("#id_code", fair_world["walk_in"].id_number)
    page.click("button:has-text('签到')")
    assert "赵卫东未提前报名，已现场登记并签到" in page.locator("[data-testid=checkin-result]").inner_text()
    page.fill("#id_code", "12345")
    page.click("button:has-text('签到')")
    assert page.get_by_text("请扫描或输入报名编号").is_visible()
    assert page.locator("[data-testid=checkins]").inner_text() == "2"
    screenshot(page, "fair_checkin")

    page.goto(f"{live_server.url}/station/employment/fairs/{fair.pk}/applications/new/")
    page.fill("#id_registration", fair_world["registration"].number)
    page.select_option("#id_posting", label="仓储主管（沧州渤海拥军物流有限公司）")
    page.click("button:has-text('登记投递')")
    assert page.get_by_text("已登记李建军投递“仓储主管”").is_visible()
    application = Application.objects.get()
    assert application.fair_id == fair.pk

    page.context.clear_cookies()
    login(page, "boss", PASSWORD)
    page.goto(f"{live_server.url}/employers/applications/{application.pk}/")
    for step in ("shortlisted", "interview", "hired"):
        page.select_option("#id_to_status", value=step)
        page.click("form button:has-text('确定')")
        page.wait_for_load_state()

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/jobs/fairs/{fair.pk}/")
    figures = {
        k: page.locator(f"[data-testid={k}]").inner_text() for k in ("checkin_count", "application_count", "hire_count")
    }
    assert figures == {"checkin_count": "2", "application_count": "1", "hire_count": "1"}
