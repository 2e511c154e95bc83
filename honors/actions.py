"""Writes of the honors app: the tier-by-tier nomination workflow, awards, merits and deliveries.

Workflow (every step recorded as a NominationTransition and in the audit trail)::

    draft ──submit──▶ submitted ──county approve──▶ county_approved ──city approve──▶ approved (+ Award)
      ▲                  │  │                           │  │
      │                  │  └─county reject─▶ rejected ◀─┘  └─city reject
      └── returned ◀─────┴──── return (county or city reviewer) ──┘   (the nominator edits and resubmits)

Who may act:
* create / edit / submit: a clerk (``honors.add_nomination`` / ``change_nomination``) at a village or
  township station whose subtree contains the nominating station;
* county steps: a reviewer (``honors.review_nomination``) at the COUNTY station whose subtree contains it;
* city steps: a reviewer at the CITY station, only after county approval;
* nobody reviews a nomination they created.
"""

from __future__ import annotations

import datetime
import functools

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from canghzou_portal.scoping import user_can_reach_code
from services import codes
from services.audit import audit
from services.models import AuditEvent, Station
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
NOMINATING_LEVELS = (codes.VILLAGE, codes.TOWNSHIP)
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


# --- access helpers ---------------------------------------------------------------------
def user_level(user) -> str | None:
    """The tier the user acts at: their station's level (a superuser without station: city)."""
    if user.station_id:
        return codes.level_of(user.station_id)
    if user.is_superuser:
        return codes.CITY
    return None


def _require_perm(user, perm: str, message: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(message)


def _require_reach(user, nomination: Nomination) -> None:
    if not user_can_reach_code(user, nomination.station_id):
        raise PermissionDenied("该提名不在您的辖区范围内")


def _require_nominator(user) -> None:
    _require_perm(user, "honors.change_nomination", "您没有办理荣誉提名的权限")
    if user_level(user) not in NOMINATING_LEVELS:
        raise PermissionDenied("只有村（社区）、乡镇（街道）服务站的经办员可以发起和提交提名")


def is_nominator(user) -> bool:
    """Whether ``user`` may create, edit and submit nominations (``_require_nominator``)."""
    try:
        _require_nominator(user)
    except PermissionDenied:
        return False
    return True


def _require_reviewer(user, nomination: Nomination, level: str) -> None:
    _require_perm(user, "honors.review_nomination", "您没有审核荣誉提名的权限")
    if user_level(user) != level:
        tier = "县级" if level == codes.COUNTY else "市级"
        raise PermissionDenied(f"此步骤须由{tier}服务中心的审核员办理，您不能越级或跨级审核")
    _require_reach(user, nomination)
    if nomination.created_by_id == user.pk:
        raise PermissionDenied("不能审核自己创建的提名")


def _locked(nomination: Nomination) -> Nomination:
    """Lock the row and re-read the caller's instance, so two reviewers cannot act at once."""
    list(Nomination.objects.select_for_update().filter(pk=nomination.pk).values_list("pk", flat=True))
    nomination.refresh_from_db(fields=["status", "reasons", "last_comment", "submitted_at", "decided_at"])
    return nomination


def _transition(nomination: Nomination, *, to: str, user, comment: str = "") -> NominationTransition:
    step = NominationTransition.objects.create(
        nomination=nomination,
        from_status=nomination.status,
        to_status=to,
        user=user if user.is_authenticated else None,
        station_id=user.station_id,
        comment=comment,
    )
    nomination.status = to
    if comment:
        nomination.last_comment = comment
    return step


def _audited(action: str):
    """Write a 'denied' audit event when the action is refused (outside the rolled-back transaction)."""

    def wrap(func):
        @functools.wraps(func)
        def inner(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except PermissionDenied as exc:
                nomination = kwargs.get("nomination")
                audit(
                    action,
                    request=kwargs.get("request"),
                    user=kwargs.get("user"),
                    obj=nomination if isinstance(nomination, Nomination) and nomination.pk else None,
                    result=AuditEvent.Result.DENIED,
                    reason=str(exc),
                )
                raise

        return inner

    return wrap


def _duplicate_message(honor_type: HonorType, year: int, veteran=None, household=None) -> str | None:
    qs = Nomination.objects.active().filter(honor_type=honor_type, year=year)
    qs = qs.filter(veteran=veteran) if veteran is not None else qs.filter(household=household)
    existing = qs.first()
    if existing is None:
        return None
    who = veteran.name if veteran is not None else f"{household.head_name}户"
    return f"{who}在{year}年已有“{honor_type.name}”提名（状态：{existing.get_status_display()}），不能重复提名"


# --- nominations --------------------------------------------------------------------------
@_audited("nomination_create")
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
    _require_perm(user, "honors.add_nomination", "您没有发起荣誉提名的权限")
    _require_nominator(user)
    station = station or user.station
    if not user_can_reach_code(user, station.code):
        raise PermissionDenied("提名服务站不在您的辖区范围内")
    if station.level not in NOMINATING_LEVELS:
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
    NominationTransition.objects.create(
        nomination=nomination, from_status="", to_status=S.DRAFT, user=user, station_id=user.station_id
    )
    audit("nomination_create", request=request, user=user, obj=nomination, honor_type=honor_type.code, year=year)
    return nomination


@_audited("nomination_update")
@transaction.atomic
def nomination_update(*, nomination: Nomination, reasons: str, user, request=None) -> Nomination:
    """The nominator edits a draft or a returned nomination."""
    _require_nominator(user)
    _require_reach(user, nomination)
    nomination = _locked(nomination)
    if not nomination.is_editable:
        raise ValidationError(f"状态为“{nomination.get_status_display()}”的提名不能修改")
    nomination.reasons = (reasons or "").strip()
    nomination.full_clean(validate_constraints=False)
    nomination.save(update_fields=["reasons", "updated_at"])
    audit("nomination_update", request=request, user=user, obj=nomination)
    return nomination


@_audited("nomination_submit")
@transaction.atomic
def nomination_submit(*, nomination: Nomination, user, comment: str = "", request=None) -> Nomination:
    """Draft or returned → submitted (to the county reviewer)."""
    _require_nominator(user)
    _require_reach(user, nomination)
    nomination = _locked(nomination)
    if not nomination.is_editable:
        raise ValidationError(f"状态为“{nomination.get_status_display()}”的提名不能提交")
    if not nomination.reasons.strip():
        raise ValidationError({"reasons": "请填写推荐理由后再提交"})
    _transition(nomination, to=S.SUBMITTED, user=user, comment=comment.strip())
    nomination.submitted_at = timezone.now()
    nomination.save(update_fields=["status", "last_comment", "submitted_at", "updated_at"])
    audit("nomination_submit", request=request, user=user, obj=nomination)
    return nomination


def _review(
    nomination: Nomination, *, user, level: str, expected: str, to: str, comment: str, action: str, request
) -> Nomination:
    _require_reviewer(user, nomination, level)
    nomination = _locked(nomination)
    if nomination.status != expected:
        if level == codes.CITY and nomination.status == S.SUBMITTED:
            raise ValidationError("该提名尚未通过县级审核，市级不能越级审批")
        raise ValidationError(f"该提名当前状态为“{nomination.get_status_display()}”，不能执行此操作")
    _transition(nomination, to=to, user=user, comment=comment)
    fields = ["status", "last_comment", "updated_at"]
    if to in (S.APPROVED, S.REJECTED):
        nomination.decided_at = timezone.now()
        fields.append("decided_at")
    nomination.save(update_fields=fields)
    audit(
        action,
        request=request,
        user=user,
        obj=nomination,
        tier=level,
        from_status=expected,
        to_status=to,
        comment=comment[:200],
    )
    return nomination


def _required_comment(comment: str, what: str) -> str:
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": f"请填写{what}"})
    return comment


@_audited("nomination_approve")
@transaction.atomic
def nomination_county_approve(*, nomination: Nomination, user, comment: str = "", request=None) -> Nomination:
    return _review(
        nomination,
        user=user,
        level=codes.COUNTY,
        expected=S.SUBMITTED,
        to=S.COUNTY_APPROVED,
        comment=(comment or "").strip(),
        action="nomination_approve",
        request=request,
    )


@_audited("nomination_reject")
@transaction.atomic
def nomination_county_reject(*, nomination: Nomination, user, reason: str, request=None) -> Nomination:
    reason = _required_comment(reason, "不予通过的理由")
    return _review(
        nomination,
        user=user,
        level=codes.COUNTY,
        expected=S.SUBMITTED,
        to=S.REJECTED,
        comment=reason,
        action="nomination_reject",
        request=request,
    )


@_audited("nomination_approve")
@transaction.atomic
def nomination_city_approve(
    *, nomination: Nomination, user, comment: str = "", awarded_on: datetime.date | None = None, request=None
) -> Award:
    """County-approved → approved; creates the Award with its certificate number."""
    nomination = _review(
        nomination,
        user=user,
        level=codes.CITY,
        expected=S.COUNTY_APPROVED,
        to=S.APPROVED,
        comment=(comment or "").strip(),
        action="nomination_approve",
        request=request,
    )
    return _award_create(nomination=nomination, awarded_on=awarded_on or timezone.localdate())


@_audited("nomination_reject")
@transaction.atomic
def nomination_city_reject(*, nomination: Nomination, user, reason: str, request=None) -> Nomination:
    reason = _required_comment(reason, "不予通过的理由")
    return _review(
        nomination,
        user=user,
        level=codes.CITY,
        expected=S.COUNTY_APPROVED,
        to=S.REJECTED,
        comment=reason,
        action="nomination_reject",
        request=request,
    )


@_audited("nomination_return")
@transaction.atomic
def nomination_return(*, nomination: Nomination, user, comment: str, request=None) -> Nomination:
    """The reviewer of the current tier returns the nomination to the nominator for correction."""
    comment = _required_comment(comment, "退回修改的意见")
    level = user_level(user)
    if level not in (codes.COUNTY, codes.CITY):
        raise PermissionDenied("只有县级或市级服务中心的审核员可以退回提名")
    expected = S.SUBMITTED if level == codes.COUNTY else S.COUNTY_APPROVED
    return _review(
        nomination,
        user=user,
        level=level,
        expected=expected,
        to=S.RETURNED,
        comment=comment,
        action="nomination_return",
        request=request,
    )


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
@_audited("nomination_attach")
@transaction.atomic
def nomination_attachment_add(*, nomination: Nomination, upload, user, request=None) -> NominationAttachment:
    _require_nominator(user)
    _require_reach(user, nomination)
    if not nomination.is_editable:
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
    _require_nominator(user)
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
    _require_perm(user, "honors.add_servingmember", "您没有登记现役军人的权限")
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
    _require_perm(user, "honors.add_merit", "您没有登记立功受奖的权限")
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
    _require_perm(user, "honors.add_commendationdelivery", "您没有登记喜报送达的权限")
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
