"""Clerk pages of the registry under /station/veterans/ (thin: parse, call a selector or action, render)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from canghzou_portal.access import NOT_ALLOWED, can_see_full_pii, require_perm, station_staff_required
from canghzou_portal.audit import audit
from canghzou_portal.pagination import CappedCountPaginator

from . import actions, selectors
from .forms import TransferForm, VeteranEditForm, VeteranFilterForm, VeteranForm
from .validators import parse_resident_id

PAGE_SIZE = 20
HISTORY_LIMIT = 500


@never_cache
@station_staff_required("veterans.view_veteran", message=NOT_ALLOWED)
@require_http_methods(["GET"])
def veteran_list(request):
    form = VeteranFilterForm(request.GET or None, user=request.user)
    filters = {}
    if form.is_bound:
        form.is_valid()
        filters = form.filters()
    qs = selectors.veteran_list(user=request.user, **filters)
    paginator = CappedCountPaginator(qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    full_pii = can_see_full_pii(request.user)
    if full_pii and page.object_list:
        # Full numbers on a list page are a reveal too: one audit row per page shown.
        audit("pii_list_view", request=request, veteran_ids=[v.pk for v in page.object_list])
    return render(
        request,
        "veterans/veteran_list.html",
        {
            "form": form,
            "page": page,
            "veterans": page.object_list,
            "querystring": urlencode(params),
            "full_pii": full_pii,
            "can_add": request.user.has_perm("veterans.add_veteran"),
        },
    )


@never_cache
@station_staff_required("veterans.add_veteran", message=NOT_ALLOWED)
@require_http_methods(["GET", "POST"])
def veteran_create(request):
    form = VeteranForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            veteran = actions.veteran_register(user=request.user, data=form.action_data())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"已登记退役军人“{veteran.name}”的信息")
            _warn_id(request, veteran.id_number)
            return redirect("veterans:detail", pk=veteran.pk)
    return render(request, "veterans/veteran_form.html", {"form": form, "title": "信息采集：登记退役军人"})


def _detail_context(request, veteran, revealed=None) -> dict:
    user = request.user
    can_history = user.has_perm("veterans.view_historicalveteran")
    return {
        "veteran": veteran,
        "chain": selectors.station_chain(veteran.station),
        "members": selectors.household_members(veteran),
        "transfers": selectors.veteran_transfers(veteran),
        "history": selectors.veteran_history(veteran, user=user, limit=10) if can_history else None,
        "can_history": can_history,
        "full_pii": can_see_full_pii(user),
        "revealed": revealed,
        "can_change": user.has_perm("veterans.change_veteran"),
        "can_transfer": user.has_perm("veterans.transfer_veteran"),
    }


@never_cache
@station_staff_required("veterans.view_veteran", message=NOT_ALLOWED)
@require_http_methods(["GET"])
def veteran_detail(request, pk: int):
    veteran = selectors.veteran_get(user=request.user, pk=pk)
    return render(request, "veterans/veteran_detail.html", _detail_context(request, veteran))


@never_cache
@station_staff_required("veterans.view_veteran", message=NOT_ALLOWED)
@require_POST
def veteran_reveal(request, pk: int):
    """显示完整号码: once, in this response only; every reveal is audited."""
    veteran = selectors.veteran_get(user=request.user, pk=pk)  # out of scope → 404 before anything else
    revealed = actions.veteran_reveal_pii(user=request.user, veteran=veteran, request=request)
    return render(request, "veterans/veteran_detail.html", _detail_context(request, veteran, revealed=revealed))


@never_cache
@station_staff_required("veterans.change_veteran", message=NOT_ALLOWED)
@require_http_methods(["GET", "POST"])
def veteran_edit(request, pk: int):
    veteran = selectors.veteran_get(user=request.user, pk=pk)
    form = VeteranEditForm(request.POST or None, instance=veteran, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            updated = actions.veteran_update(
                user=request.user, veteran=veteran, data=form.action_data(), version=form.cleaned_data["version"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"已保存“{updated.name}”的信息修改")
            return redirect("veterans:detail", pk=updated.pk)
    return render(
        request,
        "veterans/veteran_form.html",
        {"form": form, "veteran": veteran, "title": f"修改信息：{veteran.name}"},
    )


@never_cache
@station_staff_required("veterans.transfer_veteran", message=NOT_ALLOWED)
@require_http_methods(["GET", "POST"])
def veteran_transfer(request, pk: int):
    veteran = selectors.veteran_get(user=request.user, pk=pk)
    form = TransferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = actions.veteran_transfer(
                user=request.user,
                veteran=veteran,
                to_station=form.cleaned_data["to_station"],
                date=form.cleaned_data["date"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"已将“{veteran.name}”迁移至{transfer.to_station.name}")
            if selectors.user_can_see(request.user, transfer.veteran):
                return redirect("veterans:detail", pk=veteran.pk)
            return redirect("veterans:list")
    return render(
        request,
        "veterans/veteran_transfer.html",
        {
            "form": form,
            "veteran": veteran,
            "suggestions": selectors.transfer_target_suggestions(veteran).only("code", "name"),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET"])
def veteran_history(request, pk: int):
    """Full change history: bureau staff and auditors (``veterans.view_historicalveteran``)."""
    veteran = selectors.veteran_get(user=request.user, pk=pk)  # out of scope → 404 first
    require_perm(request.user, "veterans.view_historicalveteran", NOT_ALLOWED)
    return render(
        request,
        "veterans/veteran_history.html",
        {"veteran": veteran, "history": selectors.veteran_history(veteran, user=request.user, limit=HISTORY_LIMIT)},
    )


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _warn_id(request, number: str) -> None:
    try:
        warning = parse_resident_id(number).warning
    except ValidationError:
        return
    if warning:
        messages.warning(request, warning)
