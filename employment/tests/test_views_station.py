import pytest

from employment.models import ApplicationStatus, PostingStatus

from .factories import (
    ApplicationFactory,
    EnrolmentFactory,
    JobFairFactory,
    JobPostingFactory,
    PlacementFactory,
    TrainingProgrammeFactory,
    VentureFactory,
)

pytestmark = pytest.mark.django_db

LISTS = [
    "/station/employment/",
    "/station/employment/?tab=follow_up",
    "/station/employment/?tab=placements",
    "/station/employment/training/",
    "/station/employment/fairs/",
    "/station/employment/ventures/",
]


@pytest.fixture
def data(world, posting_a, posting_b, veteran_a, veteran_b):
    return {
        "app_a": ApplicationFactory(posting=posting_b, veteran=veteran_a, name="张卫国"),
        "app_b": ApplicationFactory(posting=posting_a, veteran=veteran_b, name="李建功"),
        "unmatched_a": ApplicationFactory(posting=posting_b, stated_county=world["countyA"], name="待核实甲"),
        "unmatched_b": ApplicationFactory(posting=posting_a, stated_county=world["countyB"], name="待核实乙"),
        "placement_a": PlacementFactory(veteran=veteran_a, employer=posting_b.employer, position="安置甲"),
        "placement_b": PlacementFactory(veteran=veteran_b, employer=posting_a.employer, position="安置乙"),
        "training_a": TrainingProgrammeFactory(county=world["countyA"], title="甲县培训班"),
        "training_b": TrainingProgrammeFactory(county=world["countyB"], title="乙县培训班"),
        "fair_a": JobFairFactory(county=world["countyA"], title="甲县招聘会"),
        "fair_b": JobFairFactory(county=world["countyB"], title="乙县招聘会"),
        "venture_a": VentureFactory(veteran=veteran_a, business_name="甲老兵超市"),
        "venture_b": VentureFactory(veteran=veteran_b, business_name="乙老兵超市"),
        "pending_a": JobPostingFactory(
            employer=posting_a.employer, county=world["countyA"], status=PostingStatus.PENDING, title="待审甲"
        ),
        "pending_b": JobPostingFactory(
            employer=posting_b.employer, county=world["countyB"], status=PostingStatus.PENDING, title="待审乙"
        ),
    }


def _all_lists(c):
    return "".join(c.get(url).content.decode() for url in LISTS)


def test_village_clerk_sees_own_subtree_only(client_for, village_clerk, data):
    body = _all_lists(client_for(village_clerk))
    for visible in ("张卫国", "安置甲", "甲老兵超市"):
        assert visible in body
    for hidden in ("李建功", "待核实乙", "安置乙", "乙县培训班", "乙县招聘会", "乙老兵超市", "待核实甲", "甲县培训班"):
        assert hidden not in body  # the county's unmatched applicants and programmes belong to the county clerk


def test_county_clerk_follows_up_unmatched_of_county(client_for, county_clerk, data):
    c = client_for(county_clerk)
    body = c.get("/station/employment/?tab=follow_up").content.decode()
    assert "待核实甲" in body and "待核实乙" not in body and "张卫国" not in body
    body = _all_lists(c)
    assert "甲县培训班" in body and "甲县招聘会" in body and "乙县" not in body


def test_city_bureau_sees_everything(client_for, city_bureau, data):
    body = _all_lists(client_for(city_bureau))
    for name in ("张卫国", "李建功", "待核实甲", "待核实乙", "乙县培训班", "乙老兵超市"):
        assert name in body


def test_application_detail_jurisdiction(client_for, village_clerk, other_village_clerk, data):
    app = data["app_a"]
    ok = client_for(village_clerk).get(f"/station/employment/applications/{app.pk}/")
    assert ok.status_code == 200 and app.masked_id_number in ok.content.decode()
    assert app.id_number not in ok.content.decode()
    other = client_for(other_village_clerk)
    assert other.get(f"/station/employment/applications/{app.pk}/").status_code == 404
    assert other.post(f"/station/employment/applications/{app.pk}/", {"to_status": "shortlisted"}).status_code == 404
    assert other.post(f"/station/employment/applications/{app.pk}/match/").status_code == 404
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED


def test_clerk_moves_and_hires(client_for, village_clerk, data):
    app = data["app_a"]
    c = client_for(village_clerk)
    for status in ("shortlisted", "interview", "hired"):
        c.post(f"/station/employment/applications/{app.pk}/", {"to_status": status})
    app.refresh_from_db()
    assert app.status == ApplicationStatus.HIRED and hasattr(app, "placement")


def test_clerk_bad_transition_message(client_for, village_clerk, data):
    app = data["app_a"]
    response = client_for(village_clerk).post(
        f"/station/employment/applications/{app.pk}/", {"to_status": "hired"}, follow=True
    )
    assert "不能变更为“已录用”" in response.content.decode()


def test_review_queue_by_county(client_for, county_reviewer, data):
    c = client_for(county_reviewer)
    body = c.get("/station/employment/review/").content.decode()
    assert "待审甲" in body and "待审乙" not in body
    assert c.get(f"/station/employment/review/{data['pending_b'].pk}/").status_code == 404
    assert c.post(f"/station/employment/review/{data['pending_b'].pk}/", {"verb": "publish"}).status_code == 404
    data["pending_b"].refresh_from_db()
    assert data["pending_b"].status == PostingStatus.PENDING
    c.post(f"/station/employment/review/{data['pending_a'].pk}/", {"verb": "publish"})
    data["pending_a"].refresh_from_db()
    assert data["pending_a"].status == PostingStatus.PUBLISHED


def test_reject_without_reason_refused(client_for, county_reviewer, data):
    response = client_for(county_reviewer).post(
        f"/station/employment/review/{data['pending_a'].pk}/", {"verb": "reject", "reason": ""}
    )
    assert response.status_code == 200 and "驳回理由" in response.content.decode()
    data["pending_a"].refresh_from_db()
    assert data["pending_a"].status == PostingStatus.PENDING


def test_clerk_cannot_review(client_for, county_clerk, data):
    c = client_for(county_clerk)
    assert c.get("/station/employment/review/").status_code == 403
    assert c.post(f"/station/employment/review/{data['pending_a'].pk}/", {"verb": "publish"}).status_code == 403


@pytest.mark.parametrize("url", [*LISTS, "/station/employment/review/"])
def test_staff_urls_require_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("url", LISTS)
def test_staff_lists_refuse_other_roles(client_for, auditor, url):
    assert client_for(auditor).get(url).status_code == 403


def test_station_lists_constant_queries(client_for, city_bureau, data, django_assert_max_num_queries):
    c = client_for(city_bureau)
    for url in LISTS:
        with django_assert_max_num_queries(12):
            assert c.get(url).status_code == 200


def test_veteran_panel(rf, veteran_a, data, village_clerk):
    from django.template import Context, Template

    EnrolmentFactory(
        veteran=veteran_a,
        programme=data["training_a"],
        completed=True,
        completed_on=data["training_a"].end_date,
        certificate_number="ZS-001",
    )
    request = rf.get("/")
    request.user = village_clerk
    html = Template("{% load employment_panels %}{% veteran_employment_panel veteran %}").render(
        Context({"veteran": veteran_a, "request": request})
    )
    for text in ("就业创业", "仓储管理员", "安置甲", "甲县培训班", "ZS-001", "甲老兵超市"):
        assert text in html


def test_reject_with_a_too_long_reason_names_the_limit(client_for, county_reviewer, data):
    response = client_for(county_reviewer).post(
        f"/station/employment/review/{data['pending_a'].pk}/", {"verb": "reject", "reason": "理" * 1001}
    )
    assert response.status_code == 200 and "不超过 1000 字符" in response.content.decode()
    data["pending_a"].refresh_from_db()
    assert data["pending_a"].status == PostingStatus.PENDING
