"""Monthly metrics of the registry (see docs/statistics.md for the definitions).

One grouped query per month, whatever the number of stations or veterans.

Approximation: the registry keeps each veteran's *current* station and *current* employment
status (history lives in simple-history, which is far too large to replay every month). A past
month is therefore counted at the station where the veteran is registered now, with the
employment status they have now. The registry status is reconstructed from ``status`` and
``status_date``: a veteran who moved out or died after the month's end still counts as 在册
at that month's end.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q

from .choices import EMPLOYED_STATUSES, NOT_IN_LABOUR_FORCE, RegistryStatus
from .models import Veteran

# Working age (劳动年龄): 16 full years up to, but not including, 60 — the National Bureau of
# Statistics' 劳动年龄人口 band "16–59周岁", measured at the month's last day.
WORKING_AGE_MIN = 16
WORKING_AGE_LIMIT = 60

METRIC_KEYS = ("veterans_total", "veterans_new", "veterans_employable", "veterans_employed")


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def registered_at(month_end: date) -> Q:
    """在册 at the end of the day ``month_end``: registered by then and not yet moved out/deceased."""
    return Q(registered_on__lte=month_end) & (
        Q(status=RegistryStatus.ACTIVE) | Q(status_date__isnull=False, status_date__gt=month_end)
    )


def employable_at(month_end: date) -> Q:
    """在册, of working age at ``month_end``, and not outside the labour force."""
    oldest_birth = years_before(month_end, WORKING_AGE_LIMIT)  # born after this: younger than 60
    youngest_birth = years_before(month_end, WORKING_AGE_MIN)  # born on/before this: 16 or older
    return (
        registered_at(month_end)
        & Q(birth_date__gt=oldest_birth, birth_date__lte=youngest_birth)
        & ~Q(employment_status__in=NOT_IN_LABOUR_FORCE)
    )


def monthly_metrics(
    *, month_start: date, month_end: date, subtree: tuple[str, str] | None = None
) -> dict[str, dict[str, int]]:
    """{station_code: {metric: value}} for the month; ``subtree`` (low, high) limits the stations."""
    qs = Veteran.objects.filter(registered_on__lte=month_end)
    if subtree is not None:
        qs = qs.filter(station_id__gte=subtree[0], station_id__lte=subtree[1])
    employable = employable_at(month_end)
    rows = (
        qs.order_by()
        .values("station_id")
        .annotate(
            veterans_total=Count("id", filter=registered_at(month_end)),
            veterans_new=Count("id", filter=Q(registered_on__gte=month_start)),
            veterans_employable=Count("id", filter=employable),
            veterans_employed=Count("id", filter=employable & Q(employment_status__in=EMPLOYED_STATUSES)),
        )
    )
    return {row.pop("station_id"): row for row in rows}
