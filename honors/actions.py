"""Writes of the honors app: the tier-by-tier nomination workflow, awards, merits and deliveries.

Workflow (every step recorded as a NominationTransition and in the audit trail)::

    draft ──submit──▶ submitted ──county approve──▶ county_approved ──city approve──▶ approved (+ Award)
      ▲                  │  │                           │  │
      │                  │  └─county reject─▶ rejected ◀─┘  └─city reject
      └── returned ◀─────┴──── return (county or city reviewer) ──┘   (the nominator edits and resubmits)

Who may act (``canghzou_portal.access``; the steps through ``canghzou_portal.approval``):
* create / edit / submit: a nominator (``access.require_nominator``: ``honors.add_nomination`` at a
  village or township station) whose subtree contains the nominating station;
* county steps: a reviewer (``honors.review_nomination``) at the COUNTY station whose subtree contains it;
* city steps: a reviewer at the CITY station, only after county approval;
* nobody reviews a nomination they created.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from canghzou_portal import access, approval, codes
from canghzou_portal.audit import audit
from canghzou_portal.scoping import user_can_reach_code
from services.models import Station
from veterans.choices import RegistryStatus

from .models import (
    Award,
    AwardCounter,
    CommendationDelivery,
    HonorType,
    Merit,
    Nomination,
    NominationAttachment,
    NominationStatus,
    NominationTransition,
    ServingMember,
)
from .validators import validate_attachment

S = NominationStatus
REVIEW_PERMISSION = "honors.review_nomination"
PARTY_YEARS = 50


# --- eligibility ----------------------------------------------------------------------
def party50_cutoff(year: int) -> datetime.date:
    """Latest party join date that gives 50 full years of membership by 1 July of ``year``.

    Joined on 1 July (year − 50) → exactly 50 years on 1 July ``year``: eligible.
    Joined on 2 July (year − 50) → one day short: not eligible.
    """
    return datetime.date(year - PARTY_YEARS, 7, 1)


def party50_ineligibility(veteran, year: int) -> str | None:
    """None if ``veteran`` qualifies for 光荣在党50年纪念章 in ``year``, else the reason in Chinese."""
    if veteran.status != RegistryStatus.ACTIVE:
        return f"{veteran.name}的在册状态为“{veteran.get_status_display()}”，须为在册人员"
    if not veteran.is_party_member or veteran.party_join_date is None:
        return f"{veteran.name}不是中共党员或未登记入党时间"
    cutoff = party50_cutoff(year)
    if veteran.party_join_date > cutoff:
        return f"{veteran.name}的入党时间为{veteran.party_join_date:%Y年%m月%d日}，截至{year}年7月1日党龄不满50年"
    if Award.objects.filter(honor_type__code=HonorType.GRZD, veteran=veteran).exists():
        return f"{veteran.name}已获颁光荣在党50年纪念章"
    return None


# --- the nomination workflow (canghzou_portal.approval) ----------------------------------------
NOMINATIONS = approval.Workflow(
    action="nomination",
    noun="提名",
    title="荣誉提名",
    log=NominationTransition,
    log_link="nomination",
    drafts=Nomination.EDITABLE_STATUSES,
    submitter=access.require_nominator,
    steps=(
        approval.Step(codes.COUNTY, S.SUBMITTED, REVIEW_PERMISSION),
        approval.Step(codes.CITY, S.COUNTY_APPROVED, REVIEW_PERMISSION),
    ),
    approved=S.APPROVED,
    rejected=S.REJECTED,
    returned=S.RETURNED,
    comment_field="last_comment",
    stamps={S.SUBMITTED: "submitted_at", S.APPROVED: "decided_at", S.REJECTED: "decided_at"},
)


def _require_nominator_in_reach(user, nomination: Nomination) -> None:
    access.require_nominator(user)
    approval.require_reach(NOMINATIONS, nomination, user)


def _duplicate_message(honor_type: HonorType, year: int, veteran=None, household=None) -> str | None:
    qs = Nomination.objects.active().filter(honor_type=honor_type, year=year)
    qs = qs.filter(veteran=veteran) if veteran is not None else qs.filter(household=household)
    existing = qs.first()
    if existing is None:
        return None
    who = veteran.name if veteran is not None else f"{household.head_name}户"
    return f"{who}在{year}年已有“{honor_type.name}”提名（状态：{existing.get_status_display()}），不能重复提名"


# --- nominations --------------------------------------------------------------------------
@approval.audit_denials("nomination_create")
@transaction.atomic
def nomination_create(
    *,
    honor_type: HonorType,
    year: int,
    reasons: str,
    user,
    veteran=None,
    household=None,
    station: Station | None = None,
    request=None,
) -> Nomination:
    """Draft a nomination. The nominating station defaults to the user's own station."""
    access.require_nominator(user)
    station = station or user.station
    if not user_can_reach_code(user, station.code):
        raise PermissionDenied("提名服务站不在您的辖区范围内")
    if station.level not in access.NOMINATING_TIERS:
        raise ValidationError({"station": "提名须由村（社区）或乡镇（街道）服务站发起"})
    subject = veteran if veteran is not None else household
    if subject is not None and not codes.in_subtree(subject.station_id, station.code):
        field = "veteran" if veteran is not None else "household"
        raise ValidationError({field: "提名对象不在提名服务站的辖区范围内"})
    nomination = Nomination(
        honor_type=honor_type,
        year=year,
        veteran=veteran,
        household=household,
        station=station,
        reasons=(reasons or "").strip(),
        created_by=user,
    )
    nomination.full_clean(validate_constraints=False)
    if not honor_type.is_active:
        raise ValidationError({"honor_type": f"“{honor_type.name}”已停用，不能提名"})
    if honor_type.subject_kind == HonorType.SubjectKind.SERVING_FAMILY and household is not None:
        if not Merit.objects.filter(serving_member__household=household).exists():
            raise ValidationError(
                {"household": f"{household.head_name}户没有登记立功受奖的现役军人，不能提名立功受奖喜报"}
            )
    current_year = timezone.localdate().year
    if not (current_year - 10 <= year <= current_year + 1):
        raise ValidationError({"year": f"提名年度须在{current_year - 10}年至{current_year + 1}年之间"})
    if honor_type.code == HonorType.GRZD and veteran is not None:
        reason = party50_ineligibility(veteran, year)
        if reason:
            raise ValidationError({"veteran": reason})
    duplicate = _duplicate_message(honor_type, year, veteran=veteran, household=household)
    if duplicate:
        raise ValidationError({"__all__": duplicate})
    try:
        with transaction.atomic():
            nomination.save()
    except IntegrityError as exc:  # a concurrent nomination of the same subject won the race
        raise ValidationError({"__all__": f"该对象在{year}年已有“{honor_type.name}”提名，不能重复提名"}) from exc
    approval.record_start(NOMINATIONS, nomination, user=user)
    audit("nomination_create", request=request, user=user, obj=nomination, honor_type=honor_type.code, year=year)
    return nomination


@approval.audit_denials("nomination_update", obj="nomination")
@transaction.atomic
def nomination_update(*, nomination: Nomination, reasons: str, user, request=None) -> Nomination:
    """The nominator edits a draft or a returned nomination."""
    _require_nominator_in_reach(user, nomination)
    approval.lock(NOMINATIONS, nomination)
    if not NOMINATIONS.is_draft(nomination):
        raise ValidationError(f"状态为“{nomination.get_status_display()}”的提名不能修改")
    nomination.reasons = (reasons or "").strip()
    nomination.full_clean(validate_constraints=False)
    nomination.save(update_fields=["reasons", "updated_at"])
    audit("nomination_update", request=request, user=user, obj=nomination)
    return nomination


def nomination_submit(*, nomination: Nomination, user, comment: str = "", request=None) -> Nomination:
    """Draft or returned → submitted (to the county reviewer)."""

    def has_reasons(n: Nomination) -> None:
        if not n.reasons.strip():
            raise ValidationError({"reasons": "请填写推荐理由后再提交"})

    return approval.submit(NOMINATIONS, nomination, user=user, comment=comment, request=request, check=has_reasons)


def nomination_county_approve(*, nomination: Nomination, user, comment: str = "", request=None) -> Nomination:
    return approval.approve(NOMINATIONS, nomination, user=user, tier=codes.COUNTY, comment=comment, request=request)


def nomination_county_reject(*, nomination: Nomination, user, reason: str, request=None) -> Nomination:
    return approval.reject(NOMINATIONS, nomination, user=user, tier=codes.COUNTY, reason=reason, request=request)


def nomination_city_approve(
    *, nomination: Nomination, user, comment: str = "", awarded_on: datetime.date | None = None, request=None
) -> Award:
    """County-approved → approved; creates the Award with its certificate number (same transaction)."""
    return approval.approve(
        NOMINATIONS,
        nomination,
        user=user,
        tier=codes.CITY,
        comment=comment,
        request=request,
        then=lambda n: _award_create(nomination=n, awarded_on=awarded_on or timezone.localdate()),
    )


def nomination_city_reject(*, nomination: Nomination, user, reason: str, request=None) -> Nomination:
    return approval.reject(NOMINATIONS, nomination, user=user, tier=codes.CITY, reason=reason, request=request)


def nomination_return(*, nomination: Nomination, user, comment: str, request=None) -> Nomination:
    """The reviewer of the current tier returns the nomination to the nominator for correction."""
    return approval.send_back(NOMINATIONS, nomination, user=user, comment=comment, request=request)


def certificate_number(honor_type: HonorType, year: int, serial: int) -> str:
    return f"CZ-{honor_type.code}-{year}-{serial:04d}"


def _next_serial(honor_type: HonorType, year: int) -> int:
    """Race-safe: the counter row is locked until the surrounding transaction ends."""
    AwardCounter.objects.get_or_create(honor_type=honor_type, year=year)
    counter = AwardCounter.objects.select_for_update().get(honor_type=honor_type, year=year)
    counter.last_serial += 1
    counter.save(update_fields=["last_serial"])
    return counter.last_serial


def _award_create(*, nomination: Nomination, awarded_on: datetime.date) -> Award:
    serial = _next_serial(nomination.honor_type, nomination.year)
    award = Award.objects.create(
        nomination=nomination,
        honor_type=nomination.honor_type,
        year=nomination.year,
        serial=serial,
        certificate_number=certificate_number(nomination.honor_type, nomination.year, serial),
        awarded_on=awarded_on,
        veteran=nomination.veteran,
        household=nomination.household,
        recipient_name=nomination.subject_name[:60],
        county_id=codes.county_code(nomination.station_id),
        station_id=nomination.station_id,
    )
    return award


# --- attachments ----------------------------------------------------------------------------
@approval.audit_denials("nomination_attach", obj="nomination")
@transaction.atomic
def nomination_attachment_add(*, nomination: Nomination, upload, user, request=None) -> NominationAttachment:
    _require_nominator_in_reach(user, nomination)
    if not NOMINATIONS.is_draft(nomination):
        raise ValidationError("只有草稿或退回修改的提名可以上传附件")
    try:
        kind = validate_attachment(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    attachment = NominationAttachment(
        nomination=nomination,
        original_name=(upload.name or "附件")[-200:],
        kind=kind,
        size=upload.size,
        uploaded_by=user,
    )
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    audit("nomination_attach", request=request, user=user, obj=nomination, kind=kind, size=upload.size)
    return attachment


# --- 光荣在党50年: drafts for a selection ------------------------------------------------
@transaction.atomic
def party50_nominations_create(*, year: int, veterans, user, request=None) -> tuple[list[Nomination], list[str]]:
    """Create draft nominations for the eligible veterans among ``veterans``.

    Returns (created, skipped reasons). Ineligible or already nominated veterans are skipped
    with a reason; nothing else is written for them.
    """
    honor_type = HonorType.objects.get(code=HonorType.GRZD)
    access.require_nominator(user)
    created: list[Nomination] = []
    skipped: list[str] = []
    for veteran in veterans:
        if not user_can_reach_code(user, veteran.station_id):
            raise PermissionDenied("所选退役军人不在您的辖区范围内")
        station = user.station if codes.in_subtree(veteran.station_id, user.station_id) else veteran.station
        try:
            with transaction.atomic():
                created.append(
                    nomination_create(
                        honor_type=honor_type,
                        year=year,
                        veteran=veteran,
                        station=station,
                        reasons=f"中共党员，{veteran.party_join_date:%Y年%m月}入党，截至{year}年7月1日党龄满50年。",
                        user=user,
                        request=request,
                    )
                )
        except ValidationError as exc:
            skipped.append("；".join(exc.messages))
    return created, skipped


# --- serving members, merits, 喜报 --------------------------------------------------------
@transaction.atomic
def serving_member_create(
    *, name: str, hometown_station: Station, user, household=None, unit: str = "", enlistment_year=None, notes=""
) -> ServingMember:
    access.require_perm(user, "honors.add_servingmember", "您没有登记现役军人的权限")
    if not user_can_reach_code(user, hometown_station.code):
        raise PermissionDenied("家乡服务站不在您的辖区范围内")
    member = ServingMember(
        name=(name or "").strip(),
        hometown_station=hometown_station,
        household=household,
        unit=unit,
        enlistment_year=enlistment_year,
        notes=notes,
        created_by=user,
    )
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def merit_create(*, serving_member: ServingMember, kind: str, year: int, user, description: str = "") -> Merit:
    access.require_perm(user, "honors.add_merit", "您没有登记立功受奖的权限")
    if not user_can_reach_code(user, serving_member.hometown_station_id):
        raise PermissionDenied("该现役军人不在您的辖区范围内")
    merit = Merit(serving_member=serving_member, kind=kind, year=year, description=description)
    merit.full_clean()
    merit.save()
    return merit


@transaction.atomic
def commendation_deliver(
    *, merit: Merit, date: datetime.date, deliverer: str, user, notes: str = "", request=None
) -> CommendationDelivery:
    """Record that the 喜报 for ``merit`` was brought to the family."""
    access.require_perm(user, "honors.add_commendationdelivery", "您没有登记喜报送达的权限")
    merit = Merit.objects.select_for_update().select_related("serving_member").get(pk=merit.pk)
    if not user_can_reach_code(user, merit.serving_member.hometown_station_id):
        raise PermissionDenied("该现役军人不在您的辖区范围内")
    if CommendationDelivery.objects.filter(merit=merit).exists():
        raise ValidationError("该立功受奖的喜报已登记送达，不能重复登记")
    delivery = CommendationDelivery(merit=merit, date=date, deliverer=(deliverer or "").strip(), notes=notes)
    delivery.created_by = user
    delivery.full_clean()  # the date not in the future: CommendationDelivery.clean()
    delivery.save()
    audit("commendation_deliver", request=request, user=user, obj=delivery)
    return delivery
