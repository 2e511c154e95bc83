"""Monthly metrics of the employment app (docs/statistics-contract.md).

Definitions (month = calendar month in Asia/Shanghai, bounds inclusive):

* ``placements``: placements whose start date falls in the month, at the veteran's station;
* ``ventures_new``: veterans who founded a venture started in the month — people, as the bureau
  counts them (「创业71人」): every founder from the registry (``VentureFounder``), once per
  station even with two ventures in the month, at the founder's station;
* ``training_school_enterprise`` / ``training_enterprise``: trainees of 校企合一 /
  企训合一 programmes who *completed* (结业, whatever the result) in the month — from the
  enrolment records, at the veteran's station;
* ``jobs_published``: postings first published in the month, at the posting's county
  (whatever their status now);
* ``applications``: applications received in the month, at the veteran's station when the
  applicant matched the registry, otherwise at the stated county.

Six grouped queries per month, whatever the number of stations or rows. Like the registry's
metrics, rows reached through a veteran count at the veteran's *current* station.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Count, F
from django.db.models.functions import Coalesce

from .models import Application, Enrolment, JobPosting, Placement, TrainingKind, VentureFounder

METRIC_KEYS = (
    "placements",
    "ventures_new",
    "training_school_enterprise",
    "training_enterprise",
    "jobs_published",
    "applications",
)


def monthly_metrics(*, month_start: date, month_end: date) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = defaultdict(dict)

    def add(key: str, rows) -> None:
        for code, n in rows:
            if code and n:
                out[code][key] = out[code].get(key, 0) + n

    bounds = (month_start, month_end)
    add(
        "placements",
        Placement.objects.filter(start_date__range=bounds)
        .values_list("veteran__station_id")
        .annotate(n=Count("id"))
        .order_by(),
    )
    add(
        "ventures_new",
        VentureFounder.objects.filter(venture__start_date__range=bounds)
        .values_list("veteran__station_id")
        .annotate(n=Count("veteran_id", distinct=True))
        .order_by(),
    )
    for key, kind in (
        ("training_school_enterprise", TrainingKind.SCHOOL_ENTERPRISE),
        ("training_enterprise", TrainingKind.ENTERPRISE_TRAINING),
    ):
        add(
            key,
            Enrolment.objects.filter(completed=True, completed_on__range=bounds, programme__kind=kind)
            .values_list("veteran__station_id")
            .annotate(n=Count("id"))
            .order_by(),
        )
    add(
        "jobs_published",
        JobPosting.objects.filter(published_at__date__range=bounds)
        .values_list("county_id")
        .annotate(n=Count("id"))
        .order_by(),
    )
    add(
        "applications",
        Application.objects.filter(created_at__date__range=bounds)
        .annotate(code=Coalesce(F("veteran__station_id"), F("stated_county_id")))
        .values_list("code")
        .annotate(n=Count("id"))
        .order_by(),
    )
    return dict(out)
