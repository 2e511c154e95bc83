from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from canghzou_portal.scoping import get_scoped_object_or_404, user_can_reach_code

from . import codes, selectors
from .models import Station
from .roles import BUSINESS_ROLES


def require_station_user(user) -> Station:
    """The station portal is for business roles attached to a station."""
    if user.is_superuser and user.station_id is None:
        return Station.objects.get(level=codes.CITY)
    if user.station_id is None or not (set(user.role_names) & set(BUSINESS_ROLES) or user.is_superuser):
        raise PermissionDenied("此页面仅供服务中心（站）工作人员使用")
    return user.station


@login_required
@require_GET
def dashboard(request):
    station = require_station_user(request.user)
    return _station_page(request, station, "services/dashboard.html")


@login_required
@require_GET
def station_detail(request, code: str):
    require_station_user(request.user)
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
