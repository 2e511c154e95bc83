"""Reads of the service network. Jurisdiction comes from canghzou_portal.scoping."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from canghzou_portal import codes
from canghzou_portal.access import user_tier
from canghzou_portal.scoping import covers_whole_city, scope_queryset, user_scope

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
    station_counts = dict(
        Station.objects.in_subtree(station.code)
        .filter(is_active=True)
        .exclude(code=station.code)
        .annotate(prefix=Substr("code", 1, length))
        .values_list("prefix")
        .annotate(n=Count("code"))
        .values_list("prefix", "n")
    )
    veteran_counts = dict(
        Veteran.objects.active()
        .in_subtree(station.code)
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


# --- station services: records, public-welfare posts, evaluations (issue 5) -------------
SERVICE_PAGE_SIZE = 30


def _month_bounds(month: str):
    """'YYYY-MM' → (first day, first day of next month). The caller validates the format."""
    import datetime

    year, mon = (int(part) for part in month.split("-"))
    first = datetime.date(year, mon, 1)
    following = datetime.date(year + (mon == 12), mon % 12 + 1, 1)
    return first, following


def service_records_for_user(
    user,
    *,
    kind: str | None = None,
    month: str | None = None,
    station_code: str | None = None,
    status: str | None = None,
    veteran_id: int | None = None,
) -> QuerySet:
    """The service records of the user's subtree, filtered, newest first."""
    from .models import ServiceRecord

    qs = scope_queryset(ServiceRecord.objects.all(), user)
    if kind:
        qs = qs.filter(kind=kind)
    if month:
        first, following = _month_bounds(month)
        qs = qs.filter(date__gte=first, date__lt=following)
    if station_code:
        qs = qs.in_subtree(station_code)
    if status:
        qs = qs.filter(status=status)
    if veteran_id:
        qs = qs.filter(veteran_id=veteran_id)
    return qs.select_related("veteran", "station", "handled_by").order_by("-date", "-id")


def veteran_service_records(veteran, user, *, limit: int = 10) -> list:
    """A veteran's service records the user may see, newest first (for the veteran's page)."""
    from .models import ServiceRecord

    qs = scope_queryset(ServiceRecord.objects.filter(veteran=veteran), user)
    return list(qs.select_related("station", "handled_by").order_by("-date", "-id")[:limit])


def filter_station_choices(user) -> QuerySet[Station]:
    """Stations offered in list filters: the user's station and two levels below it."""
    scoped = scope_queryset(Station.objects.all(), user)
    home_level = codes.level_of(user.station_id) if user.station_id else codes.CITY
    index = codes.LEVELS.index(home_level)
    return scoped.filter(level__in=codes.LEVELS[index : index + 3]).order_by("code")


def record_station_choices(user, veteran) -> QuerySet[Station]:
    """Where a record about ``veteran`` may be logged: the veteran's station or an ancestor, in scope."""
    chain = [veteran.station_id, *codes.ancestor_codes(veteran.station_id)]
    return scope_queryset(Station.objects.filter(code__in=chain), user).order_by("-code")


def veteran_search(user, q: str, *, limit: int = 20) -> list:
    """Veterans of the user's subtree by name, pinyin initials or full ID number (18 characters)."""
    from veterans.models import Veteran

    q = (q or "").strip()
    if not q:
        return []
    qs = scope_queryset(Veteran.objects.all(), user)
    if len(q) == 18 and q[:17].isdigit():
        qs = qs.by_id_number(q)
    elif q.isascii() and q.isalpha():
        qs = qs.filter(name_initials__startswith=q.lower())
    else:
        qs = qs.filter(name__startswith=q) if len(q) == 1 else qs.filter(name__contains=q)
    return list(qs.select_related("station").order_by("name", "id")[:limit])


def welfare_posts_for_user(
    user, *, active: bool | None = None, station_code: str | None = None, q: str = ""
) -> QuerySet:
    from .models import PublicWelfarePost

    qs = scope_queryset(PublicWelfarePost.objects.all(), user)
    if active is True:
        qs = qs.filter(end_date__isnull=True)
    elif active is False:
        qs = qs.filter(end_date__isnull=False)
    if station_code:
        qs = qs.in_subtree(station_code)
    if q:
        qs = qs.filter(Q(post_name__contains=q) | Q(veteran__name__contains=q))
    return qs.select_related("veteran", "station").order_by("-start_date", "-id")


def active_welfare_post(veteran_id: int):
    from .models import PublicWelfarePost

    return (
        PublicWelfarePost.objects.filter(veteran_id=veteran_id, end_date__isnull=True).select_related("station").first()
    )


def evaluations_for_user(user, *, year: int | None = None, level: str | None = None) -> QuerySet:
    from .models import StationEvaluation

    qs = scope_queryset(StationEvaluation.objects.all(), user)
    if year:
        qs = qs.filter(year=year)
    if level:
        qs = qs.filter(station__level=level)
    return qs.select_related("station", "evaluator").order_by("-year", "station_id")


def evaluable_levels(user) -> tuple[str, ...]:
    """Levels the user's tier rates: the city rates counties; a county its townships and villages."""
    return {codes.CITY: (codes.COUNTY,), codes.COUNTY: (codes.TOWNSHIP, codes.VILLAGE)}.get(user_tier(user), ())


def evaluable_stations(user) -> QuerySet[Station]:
    levels = evaluable_levels(user)
    if not levels:
        return Station.objects.none()
    return scope_queryset(Station.objects.active().filter(level__in=levels), user).order_by("code")


def evaluation_clash_message(station: Station, year: int, *, exclude_pk=None) -> str | None:
    """The Chinese message when ``station`` already has an evaluation for ``year`` (one per year)."""
    from .models import StationEvaluation

    if StationEvaluation.objects.filter(station=station, year=year).exclude(pk=exclude_pk).exists():
        return f"{station.name}{year}年度已有星级评定，请修改原评定，不要重复录入"
    return None


def latest_city_statistic():
    """The city's row of the last computed month (headline figures on the home page), or None."""
    from .models import MonthlyStatistic

    return (
        MonthlyStatistic.objects.filter(station__level=codes.CITY).select_related("station").order_by("-month").first()
    )


def audit_events_for(user) -> QuerySet:
    """The audit events this user may read: every event for the city level, else the events of
    staff in their subtree (the auditor's page and the admin both read through this)."""
    from .models import AuditEvent

    qs = AuditEvent.objects.all()
    if covers_whole_city(user):
        return qs
    scope = user_scope(user)
    if scope is None:
        return qs.none()
    low, high = scope
    return qs.filter(station_code__gte=low, station_code__lte=high)
