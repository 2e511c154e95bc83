from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from canghzou_portal import codes
from canghzou_portal.access import station_staff_required
from canghzou_portal.scoping import get_scoped_object_or_404, user_can_reach_code

from . import selectors
from .models import Station


@station_staff_required()
@require_GET
def dashboard(request):
    return _station_page(request, request.station, "services/dashboard.html")


@station_staff_required()
@require_GET
def station_detail(request, code: str):
    station = get_scoped_object_or_404(Station, request.user, code=code)
    return _station_page(request, station, "services/dashboard.html")


def _station_page(request, station: Station, template: str):
    chain = selectors.station_chain(station)
    for link in chain:  # ancestors above the user's own station are shown but not linked
        link.reachable = user_can_reach_code(request.user, link.code)
    return render(
        request,
        template,
        {
            "station": station,
            "chain": chain,
            "children": selectors.children_with_counts(station),
            "is_home_station": station.code == request.user.station_id,
        },
    )


@require_GET
def station_finder(request):
    q = request.GET.get("q", "").strip()[:50]
    parent_code = request.GET.get("parent", "").strip()
    parent = None
    if parent_code:
        if not codes.is_valid_code(parent_code):
            raise Http404("区划代码不正确")
        parent = get_object_or_404(Station.objects.active(), code=parent_code)
    qs = selectors.public_station_search(q=q, parent=parent.code if parent else None)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "services/station_finder.html",
        {
            "q": q,
            "parent": parent,
            "chain": selectors.station_chain(parent) if parent else [],
            "page": page,
        },
    )


@require_GET
def station_public_detail(request, code: str):
    station = get_object_or_404(Station.objects.active().select_related("parent"), code=code)
    return render(
        request,
        "services/station_public_detail.html",
        {"station": station, "chain": selectors.station_chain(station)},
    )


def home_context(request) -> dict:
    """The home page's headline figures (settings.PORTAL_HOME_CONTEXT)."""
    return {"headline": selectors.latest_city_statistic()}
