"""Reads of the service network. Jurisdiction comes from canghzou_portal.scoping."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from canghzou_portal.scoping import scope_queryset

from . import codes
from .models import Station


def station_chain(station: Station) -> list[Station]:
    """The station's ancestors from the city down, then the station itself (one query)."""
    ancestors = {s.code: s for s in Station.objects.filter(code__in=station.ancestor_codes())}
    return [ancestors[c] for c in reversed(station.ancestor_codes()) if c in ancestors] + [station]


def child_prefix_length(station: Station) -> int | None:
    index = codes.LEVELS.index(station.level)
    if index == len(codes.LEVELS) - 1:
        return None
    return codes.PREFIX_LENGTH[codes.LEVELS[index + 1]]


def children_with_counts(station: Station) -> list[dict]:
    """Direct children with the number of stations and of registered veterans in each subtree.

    Three queries whatever the number of children: children, grouped station counts, grouped
    veteran counts (grouped by the child's code prefix).
    """
    from veterans.models import Veteran

    length = child_prefix_length(station)
    if length is None:
        return []
    children = list(Station.objects.filter(parent=station).order_by("code"))
    low, high = station.subtree_bounds()
    station_counts = dict(
        Station.objects.filter(code__gte=low, code__lte=high, is_active=True)
        .exclude(code=station.code)
        .annotate(prefix=Substr("code", 1, length))
        .values_list("prefix")
        .annotate(n=Count("code"))
        .values_list("prefix", "n")
    )
    veteran_counts = dict(
        Veteran.objects.active()
        .filter(station__code__gte=low, station__code__lte=high)
        .annotate(prefix=Substr("station_id", 1, length))
        .values_list("prefix")
        .annotate(n=Count("id"))
        .values_list("prefix", "n")
    )
    rows = []
    for child in children:
        prefix = child.code[:length]
        rows.append(
            {
                "station": child,
                "stations": max(station_counts.get(prefix, 0) - 1, 0),
                "veterans": veteran_counts.get(prefix, 0),
            }
        )
    return rows


def stations_for_user(user) -> QuerySet[Station]:
    return scope_queryset(Station.objects.all(), user)


def public_station_search(*, q: str = "", parent: str | None = None) -> QuerySet[Station]:
    qs = Station.objects.active()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(address__contains=q))
    elif parent:
        qs = qs.filter(parent_id=parent)
    else:
        qs = qs.filter(level=codes.CITY)
    return qs.select_related("parent").order_by("code")
