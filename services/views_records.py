"""Station portal pages of the station services: service records, public-welfare posts and
station evaluations. Views stay thin: parse input, call a selector or an action, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from canghzou_portal.access import station_staff_required
from canghzou_portal.pagination import CappedCountPaginator
from canghzou_portal.scoping import get_scoped_object_or_404
from veterans.models import Veteran

from . import actions, selectors
from .forms import (
    EvaluationFilterForm,
    ServiceRecordCloseForm,
    ServiceRecordFilterForm,
    ServiceRecordForm,
    StationEvaluationForm,
    VeteranSearchForm,
    WelfarePostEndForm,
    WelfarePostFilterForm,
    WelfarePostForm,
    apply_validation_error,
)
from .models import PublicWelfarePost, ServiceRecord, StationEvaluation

PAGE_SIZE = selectors.SERVICE_PAGE_SIZE


def _querystring(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _page(request, qs):
    return CappedCountPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _picked_veteran(request):
    """The veteran chosen with ?veteran=<id> (GET) or the hidden field (POST), scoped; or None."""
    raw = request.POST.get("veteran") if request.method == "POST" else request.GET.get("veteran")
    if not raw:
        return None
    return get_scoped_object_or_404(Veteran.objects.select_related("station"), request.user, pk=raw)


def _pick_veteran(request, template: str):
    """The veteran picker: a search by name or full ID number, posted so that ID numbers stay
    out of URLs and access logs; results are limited to the user's subtree."""
    search = VeteranSearchForm(request.POST if request.method == "POST" else None)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    results = selectors.veteran_search(request.user, q) if q else None
    return render(request, template, {"search": search, "q": q, "results": results})


# --- service records ----------------------------------------------------------------------
@station_staff_required("services.view_servicerecord")
@require_http_methods(["GET"])
def record_list(request):
    form = ServiceRecordFilterForm(request.GET or None, user=request.user)
    veteran_id = request.GET.get("veteran", "")
    qs = selectors.service_records_for_user(
        request.user, veteran_id=int(veteran_id) if veteran_id.isdigit() else None, **form.filters()
    )
    return render(
        request,
        "services/record_list.html",
        {
            "form": form,
            "page": _page(request, qs),
            "querystring": _querystring(request),
            "can_add": request.user.has_perm("services.add_servicerecord"),
        },
    )


@station_staff_required("services.add_servicerecord", message="您没有登记服务记录的权限")
@require_http_methods(["GET", "POST"])
def record_create(request):
    veteran = _picked_veteran(request)
    if veteran is None:
        return _pick_veteran(request, "services/record_pick_veteran.html")
    form = ServiceRecordForm(request.POST or None, user=request.user, veteran=veteran)
    if request.method == "POST" and form.is_valid():
        try:
            record = actions.service_record_create(
                request=request, user=request.user, veteran=veteran, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"已为{veteran.name}登记{record.get_kind_display()}。")
            return redirect("services:record_detail", pk=record.pk)
    return render(request, "services/record_form.html", {"form": form, "veteran": veteran, "record": None})


def _record_for(request, pk: int) -> ServiceRecord:
    qs = ServiceRecord.objects.select_related("veteran", "veteran__station", "station", "handled_by")
    return get_scoped_object_or_404(qs, request.user, pk=pk)


@station_staff_required("services.view_servicerecord")
@require_http_methods(["GET"])
def record_detail(request, pk: int):
    record = _record_for(request, pk)
    return _render_detail(request, record, ServiceRecordCloseForm(initial={"outcome": record.outcome}))


def _render_detail(request, record, close_form, status=200):
    can_change = request.user.has_perm("services.change_servicerecord") and not record.is_closed
    return render(
        request,
        "services/record_detail.html",
        {"record": record, "close_form": close_form, "can_change": can_change},
        status=status,
    )


@station_staff_required("services.change_servicerecord", message="您没有修改服务记录的权限")
@require_http_methods(["GET", "POST"])
def record_edit(request, pk: int):
    record = _record_for(request, pk)
    if record.is_closed:
        messages.error(request, "该服务记录已办结，不能再修改。")
        return redirect("services:record_detail", pk=record.pk)
    form = ServiceRecordForm(request.POST or None, instance=record, user=request.user, veteran=record.veteran)
    if request.method == "POST" and form.is_valid():
        try:
            actions.service_record_update(request=request, user=request.user, record=record, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "服务记录已保存。")
            return redirect("services:record_detail", pk=record.pk)
    return render(request, "services/record_form.html", {"form": form, "veteran": record.veteran, "record": record})


@station_staff_required("services.change_servicerecord", message="您没有办结服务记录的权限")
@require_POST
def record_close(request, pk: int):
    record = _record_for(request, pk)
    form = ServiceRecordCloseForm(request.POST)
    if form.is_valid():
        try:
            actions.service_record_close(
                request=request, user=request.user, record=record, outcome=form.cleaned_data["outcome"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "已办结。")
            return redirect("services:record_detail", pk=record.pk)
    record.refresh_from_db()
    return _render_detail(request, record, form, status=400)


# --- public-welfare posts -------------------------------------------------------------------
@station_staff_required("services.view_publicwelfarepost")
@require_http_methods(["GET"])
def post_list(request):
    form = WelfarePostFilterForm(request.GET or None)
    qs = selectors.welfare_posts_for_user(request.user, **form.filters())
    return render(
        request,
        "services/post_list.html",
        {
            "form": form,
            "page": _page(request, qs),
            "querystring": _querystring(request),
            "can_add": request.user.has_perm("services.add_publicwelfarepost"),
            "can_change": request.user.has_perm("services.change_publicwelfarepost"),
        },
    )


@station_staff_required("services.add_publicwelfarepost", message="您没有登记公益性岗位的权限")
@require_http_methods(["GET", "POST"])
def post_create(request):
    veteran = _picked_veteran(request)
    if veteran is None:
        return _pick_veteran(request, "services/post_pick_veteran.html")
    form = WelfarePostForm(request.POST or None, user=request.user, veteran=veteran)
    current = selectors.active_welfare_post(veteran.pk)
    if request.method == "POST" and form.is_valid():
        try:
            post = actions.welfare_post_create(request=request, user=request.user, veteran=veteran, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"已登记{veteran.name}到“{post.post_name}”岗位。")
            return redirect("services:post_list")
    return render(request, "services/post_form.html", {"form": form, "veteran": veteran, "current": current})


@station_staff_required("services.change_publicwelfarepost", message="您没有办理离岗的权限")
@require_http_methods(["GET", "POST"])
def post_end(request, pk: int):
    post = get_scoped_object_or_404(PublicWelfarePost.objects.select_related("veteran", "station"), request.user, pk=pk)
    if post.end_date is not None:
        messages.info(request, f"该岗位已于{post.end_date:%Y-%m-%d}离岗。")
        return redirect("services:post_list")
    form = WelfarePostEndForm(request.POST or None, post=post)
    if request.method == "POST" and form.is_valid():
        try:
            actions.welfare_post_end(
                request=request, user=request.user, post=post, end_date=form.cleaned_data["end_date"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"{post.veteran.name}已办理离岗。")
            return redirect("services:post_list")
    return render(request, "services/post_end.html", {"form": form, "post": post})


# --- station evaluations ------------------------------------------------------------------
def _can_add_evaluation(user) -> bool:
    return user.has_perm("services.add_stationevaluation") and bool(selectors.evaluable_levels(user))


@station_staff_required("services.view_stationevaluation")
@require_http_methods(["GET"])
def evaluation_list(request):
    form = EvaluationFilterForm(request.GET or None)
    qs = selectors.evaluations_for_user(request.user, **form.filters())
    return render(
        request,
        "services/evaluation_list.html",
        {
            "form": form,
            "page": _page(request, qs),
            "querystring": _querystring(request),
            "can_add": _can_add_evaluation(request.user),
            "can_change": request.user.has_perm("services.change_stationevaluation"),
            "evaluable_levels": selectors.evaluable_levels(request.user),
        },
    )


@station_staff_required("services.add_stationevaluation", message="您没有星级评定的权限")
@require_http_methods(["GET", "POST"])
def evaluation_create(request):
    if not selectors.evaluable_levels(request.user):
        raise PermissionDenied("只有市级和县级可以开展星级评定")
    return _evaluation_form(request, None)


@station_staff_required("services.change_stationevaluation", message="您没有修改星级评定的权限")
@require_http_methods(["GET", "POST"])
def evaluation_edit(request, pk: int):
    evaluation = get_scoped_object_or_404(StationEvaluation.objects.select_related("station"), request.user, pk=pk)
    actions.assert_can_evaluate(request.user, evaluation.station)
    return _evaluation_form(request, evaluation)


def _evaluation_form(request, evaluation):
    form = StationEvaluationForm(request.POST or None, instance=evaluation, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        station, year = data.pop("station"), data.pop("year")
        try:
            saved = actions.station_evaluation_save(
                request=request, user=request.user, station=station, year=year, evaluation=evaluation, **data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"已保存{saved.station.name}{saved.year}年度星级评定（{saved.stars}星）。")
            return redirect("services:evaluation_list")
    return render(request, "services/evaluation_form.html", {"form": form, "evaluation": evaluation})
