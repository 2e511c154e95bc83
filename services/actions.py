"""Writes of the station services: service records, public-welfare posts, station evaluations.

Every function takes the acting ``user``, checks permission and jurisdiction, validates with
``full_clean()`` and raises ``ValidationError`` / ``PermissionDenied``; nothing is saved partially.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from canghzou_portal import codes
from canghzou_portal.access import require_perm
from canghzou_portal.audit import audit
from canghzou_portal.scoping import assert_station_in_scope, user_can_reach_code

from . import selectors
from .models import PublicWelfarePost, ServiceRecord, Station, StationEvaluation


def _assert_veteran_in_scope(user, veteran) -> None:
    if not user_can_reach_code(user, veteran.station_id):
        raise PermissionDenied("该退役军人不在您的辖区范围内")


def assert_record_station(veteran, station) -> None:
    """A service record or welfare post is held by the veteran's own station or one above it
    (the tiers the veteran is served by); anything else would count it for another station."""
    station_code = getattr(station, "pk", station)
    if station_code not in (veteran.station_id, *codes.ancestor_codes(veteran.station_id)):
        raise ValidationError({"station": "服务站须为该退役军人所在的服务站或其上级服务站"})


# --- service records ----------------------------------------------------------------------
RECORD_EDITABLE_FIELDS = ("station", "kind", "date", "summary", "outcome", "aid_amount")


@transaction.atomic
def service_record_create(
    *,
    request=None,
    user,
    veteran,
    kind: str,
    date: datetime.date,
    summary: str,
    outcome: str = "",
    aid_amount: Decimal | None = None,
    station: Station | None = None,
) -> ServiceRecord:
    """Log a service (来访接待、政策咨询、帮扶援助…) for a veteran of the user's subtree."""
    require_perm(user, "services.add_servicerecord", "您没有登记服务记录的权限")
    _assert_veteran_in_scope(user, veteran)
    station = station or veteran.station
    assert_station_in_scope(user, station)
    assert_record_station(veteran, station)
    record = ServiceRecord(
        veteran=veteran,
        station=station,
        kind=kind,
        date=date,
        summary=(summary or "").strip(),
        outcome=(outcome or "").strip(),
        aid_amount=aid_amount,
        status=ServiceRecord.Status.OPEN,
        handled_by=user,
    )
    record.full_clean()
    record.save()
    audit("service_record_create", request=request, user=user, obj=record, kind=kind, station=station.pk)
    return record


@transaction.atomic
def service_record_update(*, request=None, user, record: ServiceRecord, **fields) -> ServiceRecord:
    """Change an open record. Closed records are read-only."""
    require_perm(user, "services.change_servicerecord", "您没有修改服务记录的权限")
    record = ServiceRecord.objects.select_for_update().get(pk=record.pk)
    assert_station_in_scope(user, record.station_id)
    if record.is_closed:
        raise ValidationError("该服务记录已办结，不能再修改")
    unknown = set(fields) - set(RECORD_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"不可修改的字段：{', '.join(sorted(unknown))}")
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(record, name, value)
    assert_station_in_scope(user, record.station_id)
    if "station" in fields:
        assert_record_station(record.veteran, record.station_id)
    record.full_clean()
    record.save()
    audit("service_record_update", request=request, user=user, obj=record, fields=sorted(fields))
    return record


@transaction.atomic
def service_record_close(*, request=None, user, record: ServiceRecord, outcome: str | None = None) -> ServiceRecord:
    """办结: close a case. A 权益维护 case needs an outcome; closing sets ``closed_at``."""
    require_perm(user, "services.change_servicerecord", "您没有办结服务记录的权限")
    record = ServiceRecord.objects.select_for_update().get(pk=record.pk)
    assert_station_in_scope(user, record.station_id)
    if record.is_closed:
        raise ValidationError("该服务记录已办结，不能重复办结")
    if outcome is not None and outcome.strip():
        record.outcome = outcome.strip()
    record.status = ServiceRecord.Status.CLOSED
    record.closed_at = timezone.now()
    record.full_clean()
    record.save()
    audit("service_record_close", request=request, user=user, obj=record)
    return record


# --- public-welfare posts (公益性岗位) ------------------------------------------------------
def _active_post_error(veteran) -> ValidationError | None:
    current = selectors.active_welfare_post(veteran.pk)
    if current is None:
        return None
    return ValidationError(
        {
            "veteran": f"{veteran.name}已在“{current.post_name}”岗位在岗（{current.start_date:%Y-%m-%d}起），"
            "一人只能同时在一个公益性岗位，请先办理离岗"
        }
    )


@transaction.atomic
def welfare_post_create(
    *,
    request=None,
    user,
    veteran,
    post_name: str,
    start_date: datetime.date,
    monthly_subsidy: Decimal,
    station: Station | None = None,
) -> PublicWelfarePost:
    require_perm(user, "services.add_publicwelfarepost", "您没有登记公益性岗位的权限")
    _assert_veteran_in_scope(user, veteran)
    station = station or veteran.station
    assert_station_in_scope(user, station)
    assert_record_station(veteran, station)
    error = _active_post_error(veteran)
    if error is not None:
        raise error
    post = PublicWelfarePost(
        post_name=(post_name or "").strip(),
        station=station,
        veteran=veteran,
        start_date=start_date,
        monthly_subsidy=monthly_subsidy,
    )
    post.full_clean()
    try:
        with transaction.atomic():
            post.save()
    except IntegrityError as exc:  # a concurrent request won the race
        raise _active_post_error(veteran) or ValidationError("保存失败，请重试") from exc
    audit("welfare_post_create", request=request, user=user, obj=post, station=station.pk)
    return post


POST_EDITABLE_FIELDS = ("post_name", "station", "start_date", "monthly_subsidy")


@transaction.atomic
def welfare_post_update(*, request=None, user, post: PublicWelfarePost, **fields) -> PublicWelfarePost:
    """Correct a post's name, station, start date or subsidy (离岗 is ``welfare_post_end``)."""
    require_perm(user, "services.change_publicwelfarepost", "您没有修改公益性岗位的权限")
    post = PublicWelfarePost.objects.select_for_update().select_related("veteran").get(pk=post.pk)
    assert_station_in_scope(user, post.station_id)
    unknown = set(fields) - set(POST_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"不可修改的字段：{', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(post, name, value.strip() if isinstance(value, str) else value)
    assert_station_in_scope(user, post.station_id)
    if "station" in fields:
        assert_record_station(post.veteran, post.station_id)
    post.full_clean()
    post.save()
    audit("welfare_post_update", request=request, user=user, obj=post, fields=sorted(fields))
    return post


@transaction.atomic
def welfare_post_end(*, request=None, user, post: PublicWelfarePost, end_date: datetime.date) -> PublicWelfarePost:
    """离岗: set the end date (not before the start date, not in the future)."""
    require_perm(user, "services.change_publicwelfarepost", "您没有办理离岗的权限")
    post = PublicWelfarePost.objects.select_for_update().get(pk=post.pk)
    assert_station_in_scope(user, post.station_id)
    if post.end_date is not None:
        raise ValidationError("该岗位已办理离岗")
    if end_date is None:
        raise ValidationError({"end_date": "请填写离岗日期"})
    post.end_date = end_date  # not in the future, not before the start: PublicWelfarePost.clean()
    post.full_clean()
    post.save()
    audit("welfare_post_end", request=request, user=user, obj=post)
    return post


# --- station evaluations (星级评定) -----------------------------------------------------------
EVALUATION_FIELDS = (
    "has_organization",
    "has_staffing",
    "has_personnel",
    "has_funding",
    "has_support",
    "score",
    "stars",
    "notes",
)


def assert_can_evaluate(user, station: Station) -> None:
    """The city rates counties; a county rates its townships and villages; nobody rates itself."""
    perm = "services.change_stationevaluation"
    if not (user.has_perm("services.add_stationevaluation") or user.has_perm(perm)):
        raise PermissionDenied("您没有星级评定的权限")
    levels = selectors.evaluable_levels(user)
    if not levels:
        raise PermissionDenied("只有市级和县级可以开展星级评定")
    if station.pk == user.station_id or station.level not in levels:
        raise PermissionDenied("市级评定县级服务中心，县级评定本县的乡镇和村服务站")
    assert_station_in_scope(user, station)


@transaction.atomic
def station_evaluation_save(
    *,
    request=None,
    user,
    station: Station,
    year: int,
    evaluation: StationEvaluation | None = None,
    **fields,
) -> StationEvaluation:
    """Create or change a yearly evaluation; the latest year's evaluation sets the station's rating."""
    assert_can_evaluate(user, station)
    unknown = set(fields) - set(EVALUATION_FIELDS)
    if unknown:
        raise ValueError(f"不可修改的字段：{', '.join(sorted(unknown))}")
    if evaluation is None:
        require_perm(user, "services.add_stationevaluation", "您没有新增星级评定的权限")
        evaluation = StationEvaluation(station=station, year=year)
    else:
        require_perm(user, "services.change_stationevaluation", "您没有修改星级评定的权限")
        evaluation = StationEvaluation.objects.select_for_update().get(pk=evaluation.pk)
        assert_can_evaluate(user, evaluation.station)
        evaluation.station = station
        evaluation.year = year
    clash = selectors.evaluation_clash_message(station, year, exclude_pk=evaluation.pk)
    if clash:
        raise ValidationError({"year": clash})
    for name, value in fields.items():
        setattr(evaluation, name, value)
    evaluation.evaluator = user
    evaluation.full_clean()
    evaluation.save()
    latest = StationEvaluation.objects.filter(station=station).order_by("-year").values_list("pk", "stars").first()
    if latest is not None and latest[0] == evaluation.pk:
        Station.objects.filter(pk=station.pk).update(star_rating=evaluation.stars)
        station.star_rating = evaluation.stars
    audit("station_evaluation_save", request=request, user=user, obj=evaluation, year=year, stars=evaluation.stars)
    return evaluation
