"""Job fairs recorded per veteran: employers and postings, registrations, check-ins at the door,
applications made at (or through) the fair, hires; counts on the fair's pages from those records."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from employment import actions, selectors
from employment.models import Application, ApplicationStatus, FairRegistration, JobFair

from .factories import ApplicationFactory, EmployerFactory, JobFairFactory, JobPostingFactory, VeteranFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def fair(world):
    return JobFairFactory(county=world["countyA"], title="新华区春风行动招聘会", date=TODAY, end_date=TODAY)


@pytest.fixture
def employer_user_a(make_user, employer_a):
    from services import roles

    return make_user(roles.ROLE_EMPLOYER, None, username="emp_fair", employer=employer_a)


def _figures(pk):
    f = selectors.with_fair_counts(JobFair.objects.filter(pk=pk)).get()
    return {
        k: getattr(f, k)
        for k in (
            "employer_count",
            "posting_count",
            "positions",
            "registration_count",
            "checkin_count",
            "application_count",
            "hire_count",
        )
    }


# --- employers and postings ------------------------------------------------------------------------------
def test_employer_joins_with_its_public_postings(fair, county_clerk, employer_a, world):
    public = JobPostingFactory(employer=employer_a, headcount=5)
    JobPostingFactory(employer=employer_a, status="closed")
    JobPostingFactory(employer=employer_a, expires_on=TODAY - DAY)
    added = actions.fair_add_employer(fair=fair, employer=employer_a, user=county_clerk)
    assert added == [public]
    assert _figures(fair.pk) == {
        "employer_count": 1,
        "posting_count": 1,
        "positions": 5,
        "registration_count": 0,
        "checkin_count": 0,
        "application_count": 0,
        "hire_count": 0,
    }
    with pytest.raises(ValidationError, match="只能推介该企业正在招聘"):
        actions.fair_add_employer(
            fair=fair,
            employer=employer_a,
            postings=[JobPostingFactory(employer=employer_a, status="draft")],
            user=county_clerk,
        )


def test_other_county_clerk_cannot_change_the_fair(fair, other_village_clerk, employer_a):
    with pytest.raises(PermissionDenied):
        actions.fair_add_employer(fair=fair, employer=employer_a, user=other_village_clerk)


def test_livestream_needs_its_link(world, city_bureau):
    fair = JobFair(title="直播带岗", kind="livestream", date=TODAY, county=world["countyA"])
    with pytest.raises(ValidationError) as exc:
        actions.fair_save(fair=fair, user=city_bureau)
    assert exc.value.message_dict["stream_url"] == ["直播带岗须填写直播间链接"]
    fair.stream_url = "javascript:alert(1)"
    with pytest.raises(ValidationError) as exc:
        actions.fair_save(fair=fair, user=city_bureau)
    assert "请输入以 http:// 或 https:// 开头的有效链接" in exc.value.message_dict["stream_url"]
    fair.stream_url = "https://live.douyin.com/123"
    fair.end_date = TODAY - DAY
    with pytest.raises(ValidationError) as exc:
        actions.fair_save(fair=fair, user=city_bureau)
    assert exc.value.message_dict["end_date"] == ["结束日期不能早于开始日期"]
    fair.end_date = TODAY + DAY
    actions.fair_save(fair=fair, user=city_bureau)
    assert JobFair.objects.get().stream_url == "https://live.douyin.com/123"


# --- registrations and check-ins ----------------------------------------------------------------------------
def test_check_in_by_registration_number_then_again(fair, county_clerk, veteran_a):
    registration = actions.fair_register(fair=fair, veteran=veteran_a, user=county_clerk)
    assert registration.number.startswith("F") and len(registration.number) == 15
    result = actions.fair_check_in(fair=fair, code=f" {registration.number.lower()} ", user=county_clerk)
    assert not result.walk_in and not result.already and result.registration.checked_in_at
    again = actions.fair_check_in(fair=fair, code=veteran_a.id_number, user=county_clerk)
    assert again.already
    assert _figures(fair.pk)["checkin_count"] == 1 == _figures(fair.pk)["registration_count"]


def test_walk_in_from_another_county_by_id_number(fair, county_clerk, veteran_b):
    """The organiser checks in whoever comes to the door; the record stays with the fair."""
    result = actions.fair_check_in(fair=fair, code=veteran_b.id_number, user=county_clerk)
    assert result.walk_in and result.registration.channel == "walk_in" and result.registration.veteran == veteran_b
    assert list(selectors.fair_registrations(county_clerk, fair)) == [result.registration]


def test_check_in_by_job_application_number(fair, county_clerk, veteran_a, posting_a):
    application = ApplicationFactory(posting=posting_a, veteran=veteran_a, number="A20261201000001")
    result = actions.fair_check_in(fair=fair, code=application.number, user=county_clerk)
    assert result.registration.veteran == veteran_a


def test_check_in_to_a_fair_not_started_is_refused(world, county_clerk, veteran_a):
    fair = JobFairFactory(county=world["countyA"], date=TODAY + DAY)
    actions.fair_register(fair=fair, veteran=veteran_a, user=county_clerk)
    with pytest.raises(ValidationError) as exc:
        actions.fair_check_in(fair=fair, code=veteran_a.id_number, user=county_clerk)
    assert exc.value.messages == [f"招聘会“{fair.title}”尚未开始（{fair.date:%Y-%m-%d}开始），不能签到"]
    assert not FairRegistration.objects.filter(checked_in_at__isnull=False).exists()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "请扫描或输入报名编号或身份证号"),
        ("hello", "请扫描或输入报名编号（F开头15位）"),
        ("F20260101999999", "未找到报名编号"),
        ("A20260101999999", "未找到岗位申请编号"),
        ("130902198001011230", "校验位错误"),
        ("110101199003074514", "退役军人信息库中未找到该身份证号"),
    ],
)
def test_bad_door_codes(fair, county_clerk, code, message):
    with pytest.raises(ValidationError) as exc:
        actions.fair_check_in(fair=fair, code=code, user=county_clerk)
    assert message in exc.value.messages[0]
    assert not FairRegistration.objects.exists()


def test_ended_online_and_deceased_refused(world, county_clerk, veteran_a):
    ended = JobFairFactory(county=world["countyA"], date=TODAY - 3 * DAY, end_date=TODAY - DAY)
    with pytest.raises(ValidationError, match="已于.*结束，不能签到"):
        actions.fair_check_in(fair=ended, code=veteran_a.id_number, user=county_clerk)
    with pytest.raises(ValidationError, match="已于.*结束，不能再报名"):
        actions.fair_register(fair=ended, veteran=veteran_a, user=county_clerk)
    online = JobFairFactory(county=world["countyA"], kind="online", date=TODAY)
    with pytest.raises(ValidationError, match="网络招聘会无需现场签到"):
        actions.fair_check_in(fair=online, code=veteran_a.id_number, user=county_clerk)
    today = JobFairFactory(county=world["countyA"], date=TODAY)
    dead = VeteranFactory(station=world["villageA1a"], status="deceased")
    with pytest.raises(ValidationError, match="已故"):
        actions.fair_check_in(fair=today, code=dead.id_number, user=county_clerk)
    with pytest.raises(ValidationError, match="已报名本场招聘会"):
        actions.fair_register(fair=today, veteran=veteran_a, user=county_clerk)
        actions.fair_register(fair=today, veteran=veteran_a, user=county_clerk)


def test_registration_number_of_another_fair(fair, county_clerk, veteran_a, world):
    other = JobFairFactory(county=world["countyA"], date=TODAY)
    registration = actions.fair_register(fair=other, veteran=veteran_a, user=county_clerk)
    with pytest.raises(ValidationError, match="不是本场招聘会的报名"):
        actions.fair_check_in(fair=fair, code=registration.number, user=county_clerk)


# --- applications at the fair, hires -------------------------------------------------------------------------
def test_applications_and_hires_traced_to_the_fair(fair, county_clerk, employer_a, employer_user_a, world):
    posting = JobPostingFactory(employer=employer_a, headcount=3)
    actions.fair_add_employer(fair=fair, employer=employer_a, user=county_clerk)
    veteran = VeteranFactory(station=world["villageA1a"])
    registration = actions.fair_register(fair=fair, veteran=veteran, user=county_clerk)
    with pytest.raises(ValidationError, match="请先为该退役军人办理签到"):
        actions.fair_application_record(fair=fair, registration=registration, posting=posting, user=county_clerk)
    actions.fair_check_in(fair=fair, code=registration.number, user=county_clerk)
    registration.refresh_from_db()
    application = actions.fair_application_record(
        fair=fair, registration=registration, posting=posting, user=county_clerk
    )
    assert application.fair == fair and application.veteran == veteran and application.station == veteran.station
    with pytest.raises(ValidationError, match="已申请过岗位"):
        actions.fair_application_record(fair=fair, registration=registration, posting=posting, user=county_clerk)
    other = JobPostingFactory(employer=employer_a)  # not presented at the fair
    with pytest.raises(ValidationError, match="不在本场招聘会的推介岗位中"):
        actions.fair_application_record(fair=fair, registration=registration, posting=other, user=county_clerk)
    for step in (ApplicationStatus.SHORTLISTED, ApplicationStatus.INTERVIEW, ApplicationStatus.HIRED):
        actions.application_move(application=application, to_status=step, user=employer_user_a)
    assert _figures(fair.pk) == {
        "employer_count": 1,
        "posting_count": 1,
        "positions": 3,
        "registration_count": 1,
        "checkin_count": 1,
        "application_count": 1,
        "hire_count": 1,
    }
    assert application.placement.veteran == veteran


def test_livestream_applications_come_through_the_link(client, world, employer_a, city_bureau):
    stream = JobFairFactory(
        county=world["countyA"],
        kind="livestream",
        stream_url="https://live.douyin.com/1",
        date=TODAY,
        end_date=TODAY + DAY,
    )
    posting = JobPostingFactory(employer=employer_a)
    actions.fair_add_employer(fair=stream, employer=employer_a, user=city_bureau)
    page = client.get(f"/jobs/fairs/{stream.pk}/").content.decode()
    assert "进入直播间" in page and "https://live.douyin.com/1" in page
    assert f"/jobs/{posting.pk}/apply/?fair={stream.pk}" in page
    veteran = VeteranFactory(station=world["villageA1a"])
    form = client.get(f"/jobs/{posting.pk}/apply/?fair={stream.pk}").content.decode()
    assert "您正在通过" in form
    data = {
        "name": veteran.name,
        "id_number": veteran.id_number,
        "phone": "13912345678",
        "stated_county": world["countyA"].pk,
        "fair": stream.pk,
    }
    assert client.post(f"/jobs/{posting.pk}/apply/", data).status_code == 302
    assert Application.objects.get().fair == stream
    # a stale link (the posting is not presented): an ordinary application, and the page says so
    other = JobPostingFactory(employer=employer_a)
    assert "已失效" in client.get(f"/jobs/{other.pk}/apply/?fair={stream.pk}").content.decode()
    assert "已失效" in client.get(f"/jobs/{other.pk}/apply/?fair=abc").content.decode()
    assert client.post(f"/jobs/{other.pk}/apply/", {**data, "fair": stream.pk}).status_code == 302
    assert Application.objects.get(posting=other).fair is None


def test_application_submit_refuses_a_fair_not_running(world, employer_a, city_bureau):
    fair = JobFairFactory(county=world["countyA"], kind="online", date=TODAY - 5 * DAY, end_date=TODAY - DAY)
    posting = JobPostingFactory(employer=employer_a)
    fair.postings.add(posting)
    with pytest.raises(ValidationError, match="不在举办期间"):
        actions.application_submit(
            posting=posting,
            name="王军",
            id_number=VeteranFactory.build().id_number,
            phone="13912345678",
            stated_county=world["countyA"],
            fair=fair,
        )


# --- pages ----------------------------------------------------------------------------------------------------
def test_door_check_in_page(client_for, county_clerk, fair, veteran_a, veteran_b):
    c = client_for(county_clerk)
    registration = actions.fair_register(fair=fair, veteran=veteran_a, user=county_clerk)
    body = c.post(f"/station/employment/fairs/{fair.pk}/checkin/", {"code": registration.number}).content.decode()
    assert "签到成功" in body and 'data-testid="checkins">1<' in body
    body = c.post(f"/station/employment/fairs/{fair.pk}/checkin/", {"code": veteran_b.id_number}).content.decode()
    assert "已现场登记并签到" in body
    body = c.post(f"/station/employment/fairs/{fair.pk}/checkin/", {"code": registration.number}).content.decode()
    assert "无需重复签到" in body
    body = c.post(f"/station/employment/fairs/{fair.pk}/checkin/", {"code": "123"}).content.decode()
    assert "请扫描或输入报名编号" in body


def test_door_check_in_page_refuses_a_fair_not_started(client_for, county_clerk, world, veteran_a):
    later = JobFairFactory(county=world["countyA"], date=TODAY + 2 * DAY)
    body = (
        client_for(county_clerk)
        .post(f"/station/employment/fairs/{later.pk}/checkin/", {"code": veteran_a.id_number})
        .content.decode()
    )
    assert "尚未开始" in body and not FairRegistration.objects.exists()


def test_fair_page_counts_from_records(client_for, county_clerk, fair, employer_a, world):
    JobPostingFactory(employer=employer_a, headcount=7)
    c = client_for(county_clerk)
    assert (
        c.post(
            f"/station/employment/fairs/{fair.pk}/", {"verb": "add_employer", "credit_code": employer_a.credit_code}
        ).status_code
        == 302
    )
    body = c.post(
        f"/station/employment/fairs/{fair.pk}/", {"verb": "add_employer", "credit_code": "91130902000000000X"}
    ).content.decode()
    assert "校验位错误" in body
    veteran = VeteranFactory(station=world["villageA1a"])
    assert (
        c.post(
            f"/station/employment/fairs/{fair.pk}/", {"verb": "register", "id_number": veteran.id_number}
        ).status_code
        == 302
    )
    body = c.get(f"/station/employment/fairs/{fair.pk}/").content.decode()
    assert 'data-testid="positions">7<' in body and 'data-testid="registration_count">1<' in body
    assert 'data-testid="checkin_count">0<' in body and veteran.name in body
    public = c.get("/jobs/fairs/").content.decode()
    assert fair.title in public and "<td>7</td>" in public


def test_record_application_page(client_for, county_clerk, fair, employer_a, veteran_a):
    posting = JobPostingFactory(employer=employer_a)
    actions.fair_add_employer(fair=fair, employer=employer_a, user=county_clerk)
    actions.fair_check_in(fair=fair, code=veteran_a.id_number, user=county_clerk)
    c = client_for(county_clerk)
    url = f"/station/employment/fairs/{fair.pk}/applications/new/"
    assert "请选择" in c.get(url).content.decode()
    body = c.post(url, {"registration": veteran_a.id_number, "posting": 99999}).content.decode()
    assert "所选岗位不在本场招聘会的推介岗位中" in body
    assert c.post(url, {"registration": veteran_a.id_number, "posting": posting.pk}).status_code == 302
    assert Application.objects.get().fair == fair


def test_fair_pages_out_of_scope_are_404(client_for, other_village_clerk, fair, veteran_b):
    c = client_for(other_village_clerk)
    for url in (
        f"/station/employment/fairs/{fair.pk}/",
        f"/station/employment/fairs/{fair.pk}/checkin/",
        f"/station/employment/fairs/{fair.pk}/applications/new/",
    ):
        assert c.get(url).status_code == 404, url
    assert c.post(f"/station/employment/fairs/{fair.pk}/checkin/", {"code": veteran_b.id_number}).status_code == 404
    assert not FairRegistration.objects.exists()


def test_public_fair_detail(client, world, city_bureau, employer_a):
    fair = JobFairFactory(county=world["countyA"], title="公开招聘会", date=TODAY + DAY)
    JobPostingFactory(employer=employer_a, title="公开岗位")
    closed = JobPostingFactory(employer=employer_a, title="已关岗位")
    actions.fair_add_employer(fair=fair, employer=employer_a, user=city_bureau)
    closed.status = "closed"
    closed.save()
    body = client.get(f"/jobs/fairs/{fair.pk}/").content.decode()
    assert "公开岗位" in body and "已关岗位" not in body
    old = JobFairFactory(county=world["countyA"], date=TODAY - 200 * DAY)
    assert client.get(f"/jobs/fairs/{old.pk}/").status_code == 404
    assert client.get("/jobs/fairs/99999/").status_code == 404


def test_fair_list_query_count_is_constant(client, client_for, city_bureau, world, django_assert_max_num_queries):
    c = client_for(city_bureau)
    JobFairFactory(county=world["countyA"])
    with django_assert_max_num_queries(12) as one:
        c.get("/station/employment/fairs/")
    with django_assert_max_num_queries(4) as public_one:
        client.get("/jobs/fairs/")
    for _ in range(5):
        f = JobFairFactory(county=world["countyA"])
        e = EmployerFactory()
        f.employers.add(e)
        f.postings.add(JobPostingFactory(employer=e))
        FairRegistration.objects.create(
            fair=f, veteran=VeteranFactory(station=world["villageA1a"]), number=f"F{f.pk:014d}"
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        c.get("/station/employment/fairs/")
    with django_assert_max_num_queries(len(public_one.captured_queries)):
        client.get("/jobs/fairs/")
