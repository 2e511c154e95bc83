import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from employment import actions
from employment.models import Application, ApplicationStatus, JobPosting, Placement, PostingStatus
from services import roles
from veterans.choices import EmploymentStatus

from .factories import ApplicationFactory, JobPostingFactory, make_id_number

pytestmark = pytest.mark.django_db


def _fields(world, **extra):
    data = {
        "title": "叉车司机",
        "description": "持证上岗，五险一金。",
        "category": "logistics",
        "county": world["countyA"],
        "salary_min": 4500,
        "salary_max": 6500,
        "headcount": 3,
        "education": "any",
        "veteran_preferred": True,
        "expires_on": timezone.localdate() + datetime.timedelta(days=20),
    }
    data.update(extra)
    return data


def test_employer_creates_draft_submits_reviewer_publishes(world, employer_user, county_reviewer):
    posting = actions.posting_create(user=employer_user, **_fields(world))
    assert posting.status == PostingStatus.DRAFT and posting.employer_id == employer_user.employer_id
    posting = actions.posting_submit(posting=posting, user=employer_user)
    assert posting.status == PostingStatus.PENDING
    posting = actions.posting_publish(posting=posting, user=county_reviewer)
    assert posting.status == PostingStatus.PUBLISHED
    assert posting.published_at is not None and posting.reviewed_by == county_reviewer
    assert JobPosting.objects.public().filter(pk=posting.pk).exists()


def test_rejected_posting_carries_reason_and_can_be_resubmitted(world, employer_user, city_bureau):
    posting = actions.posting_submit(
        posting=actions.posting_create(user=employer_user, **_fields(world)), user=employer_user
    )
    with pytest.raises(ValidationError):
        actions.posting_reject(posting=posting, user=city_bureau, reason="  ")
    posting = actions.posting_reject(posting=posting, user=city_bureau, reason="薪资范围填写不实")
    assert posting.status == PostingStatus.REJECTED and posting.rejection_reason == "薪资范围填写不实"
    posting = actions.posting_update(posting=posting, user=employer_user, salary_max=7000)
    assert posting.status == PostingStatus.DRAFT
    posting = actions.posting_submit(posting=posting, user=employer_user)
    assert posting.status == PostingStatus.PENDING


def test_employer_closes_own_posting_only(posting_a, employer_user, other_employer_user):
    with pytest.raises(PermissionDenied):
        actions.posting_close(posting=posting_a, user=other_employer_user)
    assert actions.posting_close(posting=posting_a, user=employer_user).status == PostingStatus.CLOSED


def test_non_employer_cannot_create(world, county_clerk):
    with pytest.raises(PermissionDenied):
        actions.posting_create(user=county_clerk, **_fields(world))


def test_published_posting_cannot_be_edited(posting_a, employer_user):
    with pytest.raises(ValidationError):
        actions.posting_update(posting=posting_a, user=employer_user, title="改名")


@pytest.mark.parametrize("who", ["county_clerk", "other_county_reviewer", "employer_user", "auditor"])
def test_who_may_not_publish(request, world, employer_a, make_user, who):
    posting = JobPostingFactory(
        employer=employer_a, county=world["countyA"], status=PostingStatus.PENDING, published_at=None
    )
    if who == "other_county_reviewer":
        user = make_user(roles.ROLE_REVIEWER, world["countyB"], username="rev_b")
    else:
        user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        actions.posting_publish(posting=posting, user=user)


def test_city_reviewer_and_bureau_may_publish(world, employer_a, city_reviewer, city_bureau):
    for user in (city_reviewer, city_bureau):
        posting = JobPostingFactory(employer=employer_a, county=world["countyA"], status=PostingStatus.PENDING)
        assert actions.posting_publish(posting=posting, user=user).status == PostingStatus.PUBLISHED


def test_publish_only_from_pending(posting_a, county_reviewer):
    with pytest.raises(ValidationError):
        actions.posting_publish(posting=posting_a, user=county_reviewer)


def test_expired_past_date_cannot_be_submitted(world, employer_user):
    posting = actions.posting_create(user=employer_user, **_fields(world))
    JobPosting.objects.filter(pk=posting.pk).update(expires_on=timezone.localdate() - datetime.timedelta(days=1))
    posting.refresh_from_db()
    with pytest.raises(ValidationError):
        actions.posting_submit(posting=posting, user=employer_user)


def test_salary_range_checked(world, employer_user):
    with pytest.raises(ValidationError) as exc:
        actions.posting_create(user=employer_user, **_fields(world, salary_min=8000, salary_max=5000))
    assert "月薪上限" in str(exc.value)


def test_expire_overdue(posting_a, posting_b):
    JobPosting.objects.filter(pk=posting_a.pk).update(expires_on=timezone.localdate() - datetime.timedelta(days=1))
    assert actions.postings_expire_overdue() == 1
    posting_a.refresh_from_db()
    posting_b.refresh_from_db()
    assert posting_a.status == PostingStatus.EXPIRED and posting_b.status == PostingStatus.PUBLISHED
    assert actions.postings_expire_overdue() == 0  # idempotent


# --- applications -----------------------------------------------------------------------------
def test_application_matched_to_veteran(posting_a, veteran_a, world):
    app = actions.application_submit(
        posting=posting_a,
        name="张卫国",
        id_number=veteran_a.id_number.lower(),
        phone="13812345678",
        stated_county=world["countyB"],
    )
    assert app.veteran == veteran_a and not app.needs_follow_up
    assert app.station_id == veteran_a.station_id
    assert re.fullmatch(r"A\d{8}[0-9A-HJKMNP-TV-Z]{10}", app.number)


def test_application_unmatched_flagged_for_stated_county(posting_a, world):
    app = actions.application_submit(
        posting=posting_a,
        name="赵新兵",
        id_number=make_id_number("130903", "19900505", 321),
        phone="13812345678",
        stated_county=world["countyB"],
    )
    assert app.veteran is None and app.needs_follow_up and app.station_id == world["countyB"].code


def test_application_once_per_posting(posting_a, world):
    number = make_id_number("130903", "19900505", 321)
    kwargs = {
        "posting": posting_a,
        "name": "赵新兵",
        "id_number": number,
        "phone": "13812345678",
        "stated_county": world["countyB"],
    }
    actions.application_submit(**kwargs)
    with pytest.raises(ValidationError) as exc:
        actions.application_submit(**kwargs)
    assert "只能申请一次" in str(exc.value)


def test_application_bad_input_saves_nothing(posting_a, world):
    with pytest.raises(ValidationError) as exc:
        actions.application_submit(
            posting=posting_a, name="", id_number="130902198001011230", phone="12345", stated_county=world["countyA"]
        )
    assert set(exc.value.message_dict) == {"name", "id_number", "phone"}
    assert Application.objects.count() == 0


def test_application_to_non_public_posting_refused(posting_a, world):
    JobPosting.objects.filter(pk=posting_a.pk).update(status=PostingStatus.CLOSED)
    with pytest.raises(ValidationError):
        actions.application_submit(
            posting=posting_a,
            name="赵新兵",
            id_number=make_id_number(),
            phone="13812345678",
            stated_county=world["countyA"],
        )


def _walk_to_interview(app, user):
    for status in (ApplicationStatus.SHORTLISTED, ApplicationStatus.INTERVIEW):
        app = actions.application_move(application=app, to_status=status, user=user)
    return app


def test_hire_creates_placement_and_updates_veteran(posting_a, veteran_a, employer_user):
    app = ApplicationFactory(posting=posting_a, veteran=veteran_a, id_number=veteran_a.id_number)
    version = veteran_a.version
    app = _walk_to_interview(app, employer_user)
    app = actions.application_move(application=app, to_status=ApplicationStatus.HIRED, user=employer_user)
    assert app.status == ApplicationStatus.HIRED
    placement = Placement.objects.get(application=app)
    assert placement.veteran == veteran_a and placement.employer == posting_a.employer
    veteran_a.refresh_from_db()
    assert veteran_a.employment_status == EmploymentStatus.EMPLOYED
    assert veteran_a.employer_name == posting_a.employer.name
    assert veteran_a.version == version + 1
    assert veteran_a.history.first().history_change_reason.startswith("岗位申请")


def test_hire_is_one_transaction(posting_a, veteran_a, employer_user, monkeypatch):
    app = _walk_to_interview(ApplicationFactory(posting=posting_a, veteran=veteran_a), employer_user)
    before = (veteran_a.employment_status, veteran_a.employer_name, veteran_a.version)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Application, "save", boom)
    with pytest.raises(RuntimeError):
        actions.application_move(application=app, to_status=ApplicationStatus.HIRED, user=employer_user)
    assert not Placement.objects.exists()
    veteran_a.refresh_from_db()
    assert (veteran_a.employment_status, veteran_a.employer_name, veteran_a.version) == before


def test_unmatched_applicant_cannot_be_hired_until_matched(posting_a, world, employer_user, county_clerk):
    from veterans.tests.factories import VeteranFactory

    number = make_id_number("130902", "19880808", 555)
    app = ApplicationFactory(posting=posting_a, id_number=number, stated_county=world["countyA"])
    app = _walk_to_interview(app, employer_user)
    with pytest.raises(ValidationError):
        actions.application_move(application=app, to_status=ApplicationStatus.HIRED, user=employer_user)
    with pytest.raises(ValidationError):
        actions.application_match(application=app, user=county_clerk)
    veteran = VeteranFactory(station=world["villageA2a"], id_number=number)
    app = actions.application_match(application=app, user=county_clerk)
    assert app.veteran == veteran and app.station_id == world["villageA2a"].code and not app.needs_follow_up
    app = actions.application_move(application=app, to_status=ApplicationStatus.HIRED, user=employer_user)
    assert app.status == ApplicationStatus.HIRED


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("submitted", "hired"),
        ("submitted", "interview"),
        ("hired", "withdrawn"),
        ("not_hired", "shortlisted"),
        ("withdrawn", "submitted"),
    ],
)
def test_disallowed_transitions(posting_a, employer_user, start, target):
    app = ApplicationFactory(posting=posting_a, status=start)
    with pytest.raises(ValidationError):
        actions.application_move(application=app, to_status=target, user=employer_user)


def test_who_moves_applications(
    posting_a, veteran_a, veteran_b, other_employer_user, village_clerk, other_village_clerk, county_stats_viewer
):
    app = ApplicationFactory(posting=posting_a, veteran=veteran_a)
    for user in (other_employer_user, other_village_clerk, county_stats_viewer):
        with pytest.raises(PermissionDenied):
            actions.application_move(application=app, to_status=ApplicationStatus.SHORTLISTED, user=user)
    app = actions.application_move(application=app, to_status=ApplicationStatus.SHORTLISTED, user=village_clerk)
    assert app.status == ApplicationStatus.SHORTLISTED


def test_transfer_moves_open_applications_to_the_new_station(world, village_clerk):
    from employment.models import ApplicationStatus
    from veterans.actions import veteran_transfer
    from veterans.tests.factories import VeteranFactory

    from .factories import ApplicationFactory

    veteran = VeteranFactory(station=world["villageA1a"])
    open_app = ApplicationFactory(veteran=veteran)
    done_app = ApplicationFactory(veteran=veteran, status=ApplicationStatus.NOT_HIRED)
    veteran_transfer(
        user=village_clerk, veteran=veteran, to_station=world["villageB1a"], date=datetime.date(2026, 11, 1)
    )
    open_app.refresh_from_db()
    done_app.refresh_from_db()
    assert open_app.station_id == world["villageB1a"].code
    assert done_app.station_id == world["villageA1a"].code
