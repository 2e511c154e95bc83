import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from honors import actions
from honors.models import Award, HonorType, Nomination, NominationStatus, NominationTransition
from services.models import AuditEvent

from .factories import HouseholdFactory, NominationFactory, VeteranFactory

pytestmark = pytest.mark.django_db
S = NominationStatus


def _draft(types, household, user, code=HonorType.JRJT, year=2026):
    return actions.nomination_create(
        honor_type=types[code], year=year, household=household, reasons="三代从军，家风优良", user=user
    )


def _snapshot(nomination):
    nomination.refresh_from_db()
    return (nomination.status, nomination.transitions.count(), Award.objects.count())


def test_whole_workflow_village_to_city_creates_award(types, household, village_clerk, county_reviewer, city_reviewer):
    n = _draft(types, household, village_clerk)
    assert n.status == S.DRAFT and n.station_id == village_clerk.station_id
    actions.nomination_submit(nomination=n, user=village_clerk)
    actions.nomination_county_approve(nomination=n, user=county_reviewer, comment="符合条件")
    award = actions.nomination_city_approve(
        nomination=n, user=city_reviewer, comment="同意", awarded_on=datetime.date(2026, 8, 1)
    )
    n.refresh_from_db()
    assert n.status == S.APPROVED and n.decided_at is not None
    assert award.certificate_number == "CZ-JRJT-2026-0001"
    assert award.recipient_name == "刘光荣户"
    assert award.county_id == "130902000000"
    steps = list(n.transitions.values_list("from_status", "to_status", "user__username", "comment"))
    assert steps == [
        ("", S.DRAFT, "village_clerk", ""),
        (S.DRAFT, S.SUBMITTED, "village_clerk", ""),
        (S.SUBMITTED, S.COUNTY_APPROVED, "county_reviewer", "符合条件"),
        (S.COUNTY_APPROVED, S.APPROVED, "city_reviewer", "同意"),
    ]
    approvals = AuditEvent.objects.filter(action="nomination_approve", result="success")
    assert approvals.count() == 2
    assert set(approvals.values_list("detail__tier", flat=True)) == {"county", "city"}


def test_certificate_numbers_count_per_type_and_year(types, world, village_clerk, county_reviewer, city_reviewer):
    numbers = []
    for code in (HonorType.JRJT, HonorType.JRJT, HonorType.JRSJ):
        n = _draft(types, HouseholdFactory(station=world["villageA1a"]), village_clerk, code=code)
        actions.nomination_submit(nomination=n, user=village_clerk)
        actions.nomination_county_approve(nomination=n, user=county_reviewer)
        numbers.append(actions.nomination_city_approve(nomination=n, user=city_reviewer).certificate_number)
    assert numbers == ["CZ-JRJT-2026-0001", "CZ-JRJT-2026-0002", "CZ-JRSJ-2026-0001"]


def test_township_clerk_can_nominate_in_a_village_below(types, household, township_clerk):
    n = _draft(types, household, township_clerk)
    actions.nomination_submit(nomination=n, user=township_clerk)
    assert n.status == S.SUBMITTED and n.station_id == township_clerk.station_id


def test_county_clerk_cannot_nominate(types, household, county_clerk):
    with pytest.raises(PermissionDenied, match="村（社区）、乡镇（街道）"):
        _draft(types, household, county_clerk)
    assert Nomination.objects.count() == 0


def test_city_cannot_skip_the_county_tier(types, household, village_clerk, city_reviewer):
    n = _draft(types, household, village_clerk)
    actions.nomination_submit(nomination=n, user=village_clerk)
    before = _snapshot(n)
    with pytest.raises(ValidationError, match="尚未通过县级审核"):
        actions.nomination_city_approve(nomination=n, user=city_reviewer)
    with pytest.raises(ValidationError, match="尚未通过县级审核"):
        actions.nomination_city_reject(nomination=n, user=city_reviewer, reason="不符合")
    assert _snapshot(n) == before


def test_draft_cannot_be_reviewed_before_submission(types, household, village_clerk, county_reviewer):
    n = _draft(types, household, village_clerk)
    before = _snapshot(n)
    with pytest.raises(ValidationError, match="当前状态为“草稿”"):
        actions.nomination_county_approve(nomination=n, user=county_reviewer)
    assert _snapshot(n) == before


def test_wrong_tier_is_refused(types, household, village_clerk, county_reviewer, city_reviewer):
    n = _draft(types, household, village_clerk)
    actions.nomination_submit(nomination=n, user=village_clerk)
    before = _snapshot(n)
    with pytest.raises(PermissionDenied, match="县级服务中心的审核员"):
        actions.nomination_county_approve(nomination=n, user=city_reviewer)
    assert _snapshot(n) == before
    actions.nomination_county_approve(nomination=n, user=county_reviewer)
    before = _snapshot(n)
    with pytest.raises(PermissionDenied, match="市级服务中心的审核员"):
        actions.nomination_city_approve(nomination=n, user=county_reviewer)
    assert _snapshot(n) == before


def test_clerk_cannot_review(types, household, village_clerk, township_clerk):
    n = _draft(types, household, village_clerk)
    actions.nomination_submit(nomination=n, user=village_clerk)
    with pytest.raises(PermissionDenied, match="没有审核荣誉提名的权限"):
        actions.nomination_county_approve(nomination=n, user=township_clerk)
    assert _snapshot(n)[0] == S.SUBMITTED


def test_other_subtree_is_refused(types, household, world, make_user, village_clerk, other_village_clerk):
    from services import roles

    other_county_reviewer = make_user(roles.ROLE_REVIEWER, world["countyB"])
    n = _draft(types, household, village_clerk)
    with pytest.raises(PermissionDenied, match="不在您的辖区范围内"):
        actions.nomination_submit(nomination=n, user=other_village_clerk)
    actions.nomination_submit(nomination=n, user=village_clerk)
    before = _snapshot(n)
    with pytest.raises(PermissionDenied, match="不在您的辖区范围内"):
        actions.nomination_county_approve(nomination=n, user=other_county_reviewer)
    with pytest.raises(PermissionDenied, match="不在您的辖区范围内"):
        actions.nomination_return(nomination=n, user=other_county_reviewer, comment="补充材料")
    assert _snapshot(n) == before
    assert AuditEvent.objects.filter(action="nomination_approve", result="denied").exists()


def test_nominating_a_subject_outside_the_subtree_is_refused(types, other_household, village_clerk):
    with pytest.raises(ValidationError, match="不在提名服务站的辖区范围内"):
        _draft(types, other_household, village_clerk)


def test_no_self_approval(types, household, world, make_user):
    from services import roles

    # A clerk who later became the county reviewer finds their own nomination in the queue.
    promoted = make_user(roles.ROLE_REVIEWER, world["countyA"])
    n = NominationFactory(household=household, station=world["villageA1a"], created_by=promoted, status=S.SUBMITTED)
    with pytest.raises(PermissionDenied, match="不能审核自己创建的提名"):
        actions.nomination_county_approve(nomination=n, user=promoted)
    with pytest.raises(PermissionDenied, match="不能审核自己创建的提名"):
        actions.nomination_county_reject(nomination=n, user=promoted, reason="x")
    assert _snapshot(n) == (S.SUBMITTED, 0, 0)


def test_duplicate_nomination_is_refused_until_rejected(types, household, village_clerk, county_reviewer):
    n = _draft(types, household, village_clerk)
    with pytest.raises(ValidationError, match="已有“军人家庭”提名"):
        _draft(types, household, village_clerk)
    assert Nomination.objects.count() == 1
    # another year or another type is a different nomination
    _draft(types, household, village_clerk, year=2025)
    _draft(types, household, village_clerk, code=HonorType.JRSJ)
    actions.nomination_submit(nomination=n, user=village_clerk)
    actions.nomination_county_reject(nomination=n, user=county_reviewer, reason="材料不实")
    again = _draft(types, household, village_clerk)
    assert again.pk != n.pk


def test_database_refuses_duplicate_active_nomination(types, household, world):
    from django.db import IntegrityError, transaction

    NominationFactory(household=household, station=world["villageA1a"])
    with pytest.raises(IntegrityError), transaction.atomic():
        NominationFactory(household=household, station=world["villageA1a"])


def test_reject_needs_a_reason(types, household, village_clerk, county_reviewer):
    n = _draft(types, household, village_clerk)
    actions.nomination_submit(nomination=n, user=village_clerk)
    with pytest.raises(ValidationError, match="不予通过的理由"):
        actions.nomination_county_reject(nomination=n, user=county_reviewer, reason="  ")
    assert _snapshot(n)[0] == S.SUBMITTED
    actions.nomination_county_reject(nomination=n, user=county_reviewer, reason="不符合评选条件")
    n.refresh_from_db()
    assert n.status == S.REJECTED and n.last_comment == "不符合评选条件"
    assert AuditEvent.objects.filter(action="nomination_reject").count() == 1


def test_city_reject_after_county_approval(types, household, village_clerk, county_reviewer, city_reviewer):
    n = _draft(types, household, village_clerk)
    actions.nomination_submit(nomination=n, user=village_clerk)
    actions.nomination_county_approve(nomination=n, user=county_reviewer)
    actions.nomination_city_reject(nomination=n, user=city_reviewer, reason="名额已满")
    assert _snapshot(n) == (S.REJECTED, 4, 0)


def test_return_edit_and_resubmit(types, household, village_clerk, county_reviewer, city_reviewer):
    n = _draft(types, household, village_clerk)
    actions.nomination_submit(nomination=n, user=village_clerk)
    with pytest.raises(ValidationError, match="退回修改的意见"):
        actions.nomination_return(nomination=n, user=county_reviewer, comment="")
    actions.nomination_return(nomination=n, user=county_reviewer, comment="请补充服役证明")
    assert _snapshot(n)[0] == S.RETURNED
    with pytest.raises(ValidationError):
        actions.nomination_county_approve(nomination=n, user=county_reviewer)
    actions.nomination_update(nomination=n, reasons="已补充服役证明", user=village_clerk)
    actions.nomination_submit(nomination=n, user=village_clerk)
    actions.nomination_county_approve(nomination=n, user=county_reviewer)
    # the city reviewer may return it too; it goes back through the county
    actions.nomination_return(nomination=n, user=city_reviewer, comment="请补充照片")
    actions.nomination_submit(nomination=n, user=village_clerk)
    assert _snapshot(n)[0] == S.SUBMITTED


def test_submitted_nomination_cannot_be_edited(types, household, village_clerk):
    n = _draft(types, household, village_clerk)
    actions.nomination_submit(nomination=n, user=village_clerk)
    with pytest.raises(ValidationError, match="不能修改"):
        actions.nomination_update(nomination=n, reasons="改", user=village_clerk)
    with pytest.raises(ValidationError, match="不能提交"):
        actions.nomination_submit(nomination=n, user=village_clerk)


def test_subject_must_match_the_type(types, household, veteran, village_clerk):
    with pytest.raises(ValidationError, match="授予家庭户"):
        actions.nomination_create(
            honor_type=types[HonorType.JRJT], year=2026, veteran=veteran, reasons="x", user=village_clerk
        )
    with pytest.raises(ValidationError, match="授予个人"):
        actions.nomination_create(
            honor_type=types[HonorType.ZMTY], year=2026, household=household, reasons="x", user=village_clerk
        )
    with pytest.raises(ValidationError, match="不能同时选择"):
        actions.nomination_create(
            honor_type=types[HonorType.ZMTY],
            year=2026,
            household=household,
            veteran=veteran,
            reasons="x",
            user=village_clerk,
        )
    assert Nomination.objects.count() == 0


# --- 光荣在党50年 ---------------------------------------------------------------------------
def test_party50_cutoff_is_first_of_july_fifty_years_before():
    assert actions.party50_cutoff(2026) == datetime.date(1976, 7, 1)


@pytest.mark.parametrize(
    ("joined", "eligible"),
    [
        (datetime.date(1976, 6, 30), True),
        (datetime.date(1976, 7, 1), True),  # exactly 50 years on 1 July 2026
        (datetime.date(1976, 7, 2), False),  # one day short
        (datetime.date(1977, 1, 1), False),
    ],
)
def test_party50_boundary_days(world, joined, eligible):
    v = VeteranFactory(station=world["villageA1a"], is_party_member=True, party_join_date=joined)
    assert (actions.party50_ineligibility(v, 2026) is None) is eligible


def test_party50_requires_active_member_and_no_award(types, world, village_clerk):
    v = VeteranFactory(
        station=world["villageA1a"], is_party_member=True, party_join_date=datetime.date(1970, 3, 1), status="deceased"
    )
    assert "在册" in actions.party50_ineligibility(v, 2026)
    v2 = VeteranFactory(station=world["villageA1a"], is_party_member=False)
    assert "不是中共党员" in actions.party50_ineligibility(v2, 2026)
    with pytest.raises(ValidationError, match="不是中共党员"):
        actions.nomination_create(
            honor_type=types[HonorType.GRZD], year=2026, veteran=v2, reasons="x", user=village_clerk
        )


def test_party50_bulk_drafts_skip_the_ineligible(types, world, village_clerk, county_reviewer, city_reviewer):
    ok = VeteranFactory(station=world["villageA1a"], is_party_member=True, party_join_date=datetime.date(1975, 1, 1))
    late = VeteranFactory(station=world["villageA1a"], is_party_member=True, party_join_date=datetime.date(1976, 7, 2))
    created, skipped = actions.party50_nominations_create(year=2026, veterans=[ok, late], user=village_clerk)
    assert [n.veteran_id for n in created] == [ok.pk]
    assert len(skipped) == 1 and "党龄不满50年" in skipped[0]
    # once awarded, never again
    n = created[0]
    actions.nomination_submit(nomination=n, user=village_clerk)
    actions.nomination_county_approve(nomination=n, user=county_reviewer)
    actions.nomination_city_approve(nomination=n, user=city_reviewer)
    assert "已获颁" in actions.party50_ineligibility(ok, 2027)
    created, skipped = actions.party50_nominations_create(year=2027, veterans=[ok], user=village_clerk)
    assert created == [] and "已获颁" in skipped[0]


def test_transitions_are_recorded_with_station(types, household, village_clerk):
    n = _draft(types, household, village_clerk)
    actions.nomination_submit(nomination=n, user=village_clerk, comment="请审核")
    last = NominationTransition.objects.filter(nomination=n).last()
    assert last.station_id == village_clerk.station_id and last.comment == "请审核" and last.at is not None


def test_commendation_nomination_needs_a_serving_member_with_merit(types, household, world, village_clerk):
    from .factories import MeritFactory, ServingMemberFactory

    with pytest.raises(ValidationError, match="没有登记立功受奖的现役军人"):
        _draft(types, household, village_clerk, code=HonorType.LGXB)
    MeritFactory(serving_member=ServingMemberFactory(hometown_station=world["villageA1a"], household=household))
    assert _draft(types, household, village_clerk, code=HonorType.LGXB).status == S.DRAFT


def test_inactive_type_cannot_be_nominated(types, household, village_clerk):
    HonorType.objects.filter(code=HonorType.JRJT).update(is_active=False)
    types[HonorType.JRJT].refresh_from_db()
    with pytest.raises(ValidationError, match="已停用"):
        _draft(types, household, village_clerk)
