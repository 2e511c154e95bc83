"""Reads of the honors app, always through the jurisdiction mechanism (deny by default)."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from canghzou_portal import approval
from canghzou_portal.scoping import get_scoped_object_or_404, scope_queryset
from services.models import Station
from veterans.choices import RegistryStatus
from veterans.models import Household, Veteran

from .actions import NOMINATIONS, party50_cutoff
from .models import (
    Award,
    CommendationDelivery,
    HonorType,
    Merit,
    Nomination,
    NominationStatus,
    ServingMember,
)


def honor_types() -> QuerySet[HonorType]:
    return HonorType.objects.filter(is_active=True).order_by("sort_order", "code")


def nomination_list(*, user, status: str = "", honor_type: HonorType | None = None, year: int | None = None):
    qs = scope_queryset(Nomination.objects.all(), user).select_related(
        "honor_type", "veteran", "household", "station", "created_by"
    )
    if status:
        qs = qs.filter(status=status)
    if honor_type is not None:
        qs = qs.filter(honor_type=honor_type)
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "-id")


def nominations_awaiting_review(*, user):
    """Nominations waiting for this reviewer's tier in their subtree (none for other tiers)."""
    return (
        approval.awaiting(NOMINATIONS, Nomination.objects.all(), user)
        .select_related("honor_type", "veteran", "household", "station", "created_by")
        .order_by("submitted_at", "id")
    )


def nomination_detail(*, user, pk: int) -> Nomination:
    return get_scoped_object_or_404(
        Nomination.objects.select_related("honor_type", "veteran", "household", "station", "created_by"),
        user,
        pk=pk,
    )


def award_list(*, user, honor_type: HonorType | None = None, year: int | None = None):
    qs = scope_queryset(Award.objects.all(), user).select_related("honor_type", "station", "county")
    if honor_type is not None:
        qs = qs.filter(honor_type=honor_type)
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "honor_type__sort_order", "serial")


def public_awards(*, honor_type: HonorType | None = None, year: int | None = None):
    """The public honor roll: only the name, the county name, the type and the year leave here."""
    qs = Award.objects.all()
    if honor_type is not None:
        qs = qs.filter(honor_type=honor_type)
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "honor_type__sort_order", "serial").values(
        "year", "honor_type__name", "honor_type__code", "recipient_name", "county__name", "certificate_number"
    )


def public_award_years() -> list[int]:
    return list(Award.objects.order_by("-year").values_list("year", flat=True).distinct())


def subject_veterans(user) -> QuerySet[Veteran]:
    return scope_queryset(Veteran.objects.active(), user).select_related("station").order_by("station_id", "name")


def subject_households(user) -> QuerySet[Household]:
    return scope_queryset(Household.objects.all(), user).select_related("station").order_by("station_id", "head_name")


def party50_eligible(*, user, year: int):
    """Veterans in the user's subtree who qualify for 光荣在党50年纪念章 in ``year`` and hold none.

    Annotated ``already_nominated``: an active nomination of that type exists for the year.
    """
    grzd = HonorType.objects.filter(code=HonorType.GRZD)
    awarded = Award.objects.filter(honor_type__in=grzd, veteran=OuterRef("pk"))
    nominated = Nomination.objects.active().filter(honor_type__in=grzd, veteran=OuterRef("pk"), year=year)
    return (
        scope_queryset(Veteran.objects.all(), user)
        .filter(
            status=RegistryStatus.ACTIVE,
            is_party_member=True,
            party_join_date__isnull=False,
            party_join_date__lte=party50_cutoff(year),
        )
        .exclude(Exists(awarded))
        .annotate(already_nominated=Exists(nominated))
        .select_related("station")
        .order_by("party_join_date", "id")
    )


def serving_member_list(*, user, q: str = ""):
    qs = scope_queryset(ServingMember.objects.all(), user).select_related("hometown_station", "household")
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.annotate(
        merit_count=Count("merits", distinct=True),
        undelivered=Count("merits", filter=Q(merits__delivery__isnull=True), distinct=True),
    ).order_by("hometown_station_id", "name", "id")


def serving_member_detail(*, user, pk: int) -> ServingMember:
    return get_scoped_object_or_404(ServingMember.objects.select_related("hometown_station", "household"), user, pk=pk)


def merit_detail(*, user, pk: int) -> Merit:
    return get_scoped_object_or_404(
        Merit.objects.select_related("serving_member", "serving_member__hometown_station"), user, pk=pk
    )


def delivery_list(*, user, year: int | None = None):
    qs = scope_queryset(CommendationDelivery.objects.all(), user).select_related(
        "merit", "merit__serving_member", "merit__serving_member__hometown_station"
    )
    if year:
        qs = qs.filter(date__year=year)
    return qs.order_by("-date", "-id")


def merits_awaiting_delivery(*, user):
    return (
        scope_queryset(Merit.objects.filter(delivery__isnull=True), user)
        .select_related("serving_member", "serving_member__hometown_station")
        .order_by("serving_member__hometown_station_id", "-year", "id")
    )


def awaiting_delivery_by_station(*, user) -> list[dict]:
    """Undelivered merits per hometown station (one grouped query, plus one for station names)."""
    rows = list(
        scope_queryset(Merit.objects.filter(delivery__isnull=True), user)
        .values("serving_member__hometown_station_id")
        .annotate(n=Count("id"))
        .order_by("serving_member__hometown_station_id")
    )
    names = dict(
        Station.objects.filter(code__in=[r["serving_member__hometown_station_id"] for r in rows]).values_list(
            "code", "name"
        )
    )
    return [
        {
            "code": r["serving_member__hometown_station_id"],
            "name": names.get(r["serving_member__hometown_station_id"], ""),
            "count": r["n"],
        }
        for r in rows
    ]


def veteran_honors(*, user, veteran) -> dict:
    """Awards and nominations of one veteran (and of their household) for the detail panel."""
    awards = scope_queryset(Award.objects.all(), user).select_related("honor_type")
    nominations = scope_queryset(Nomination.objects.all(), user).select_related("honor_type")
    subject = Q(veteran=veteran)
    if veteran.household_id:
        subject |= Q(household_id=veteran.household_id)
    return {
        "awards": list(awards.filter(subject).order_by("-year", "id")),
        "nominations": list(
            nominations.filter(subject).exclude(status=NominationStatus.APPROVED).order_by("-year", "-id")
        ),
    }
