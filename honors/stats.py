"""Monthly metrics of the honors app (see docs/statistics-contract.md).

* ``commendations_delivered``: 喜报 deliveries dated in the month, attached to the serving
  member's hometown station;
* ``honors_awarded``: awards whose ``awarded_on`` falls in the month, attached to the award's
  (nominating) station.

Two grouped queries, whatever the number of stations.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Count

from .models import Award, CommendationDelivery


def monthly_metrics(*, month_start: date, month_end: date) -> dict[str, dict[str, int]]:
    result: dict[str, dict[str, int]] = defaultdict(dict)
    deliveries = (
        CommendationDelivery.objects.filter(date__gte=month_start, date__lte=month_end)
        .values("merit__serving_member__hometown_station_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in deliveries:
        result[row["merit__serving_member__hometown_station_id"]]["commendations_delivered"] = row["n"]
    awards = (
        Award.objects.filter(awarded_on__gte=month_start, awarded_on__lte=month_end)
        .values("station_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in awards:
        result[row["station_id"]]["honors_awarded"] = row["n"]
    return dict(result)
