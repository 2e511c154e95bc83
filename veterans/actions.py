"""Writes of the registry: registration, optimistic-locked update, transfer, PII reveal."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from canghzou_portal import codes
from canghzou_portal.access import can_see_full_pii, require_perm
from canghzou_portal.audit import audit
from canghzou_portal.scoping import assert_station_in_scope, check_object_in_scope, user_can_reach_code
from services.models import Station

from . import choices
from .models import CardCounter, HouseholdMember, PreferentialCard, Veteran, VeteranTransfer
from .signals import veteran_transferred
from .validators import card_number, parse_resident_id

STALE_MESSAGE = "该记录已被他人修改，请刷新后重新编辑"
# Fields a registration or an edit may set (station only at registration: moving is a transfer).
EDITABLE_FIELDS = (
    "name",
    "ethnicity",
    "id_number",
    "phone",
    "household_address",
    "current_address",
    "household",
    "service_branch",
    "enlistment_date",
    "discharge_date",
    "last_rank",
    "category",
    "placement",
    "is_party_member",
    "party_join_date",
    "education",
    "skills",
    "disability_grade",
    "care_category",
    "is_hardship",
    "employment_status",
    "employer_name",
    "preferential_card_number",
    "preferential_card_date",
    "status",
    "status_date",
    "registered_on",
)


def _check_household(user, veteran: Veteran) -> None:
    if veteran.household_id is not None and veteran.household is not None:
        check_object_in_scope(user, veteran.household)


# --- where a veteran may be registered, and moved ----------------------------------------------------
def registration_station_error(user, station) -> str | None:
    """Why ``user`` may not register a veteran at ``station`` (None: they may). The one rule, for
    the form, this module and the bulk import: an active station inside the user's subtree."""
    if not station.is_active:
        return f"服务站“{station.name}”已停用，不能登记"
    if not user_can_reach_code(user, station.code):
        return f"服务站“{station.name}”不在您的辖区范围内"
    return None


def transfer_target_error(station, *, current_station_id: str | None = None) -> str | None:
    """Why a veteran may not be moved to ``station`` (None: they may): an active township or
    village station of the city, not the one they are registered at."""
    if not station.is_active:
        return f"迁入服务站“{station.name}”已停用"
    if station.level not in (codes.TOWNSHIP, codes.VILLAGE):
        return "迁入服务站须为乡镇（街道）或村（社区）服务站"
    if station.pk == current_station_id:
        return "迁入服务站与当前登记服务站相同"
    return None


@transaction.atomic
def veteran_register(*, user, data: dict[str, Any]) -> Veteran:
    """信息采集: register a veteran at a station in the user's subtree."""
    require_perm(user, "veterans.add_veteran", "您没有登记退役军人信息的权限")
    unknown = set(data) - set(EDITABLE_FIELDS) - {"station"}
    if unknown:
        raise ValidationError(f"不能设置以下字段：{'、'.join(sorted(unknown))}")
    station = data.get("station")
    if station is None:
        raise ValidationError({"station": "请选择登记服务站"})
    assert_station_in_scope(user, station)
    refused = registration_station_error(user, station)
    if refused:
        raise ValidationError({"station": refused})
    veteran = Veteran(**data, created_by=user)
    if not veteran.registered_on:
        veteran.registered_on = timezone.localdate()
    _check_household(user, veteran)
    veteran.full_clean()
    veteran._history_user = user
    veteran._change_reason = "信息采集登记"
    veteran.save()
    return veteran


@transaction.atomic
def veteran_update(*, user, veteran: Veteran, data: dict[str, Any], version: int) -> Veteran:
    """Edit a record with optimistic locking: refused if someone saved since ``version`` was read.

    The row is locked (``SELECT … FOR UPDATE``), its version compared, then saved with
    ``version + 1``; a stale version raises ValidationError and changes nothing.
    """
    require_perm(user, "veterans.change_veteran", "您没有修改退役军人信息的权限")
    check_object_in_scope(user, veteran)
    if "station" in data and getattr(data["station"], "pk", data["station"]) != veteran.station_id:
        raise ValidationError({"station": "修改信息不能变更登记服务站，请使用“迁移”办理"})
    data = {k: v for k, v in data.items() if k != "station"}
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"不能修改以下字段：{'、'.join(sorted(unknown))}")
    current = Veteran.objects.select_for_update().get(pk=veteran.pk)
    if current.version != int(version):
        raise ValidationError(STALE_MESSAGE, code="stale")
    old_status = current.status
    for name, value in data.items():
        setattr(current, name, value)
    if current.status != old_status and current.status_date is None:
        current.status_date = timezone.localdate()
    _check_household(user, current)
    current.full_clean()
    current.version += 1
    current._history_user = user
    current._change_reason = "修改信息"
    current.save()
    if current.status != old_status and current.status == choices.RegistryStatus.DECEASED:
        holder_deceased(user=user, veteran=current, date=current.status_date)
    return current


@transaction.atomic
def veteran_transfer(
    *,
    user,
    veteran: Veteran,
    to_station: Station,
    date: datetime.date,
    reason: str = "",
    request=None,
) -> VeteranTransfer:
    """迁移: move a veteran of the user's subtree to any active township or village station of the city."""
    require_perm(user, "veterans.transfer_veteran", "您没有办理迁移的权限")
    current = Veteran.objects.select_for_update().select_related("station").get(pk=veteran.pk)
    check_object_in_scope(user, current)  # on the locked row: it may have moved since the page was read
    errors: dict[str, str] = {}
    if current.status == choices.RegistryStatus.DECEASED:
        raise ValidationError("该退役军人已故，不能办理迁移")
    if to_station is None:
        errors["to_station"] = "请选择迁入服务站"
    elif refused := transfer_target_error(to_station, current_station_id=current.station_id):
        errors["to_station"] = refused
    today = timezone.localdate()
    if date is None:
        errors["date"] = "请填写迁移日期"
    elif date > today:
        errors["date"] = "迁移日期不能晚于今天"
    elif current.registered_on and date < current.registered_on:
        errors["date"] = f"迁移日期不能早于登记日期（{current.registered_on:%Y-%m-%d}）"
    if len(reason or "") > 200:
        errors["reason"] = "迁移原因不能超过200字"
    if errors:
        raise ValidationError(errors)
    from_station = current.station
    transfer = VeteranTransfer.objects.create(
        veteran=current,
        from_station=from_station,
        to_station=to_station,
        date=date,
        reason=reason or "",
        created_by=user,
    )
    current.station = to_station
    PreferentialCard.objects.filter(veteran=current).update(station=to_station)  # cards follow their holder
    current.version += 1
    current._history_user = user
    current._change_reason = f"迁移：{from_station.name} → {to_station.name}"
    current.save()
    veteran_transferred.send(sender=Veteran, veteran=current, from_station=from_station, to_station=to_station)
    audit(
        "veteran_transfer",
        request=request,
        user=user,
        obj=current,
        from_station=from_station.code,
        to_station=to_station.code,
        transfer_id=transfer.pk,
    )
    return transfer


def veteran_reveal_pii(*, user, veteran: Veteran, request=None) -> dict[str, str]:
    """The full ID and phone numbers, for a user holding ``veterans.view_full_pii``; audited."""
    if not can_see_full_pii(user):
        raise PermissionDenied("您没有查看完整身份证号和手机号的权限")
    check_object_in_scope(user, veteran)
    audit("pii_reveal", request=request, user=user, obj=veteran, fields=["id_number", "phone"])
    return {"id_number": veteran.id_number, "phone": veteran.phone}


# --- 优待证 ------------------------------------------------------------------------------------
CS = choices.CardStatus
CK = choices.CardKind
MEMBER_KINDS = (CK.FAMILY, CK.SURVIVOR)


def user_level(user) -> str | None:
    """The tier the user acts at: their station's level (a superuser without a station: city)."""
    if user.station_id:
        return codes.level_of(user.station_id)
    return codes.CITY if user.is_superuser else None


def _require_county_reviewer(user, *, perm: str, station_code: str, created_by_id, what: str) -> None:
    require_perm(user, perm, f"您没有审核{what}的权限")
    if user_level(user) != codes.COUNTY:
        raise PermissionDenied(f"{what}须由县级服务中心的审核员审核")
    if not user_can_reach_code(user, station_code):
        raise PermissionDenied(f"该{what}不在您的辖区范围内")
    if created_by_id is not None and created_by_id == user.pk:
        raise PermissionDenied(f"不能审核自己登记的{what}")


def _step_date(value: datetime.date | None, *, label: str, after: datetime.date | None, after_label: str):
    day = value or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError({"date": f"{label}不能晚于今天"})
    if after is not None and day < after:
        raise ValidationError({"date": f"{label}不能早于{after_label}（{after:%Y-%m-%d}）"})
    return day


@transaction.atomic
def household_member_set_id_number(*, user, member: HouseholdMember, id_number: str) -> HouseholdMember:
    """Record a household member's ID number (checked like the registry's; unique among members).

    A member whose number is already recorded keeps it: a different number is refused.
    """
    require_perm(user, "veterans.change_householdmember", "您没有修改家庭成员信息的权限")
    check_object_in_scope(user, member)
    parsed = parse_resident_id(id_number or "")
    if member.id_number:
        if member.id_number != parsed.number:
            raise ValidationError({"id_number": "该家庭成员已登记身份证号，与填写的号码不一致"})
        return member
    clash = HouseholdMember.objects.by_id_number(parsed.number).exclude(pk=member.pk).first()
    if clash is not None:
        raise ValidationError({"id_number": "该身份证号已登记为其他家庭成员"})
    member.id_number = parsed.number
    member.save(update_fields=["id_number", "id_number_hash"])
    return member


def _locked_card(card: PreferentialCard) -> PreferentialCard:
    current = (
        PreferentialCard.objects.select_for_update(of=("self",)).select_related("veteran", "member").get(pk=card.pk)
    )
    return current


def _save_card(card: PreferentialCard, user, reason: str) -> PreferentialCard:
    card.full_clean()
    card._history_user = user
    card._change_reason = reason
    card.save()
    return card


def _require_card_status(card: PreferentialCard, *allowed: str, doing: str) -> None:
    if card.status not in allowed:
        raise ValidationError(f"该优待证当前状态为“{card.get_status_display()}”，不能{doing}")


@transaction.atomic
def card_apply(
    *,
    user,
    kind: str,
    veteran: Veteran | None = None,
    member: HouseholdMember | None = None,
    applied_on: datetime.date | None = None,
    member_id_number: str = "",
    request=None,
) -> PreferentialCard:
    """申领优待证: a veteran (退役军人优待证) or a household member (军属 / 遗属优待证)."""
    require_perm(user, "veterans.add_preferentialcard", "您没有办理优待证申领的权限")
    if kind not in CK.values:
        raise ValidationError({"kind": "请选择优待证种类"})
    if (veteran is None) == (member is None):
        raise ValidationError("请指定一名持证人：退役军人本人或家庭成员")
    if veteran is not None:
        if kind != CK.VETERAN:
            raise ValidationError({"kind": "退役军人本人申领的是退役军人优待证"})
        veteran = Veteran.objects.select_for_update().get(pk=veteran.pk)
        check_object_in_scope(user, veteran)
        if veteran.status != choices.RegistryStatus.ACTIVE:
            raise ValidationError(f"{veteran.name}的在册状态为“{veteran.get_status_display()}”，不能申领优待证")
        station_id = veteran.station_id
    else:
        if kind not in MEMBER_KINDS:
            raise ValidationError({"kind": "家庭成员申领的是军属优待证或遗属优待证"})
        member = HouseholdMember.objects.select_for_update().select_related("household").get(pk=member.pk)
        check_object_in_scope(user, member)
        if member.relation == choices.Relation.SELF:
            raise ValidationError("该成员为退役军人本人，请申领退役军人优待证")
        if member.deceased_on is not None:
            raise ValidationError(f"{member.name}已去世，不能申领优待证")
        if member_id_number or not member.id_number:
            household_member_set_id_number(user=user, member=member, id_number=member_id_number)
        station_id = member.household.station_id
    holder = {"veteran": veteran} if veteran is not None else {"member": member}
    live = PreferentialCard.objects.filter(**holder, kind=kind).exclude(status__in=choices.CARD_FINAL_STATUSES)
    existing = live.first()
    if existing is not None:
        raise ValidationError(
            f"{(veteran or member).name}已有{existing.get_kind_display()}（状态：{existing.get_status_display()}），"
            "不能重复申领；遗失请办理挂失和补发"
        )
    day = _step_date(applied_on, label="申请日期", after=None, after_label="")
    card = PreferentialCard(kind=kind, station_id=station_id, applied_on=day, created_by=user, **holder)
    _save_card(card, user, "申领优待证")
    audit("card_apply", request=request, user=user, obj=card, kind=kind)
    return card


def _next_card_serial(county: str, year: int) -> int:
    """Race-safe: the counter row stays locked until the surrounding transaction ends."""
    CardCounter.objects.get_or_create(county=county, year=year)
    counter = CardCounter.objects.select_for_update().get(county=county, year=year)
    counter.last_serial += 1
    counter.save(update_fields=["last_serial"])
    return counter.last_serial


def _draw_number(card: PreferentialCard, day: datetime.date) -> str:
    county = card.station_id[:6]
    return card_number(choices.CARD_KIND_LETTER[card.kind], county, day.year, _next_card_serial(county, day.year))


def card_review(
    *,
    user,
    card: PreferentialCard,
    approve: bool,
    comment: str = "",
    on: datetime.date | None = None,
    request=None,
) -> PreferentialCard:
    """县级审核: approval draws the card number; a refusal needs a reason. A refused attempt
    (wrong tier, outside the subtree, own application) is audited as denied."""
    try:
        return _card_review(user=user, card=card, approve=approve, comment=comment, on=on, request=request)
    except PermissionDenied as exc:
        audit("approve" if approve else "reject", request=request, user=user, obj=card, result="denied",
              reason=str(exc))  # fmt: skip
        raise


@transaction.atomic
def _card_review(*, user, card, approve, comment, on, request) -> PreferentialCard:
    card = _locked_card(card)
    _require_county_reviewer(
        user,
        perm="veterans.review_preferentialcard",
        station_code=card.station_id,
        created_by_id=card.created_by_id,
        what="优待证申请",
    )
    _require_card_status(card, CS.APPLIED, doing="审核")
    comment = (comment or "").strip()
    if len(comment) > 200:
        raise ValidationError({"comment": "审核意见不能超过200字"})
    if not approve and not comment:
        raise ValidationError({"comment": "审核不通过时请填写原因"})
    day = _step_date(on, label="审核日期", after=card.applied_on, after_label="申请日期")
    card.reviewed_by, card.review_comment = user, comment
    if approve:
        card.status, card.approved_on = CS.APPROVED, day
        card.number = _draw_number(card, day)
    else:
        card.status = CS.REJECTED
    _save_card(card, user, "审核通过" if approve else f"审核未通过：{comment}")
    audit("approve" if approve else "reject", request=request, user=user, obj=card, what="preferential_card")
    return card


def _require_card_clerk(user, card: PreferentialCard) -> None:
    require_perm(user, "veterans.change_preferentialcard", "您没有办理优待证的权限")
    check_object_in_scope(user, card)


@transaction.atomic
def card_mark_made(*, user, card: PreferentialCard, made_on: datetime.date | None = None) -> PreferentialCard:
    card = _locked_card(card)
    _require_card_clerk(user, card)
    _require_card_status(card, CS.APPROVED, doing="登记制证")
    card.made_on = _step_date(made_on, label="制证日期", after=card.approved_on, after_label="审核通过日期")
    card.status = CS.MADE
    return _save_card(card, user, "制证")


@transaction.atomic
def card_issue(*, user, card: PreferentialCard, issued_on: datetime.date | None = None) -> PreferentialCard:
    """发放: the card is in the holder's hands (the counter check now answers 有效)."""
    card = _locked_card(card)
    _require_card_clerk(user, card)
    _require_card_status(card, CS.MADE, doing="发放")
    holder = card.holder
    if (
        card.veteran_id
        and card.veteran.status == choices.RegistryStatus.DECEASED
        or (card.member_id and card.member.deceased_on)
    ):
        raise ValidationError(f"持证人{holder.name}已故，不能发放")
    card.issued_on = _step_date(issued_on, label="发放日期", after=card.made_on, after_label="制证日期")
    card.status = CS.ISSUED
    _save_card(card, user, "发放")
    if card.veteran_id:  # the registry shows the card in the holder's hands
        veteran = Veteran.objects.select_for_update().get(pk=card.veteran_id)
        veteran.preferential_card_number, veteran.preferential_card_date = card.number, card.issued_on
        veteran.version += 1
        veteran._history_user, veteran._change_reason = user, "优待证发放"
        veteran.save()
    return card


@transaction.atomic
def card_report_lost(*, user, card: PreferentialCard, lost_on: datetime.date | None = None) -> PreferentialCard:
    """挂失: from now on the counter check answers 已挂失 for this number."""
    card = _locked_card(card)
    _require_card_clerk(user, card)
    _require_card_status(card, CS.ISSUED, doing="挂失")
    card.lost_on = _step_date(lost_on, label="挂失日期", after=card.issued_on, after_label="发放日期")
    card.status = CS.LOST
    return _save_card(card, user, "挂失")


@transaction.atomic
def card_reissue(*, user, card: PreferentialCard, made_on: datetime.date | None = None) -> PreferentialCard:
    """补发: the lost card ends (reissued) and a new card with a new number is made to replace it."""
    card = _locked_card(card)
    _require_card_clerk(user, card)
    _require_card_status(card, CS.LOST, doing="补发")
    holder = card.holder
    if (
        card.veteran_id
        and card.veteran.status != choices.RegistryStatus.ACTIVE
        or (card.member_id and card.member.deceased_on)
    ):
        raise ValidationError(f"持证人{holder.name}已不在册或已故，不能补发")
    day = _step_date(made_on, label="补发日期", after=card.lost_on, after_label="挂失日期")
    card.status, card.reissued_on = CS.REISSUED, day
    _save_card(card, user, "补发，原证作废")
    new = PreferentialCard(
        kind=card.kind,
        veteran=card.veteran,
        member=card.member,
        station_id=card.station_id,
        status=CS.MADE,
        applied_on=day,
        approved_on=day,
        made_on=day,
        replaces=card,
        created_by=user,
        reviewed_by=card.reviewed_by,
        review_comment="挂失补发",
    )
    new.number = _draw_number(new, day)
    return _save_card(new, user, f"补发（原证 {card.number}）")


@transaction.atomic
def card_revoke(
    *, user, card: PreferentialCard, reason: str, revoked_on: datetime.date | None = None, request=None
) -> PreferentialCard:
    """注销 (e.g. the holder no longer qualifies): the counter check answers 已注销."""
    card = _locked_card(card)
    _require_card_clerk(user, card)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写注销原因"})
    if len(reason) > 200:
        raise ValidationError({"reason": "注销原因不能超过200字"})
    if card.is_final:
        raise ValidationError(f"该优待证当前状态为“{card.get_status_display()}”，不能注销")
    card.revoked_on = _step_date(revoked_on, label="注销日期", after=card.applied_on, after_label="申请日期")
    card.status, card.revoke_reason = CS.REVOKED, reason
    _save_card(card, user, f"注销：{reason}")
    audit("card_revoke", request=request, user=user, obj=card, reason=reason)
    return card


def _revoke_cards_of(*, user, date: datetime.date, reason: str, **holder) -> int:
    revoked = 0
    for card in (
        PreferentialCard.objects.select_for_update().filter(**holder).exclude(status__in=choices.CARD_FINAL_STATUSES)
    ):
        card.status, card.revoke_reason = CS.REVOKED, reason
        card.revoked_on = max(date, card.applied_on)
        _save_card(card, user, f"注销：{reason}")
        revoked += 1
    return revoked


def holder_deceased(*, user, veteran: Veteran | None = None, member: HouseholdMember | None = None, date) -> None:
    """A card holder (or care recipient) died: every card they hold is revoked as of that date.

    Called inside the transaction that records the death (``veteran_update`` or
    ``household_member_record_death``).
    """
    holder = {"veteran": veteran} if veteran is not None else {"member": member}
    _revoke_cards_of(user=user, date=date or timezone.localdate(), reason="持证人已故", **holder)


@transaction.atomic
def household_member_record_death(*, user, member: HouseholdMember, date: datetime.date) -> HouseholdMember:
    """A household member died: recorded on the member; their cards are revoked."""
    require_perm(user, "veterans.change_householdmember", "您没有修改家庭成员信息的权限")
    member = HouseholdMember.objects.select_for_update().select_related("household").get(pk=member.pk)
    check_object_in_scope(user, member)
    if member.deceased_on is not None:
        raise ValidationError(f"{member.name}的去世日期已登记（{member.deceased_on:%Y-%m-%d}）")
    if date is None:
        raise ValidationError({"date": "请填写去世日期"})
    if date > timezone.localdate():
        raise ValidationError({"date": "去世日期不能晚于今天"})
    member.deceased_on = date
    member.save(update_fields=["deceased_on"])
    holder_deceased(user=user, member=member, date=date)
    return member
