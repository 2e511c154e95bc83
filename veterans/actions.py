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
from .models import Veteran, VeteranTransfer
from .signals import veteran_transferred

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
