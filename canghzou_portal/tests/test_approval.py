"""The one tiered-approval pattern (canghzou_portal.approval), exercised on honors' nominations
with workflows declared here: a threshold step, a single step, reopening, the append-only log,
the re-read of the locked row, refusals audited."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from canghzou_portal import approval, codes
from honors import actions
from honors.models import HonorType, Nomination, NominationStatus, NominationTransition
from honors.tests.factories import HouseholdFactory
from services.models import AuditEvent

pytestmark = pytest.mark.django_db
S = NominationStatus
REVIEW = actions.REVIEW_PERMISSION


@pytest.fixture
def types(db):
    return {t.code: t for t in HonorType.objects.all()}


def _submitted(types, world, clerk, code=HonorType.JRJT) -> Nomination:
    household = HouseholdFactory(station=world["villageA1a"])
    n = actions.nomination_create(
        honor_type=types[code], year=2026, household=household, reasons="家风优良", user=clerk
    )
    actions.nomination_submit(nomination=n, user=clerk)
    return n


def _workflow(**changes) -> approval.Workflow:
    return dataclasses.replace(actions.NOMINATIONS, **changes)


def test_a_threshold_step_is_skipped_when_it_does_not_apply(types, world, village_clerk, county_reviewer):
    # The city decides only 军人世家 here (as "the city approves only above an amount").
    workflow = _workflow(
        steps=(
            approval.Step(codes.COUNTY, S.SUBMITTED, REVIEW),
            approval.Step(codes.CITY, S.COUNTY_APPROVED, REVIEW, applies=lambda n: n.honor_type.code == HonorType.JRSJ),
        )
    )
    small = _submitted(types, world, village_clerk, HonorType.JRJT)
    large = _submitted(types, world, village_clerk, HonorType.JRSJ)
    approval.approve(workflow, small, user=county_reviewer, comment="同意")
    approval.approve(workflow, large, user=county_reviewer)
    small.refresh_from_db()
    large.refresh_from_db()
    assert small.status == S.APPROVED and small.decided_at is not None
    assert large.status == S.COUNTY_APPROVED and large.decided_at is None


def test_a_single_step_workflow_is_decided_by_the_county(types, world, village_clerk, county_reviewer, city_reviewer):
    workflow = _workflow(steps=(approval.Step(codes.COUNTY, S.SUBMITTED, REVIEW),))
    n = _submitted(types, world, village_clerk)
    with pytest.raises(PermissionDenied, match="市级不审核荣誉提名"):
        approval.approve(workflow, n, user=city_reviewer)
    approval.approve(workflow, n, user=county_reviewer)
    assert Nomination.objects.get(pk=n.pk).status == S.APPROVED


def test_reopen_takes_a_rejected_object_back_to_a_draft(types, world, village_clerk, county_reviewer, city_reviewer):
    workflow = _workflow(reopen=approval.Reopen((S.REJECTED,), S.DRAFT, REVIEW, (codes.COUNTY,)))
    n = _submitted(types, world, village_clerk)
    approval.reject(workflow, n, user=county_reviewer, reason="材料不全")
    with pytest.raises(ValidationError, match="重新办理的理由"):
        approval.reopen(workflow, n, user=county_reviewer, reason=" ")
    with pytest.raises(PermissionDenied, match="县级服务中心的审核员可以重新办理"):
        approval.reopen(workflow, n, user=city_reviewer, reason="补齐材料后重新办理")
    approval.reopen(workflow, n, user=county_reviewer, reason="补齐材料后重新办理")
    assert Nomination.objects.get(pk=n.pk).status == S.DRAFT
    last = NominationTransition.objects.filter(nomination=n).last()
    assert (last.from_status, last.to_status, last.comment) == (S.REJECTED, S.DRAFT, "补齐材料后重新办理")
    assert AuditEvent.objects.filter(action="nomination_reopen", result="success").count() == 1
    with pytest.raises(ValidationError, match="不能重新办理"):
        approval.reopen(workflow, n, user=county_reviewer, reason="再次")


def test_the_locked_row_is_read_again(types, world, village_clerk, county_reviewer):
    n = _submitted(types, world, village_clerk)
    stale = Nomination.objects.get(pk=n.pk)
    actions.nomination_county_reject(nomination=n, user=county_reviewer, reason="不符合")
    assert stale.status == S.SUBMITTED  # read before the other reviewer acted
    with pytest.raises(ValidationError, match="当前状态为“未通过”"):
        actions.nomination_county_approve(nomination=stale, user=county_reviewer)
    assert NominationTransition.objects.filter(nomination=n).count() == 3


def test_the_transition_log_is_append_only(types, world, village_clerk):
    n = _submitted(types, world, village_clerk)
    step = NominationTransition.objects.filter(nomination=n).last()
    step.comment = "改写"
    with pytest.raises(PermissionError):
        step.save()
    with pytest.raises(PermissionError):
        step.delete()
    with pytest.raises(PermissionError):
        NominationTransition.objects.filter(nomination=n).update(comment="改写")
    with pytest.raises(PermissionError):
        NominationTransition.objects.filter(nomination=n).delete()


def test_every_move_is_logged_and_audited_and_refusals_too(types, world, village_clerk, county_reviewer, make_user):
    from services import roles

    n = _submitted(types, world, village_clerk)
    outsider = make_user(roles.ROLE_REVIEWER, world["countyB"])
    with pytest.raises(PermissionDenied):
        actions.nomination_county_approve(nomination=n, user=outsider)
    actions.nomination_return(nomination=n, user=county_reviewer, comment="请补充事迹")
    denied = AuditEvent.objects.get(action="nomination_approve", result="denied")
    assert denied.object_id == str(n.pk) and "辖区" in denied.detail["reason"]
    returned = AuditEvent.objects.get(action="nomination_return", result="success")
    assert returned.detail == {
        "from_status": S.SUBMITTED,
        "to_status": S.RETURNED,
        "comment": "请补充事迹",
        "tier": codes.COUNTY,
    }
    last = NominationTransition.objects.filter(nomination=n).last()
    assert (last.user, last.station_id) == (county_reviewer, county_reviewer.station_id)


def test_awaiting_and_can_decide_follow_the_tier_the_subtree_and_the_creator(
    types, world, village_clerk, county_reviewer, city_reviewer, make_user
):
    from services import roles

    n = _submitted(types, world, village_clerk)
    other_county = make_user(roles.ROLE_REVIEWER, world["countyB"])
    everything = Nomination.objects.all()
    assert list(approval.awaiting(actions.NOMINATIONS, everything, county_reviewer)) == [n]
    assert not approval.awaiting(actions.NOMINATIONS, everything, city_reviewer).exists()
    assert not approval.awaiting(actions.NOMINATIONS, everything, other_county).exists()
    assert not approval.awaiting(actions.NOMINATIONS, everything, village_clerk).exists()
    assert approval.can_decide(actions.NOMINATIONS, n, county_reviewer)
    assert not approval.can_decide(actions.NOMINATIONS, n, city_reviewer)
    assert not approval.can_decide(actions.NOMINATIONS, n, other_county)
    actions.nomination_county_approve(nomination=n, user=county_reviewer)
    assert list(approval.awaiting(actions.NOMINATIONS, everything, city_reviewer)) == [n]


def test_a_workflow_without_returns_or_rejections_refuses_them(types, world, village_clerk, county_reviewer):
    workflow = _workflow(returned=None, rejected=None)
    n = _submitted(types, world, village_clerk)
    with pytest.raises(ValidationError, match="不能退回修改"):
        approval.send_back(workflow, n, user=county_reviewer, comment="补充")
    with pytest.raises(ValidationError, match="不能驳回"):
        approval.reject(workflow, n, user=county_reviewer, reason="不符合")
    assert Nomination.objects.get(pk=n.pk).status == S.SUBMITTED
