"""Waiting work of the employment app for the dashboards (contract: canghzou_portal/todos.py).

Training, fairs and ventures (issue 22), counted in ONE query:

* ``training_outcomes``: trainees of the user's subtree still 在训 in a programme that has ended
  — their completion (result, certificate) or drop-out is waiting to be recorded;
* ``fair_checkins_today``: fairs of the user's subtree with a door (on site, 直播带岗) running
  today — check-ins to take;
* ``ventures_follow_up``: ventures of the user's subtree, not closed, with nothing recorded
  (support, status change) for ``VENTURE_FOLLOW_UP_DAYS`` days — a follow-up visit (回访) is due.
"""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from canghzou_portal.access import is_station_staff
from canghzou_portal.scoping import scope_queryset
from canghzou_portal.todos import Todo

from .models import (
    Enrolment,
    FairKind,
    JobFair,
    Venture,
    VentureStatus,
    VentureStatusChange,
    VentureSupport,
)

VENTURE_FOLLOW_UP_DAYS = 180


def _training_fairs_ventures(user) -> list[Todo]:
    if not is_station_staff(user):
        return []
    perms = user.get_all_permissions()  # cached on the user for the request
    today = timezone.localdate()
    parts: list[tuple[str, str, str, object]] = []
    if user.is_superuser or "employment.change_enrolment" in perms:
        parts.append(
            (
                "training_outcomes",
                "培训已结束、待登记结业或退训的学员",
                reverse("employment:station_training") + "?todo=outcomes",
                scope_queryset(Enrolment.objects.open().filter(programme__end_date__lt=today), user),
            )
        )
    if user.is_superuser or "employment.change_fairregistration" in perms:
        parts.append(
            (
                "fair_checkins_today",
                "今日举办、需现场签到的招聘会",
                reverse("employment:station_fairs") + "?todo=today",
                scope_queryset(JobFair.objects.running_on(today).exclude(kind=FairKind.ONLINE), user),
            )
        )
    if user.is_superuser or "employment.change_venture" in perms:
        since = today - datetime.timedelta(days=VENTURE_FOLLOW_UP_DAYS)
        parts.append(
            (
                "ventures_follow_up",
                f"超过{VENTURE_FOLLOW_UP_DAYS}天未跟进的创业项目",
                reverse("employment:station_ventures") + "?todo=follow_up",
                stale_ventures(scope_queryset(Venture.objects.all(), user), since),
            )
        )
    if not parts:
        return []
    counts = _count_together([qs for *_rest, qs in parts])
    return [
        Todo(key=k, label=label, count=n, url=url) for (k, label, url, _qs), n in zip(parts, counts, strict=True) if n
    ]


def stale_ventures(qs, since: datetime.date):
    """Ventures not closed whose start and every record are older than ``since``."""
    recent_support = VentureSupport.objects.filter(venture=OuterRef("pk"), date__gte=since)
    recent_status = VentureStatusChange.objects.filter(venture=OuterRef("pk"), date__gte=since)
    return (
        qs.exclude(status=VentureStatus.CLOSED)
        .filter(start_date__lt=since)
        .filter(~Q(Exists(recent_support)) & ~Q(Exists(recent_status)))
    )


def _count_together(querysets) -> list[int]:
    """COUNT of each queryset, all in one SELECT of scalar subqueries."""
    selects, params = [], []
    for qs in querysets:
        if qs.query.is_empty():  # e.g. a user without a station: nothing, and no SQL
            selects.append("0")
            continue
        sql, p = qs.order_by().values("pk").query.sql_with_params()
        selects.append(f"(SELECT COUNT(*) FROM ({sql}) AS q{len(selects)})")  # noqa: S608 - compiled by the ORM
        params.extend(p)
    if all(s == "0" for s in selects):
        return [0] * len(selects)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        return [int(n) for n in cursor.fetchone()]


def todos(user) -> list[Todo]:
    if not getattr(user, "is_authenticated", False):
        return []
    return _training_fairs_ventures(user)
