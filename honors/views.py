"""Honors screens: the clerk/reviewer pages under /station/honors/ and the public roll /honors/.

Views stay thin: parse input, call one selector or action, render. Every object is fetched through
the jurisdiction mechanism, so an object outside the user's subtree answers 404.
"""

from __future__ import annotations

from itertools import groupby
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from canghzou_portal import access, approval, codes
from canghzou_portal.access import station_staff_required
from canghzou_portal.pagination import CappedCountPaginator
from canghzou_portal.scoping import get_scoped_object_or_404, scope_queryset
from veterans.models import Veteran

from . import actions, selectors
from .forms import (
    AttachmentForm,
    DeliveryForm,
    MeritForm,
    NominationEditForm,
    NominationFilterForm,
    NominationForm,
    PublicRollFilterForm,
    ReviewForm,
    ServingMemberForm,
    YearForm,
)
from .models import NominationAttachment, NominationStatus

PER_PAGE = 30


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc) or "您没有执行此操作的权限"


def _querystring(request) -> str:
    return urlencode({k: v for k, v in request.GET.items() if k != "page" and v})


def _tabs(request, active: str) -> dict:
    return {"tab": active, "is_reviewer": request.user.has_perm("honors.review_nomination")}


# --- nominations ---------------------------------------------------------------------------
@require_GET
@station_staff_required("honors.view_nomination")
def nomination_list(request):
    form = NominationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = selectors.nomination_list(
        user=request.user,
        status=filters.get("status") or "",
        honor_type=filters.get("honor_type"),
        year=filters.get("year"),
    )
    page = CappedCountPaginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "honors/nomination_list.html",
        {
            "form": form,
            "page": page,
            "querystring": _querystring(request),
            "can_nominate": access.may_nominate(request.user),
            **_tabs(request, "mine"),
        },
    )


@require_GET
@station_staff_required("honors.review_nomination")
def review_queue(request):
    qs = selectors.nominations_awaiting_review(user=request.user)
    page = CappedCountPaginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    level = access.user_tier(request.user)
    return render(
        request,
        "honors/review_queue.html",
        {"page": page, "tier": codes.LEVEL_LABELS.get(level, ""), **_tabs(request, "review")},
    )


@require_http_methods(["GET", "POST"])
@station_staff_required("honors.add_nomination")
def nomination_create(request):
    access.require_nominator(request.user)
    form = NominationForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            nomination = actions.nomination_create(
                honor_type=data["honor_type"],
                year=data["year"],
                veteran=data.get("veteran"),
                household=data.get("household"),
                reasons=data["reasons"],
                user=request.user,
                request=request,
            )
            if data.get("attachment"):
                actions.nomination_attachment_add(
                    nomination=nomination, upload=data["attachment"], user=request.user, request=request
                )
        except ValidationError as exc:
            _add_form_errors(form, exc)
        except PermissionDenied as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, f"已保存提名草稿：{nomination}。核对无误后请点击“提交审核”。")
            return redirect("honors:nomination_detail", pk=nomination.pk)
    return render(request, "honors/nomination_form.html", {"form": form, **_tabs(request, "mine")})


def _add_form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_GET
@station_staff_required("honors.view_nomination")
def nomination_detail(request, pk: int):
    nomination = selectors.nomination_detail(user=request.user, pk=pk)
    user = request.user
    level = access.user_tier(user)
    can_review = approval.can_decide(actions.NOMINATIONS, nomination, user)
    can_edit = nomination.is_editable and access.may_nominate(user)
    award = getattr(nomination, "award", None) if nomination.status == NominationStatus.APPROVED else None
    return render(
        request,
        "honors/nomination_detail.html",
        {
            "nomination": nomination,
            "transitions": nomination.transitions.select_related("user", "station"),
            "attachments": nomination.attachments.all(),
            "award": award,
            "can_review": can_review,
            "can_edit": can_edit,
            "review_form": ReviewForm(),
            "attachment_form": AttachmentForm(),
            "review_tier": codes.LEVEL_LABELS.get(level, ""),
            **_tabs(request, "review" if can_review else "mine"),
        },
    )


@require_http_methods(["GET", "POST"])
@station_staff_required("honors.change_nomination")
def nomination_edit(request, pk: int):
    nomination = selectors.nomination_detail(user=request.user, pk=pk)
    form = NominationEditForm(request.POST or None, initial={"reasons": nomination.reasons})
    if request.method == "POST" and form.is_valid():
        try:
            actions.nomination_update(
                nomination=nomination, reasons=form.cleaned_data["reasons"], user=request.user, request=request
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, "推荐理由已保存")
            return redirect("honors:nomination_detail", pk=nomination.pk)
    return render(
        request, "honors/nomination_edit.html", {"form": form, "nomination": nomination, **_tabs(request, "mine")}
    )


@require_POST
@station_staff_required("honors.change_nomination")
def nomination_submit(request, pk: int):
    nomination = selectors.nomination_detail(user=request.user, pk=pk)
    try:
        actions.nomination_submit(
            nomination=nomination, user=request.user, comment=request.POST.get("comment", ""), request=request
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "提名已提交县级审核")
    return redirect("honors:nomination_detail", pk=nomination.pk)


@require_POST
@station_staff_required("honors.review_nomination")
def nomination_review(request, pk: int):
    nomination = selectors.nomination_detail(user=request.user, pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("honors:nomination_detail", pk=nomination.pk)
    decision, comment = form.cleaned_data["decision"], form.cleaned_data["comment"]
    level = access.user_tier(request.user)
    kwargs = {"nomination": nomination, "user": request.user, "request": request}
    try:
        if decision == "return":
            actions.nomination_return(comment=comment, **kwargs)
            done = "已退回提名人修改"
        elif level == codes.CITY and decision == "approve":
            award = actions.nomination_city_approve(comment=comment, **kwargs)
            done = f"已批准，证书编号 {award.certificate_number}"
        elif level == codes.CITY:
            actions.nomination_city_reject(reason=comment, **kwargs)
            done = "已作出不予通过的决定"
        elif decision == "approve":
            actions.nomination_county_approve(comment=comment, **kwargs)
            done = "县级审核通过，已报市级审批"
        else:
            actions.nomination_county_reject(reason=comment, **kwargs)
            done = "已作出不予通过的决定"
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
        return redirect("honors:nomination_detail", pk=nomination.pk)
    messages.success(request, done)
    return redirect("honors:review_queue")


@require_POST
@station_staff_required("honors.change_nomination")
def attachment_upload(request, pk: int):
    nomination = selectors.nomination_detail(user=request.user, pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.nomination_attachment_add(
                nomination=nomination, upload=form.cleaned_data["file"], user=request.user, request=request
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, "附件已上传")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("honors:nomination_detail", pk=nomination.pk)


@require_GET
@station_staff_required("honors.view_nomination")
def attachment_download(request, pk: int):
    attachment = get_scoped_object_or_404(NominationAttachment, request.user, pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("附件文件不存在") from exc
    return FileResponse(handle, as_attachment=True, filename=attachment.original_name)


# --- awards -------------------------------------------------------------------------------------
@require_GET
@station_staff_required("honors.view_award")
def award_list(request):
    form = NominationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = selectors.award_list(user=request.user, honor_type=filters.get("honor_type"), year=filters.get("year"))
    page = CappedCountPaginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "honors/award_list.html",
        {"form": form, "page": page, "querystring": _querystring(request), **_tabs(request, "awards")},
    )


# --- 光荣在党50年 eligibility ---------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@station_staff_required("honors.view_nomination")
def party50_eligibility(request):
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = YearForm(data, initial={"year": selectors_year_default()})
    rows = page = None
    can_create = access.may_nominate(request.user)
    if form.is_bound and form.is_valid():
        year = form.cleaned_data["year"]
        if request.method == "POST":
            if not can_create:
                raise PermissionDenied("只有村（社区）、乡镇（街道）服务站的经办员可以生成提名草稿")
            ids = [int(v) for v in request.POST.getlist("veteran") if v.isdigit()]
            if not ids:
                messages.error(request, "请至少勾选一名退役军人")
            else:
                veterans = list(
                    scope_queryset(Veteran.objects.filter(pk__in=ids), request.user).select_related("station")
                )
                if len(veterans) != len(set(ids)):
                    raise Http404("所选退役军人不存在或不在您的辖区范围内")
                try:
                    created, skipped = actions.party50_nominations_create(
                        year=year, veterans=veterans, user=request.user, request=request
                    )
                except PermissionDenied as exc:
                    messages.error(request, _error_text(exc))
                else:
                    if created:
                        messages.success(request, f"已生成 {len(created)} 份光荣在党50年纪念章提名草稿")
                    for reason in skipped:
                        messages.warning(request, f"未生成：{reason}")
            return redirect(f"{request.path}?year={year}")
        qs = selectors.party50_eligible(user=request.user, year=year)
        page = Paginator(qs, 100).get_page(request.GET.get("page"))
        rows = page.object_list
    return render(
        request,
        "honors/party50_eligibility.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "can_create": can_create,
            "querystring": _querystring(request),
            "cutoff": actions.party50_cutoff(form.cleaned_data["year"]) if rows is not None else None,
            **_tabs(request, "party50"),
        },
    )


def selectors_year_default() -> int:
    return timezone.localdate().year


# --- serving members, merits, deliveries -----------------------------------------------------
@require_GET
@station_staff_required("honors.view_servingmember")
def serving_member_list(request):
    q = request.GET.get("q", "").strip()[:50]
    qs = selectors.serving_member_list(user=request.user, q=q)
    page = CappedCountPaginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "honors/serving_member_list.html",
        {
            "page": page,
            "q": q,
            "querystring": _querystring(request),
            "can_add": request.user.has_perm("honors.add_servingmember"),
            **_tabs(request, "serving"),
        },
    )


@require_http_methods(["GET", "POST"])
@station_staff_required("honors.add_servingmember")
def serving_member_create(request):
    form = ServingMemberForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            member = actions.serving_member_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_form_errors(form, exc)
        except PermissionDenied as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, f"已登记现役军人{member.name}")
            return redirect("honors:serving_member_detail", pk=member.pk)
    return render(request, "honors/serving_member_form.html", {"form": form, **_tabs(request, "serving")})


@require_http_methods(["GET", "POST"])
@station_staff_required("honors.view_servingmember")
def serving_member_detail(request, pk: int):
    member = selectors.serving_member_detail(user=request.user, pk=pk)
    form = MeritForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("honors.add_merit"):
            raise PermissionDenied("您没有登记立功受奖的权限")
        if form.is_valid():
            try:
                actions.merit_create(serving_member=member, user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _add_form_errors(form, exc)
            except PermissionDenied as exc:
                messages.error(request, _error_text(exc))
            else:
                messages.success(request, "已登记立功受奖，请及时送达喜报")
                return redirect("honors:serving_member_detail", pk=member.pk)
    merits = member.merits.select_related("delivery").order_by("-year", "-id")
    return render(
        request,
        "honors/serving_member_detail.html",
        {
            "member": member,
            "merits": merits,
            "form": form,
            "can_add_merit": request.user.has_perm("honors.add_merit"),
            "can_deliver": request.user.has_perm("honors.add_commendationdelivery"),
            **_tabs(request, "serving"),
        },
    )


@require_http_methods(["GET", "POST"])
@station_staff_required("honors.add_commendationdelivery")
def merit_deliver(request, pk: int):
    merit = selectors.merit_detail(user=request.user, pk=pk)
    form = DeliveryForm(request.POST or None, initial={"deliverer": getattr(request.user, "full_name", "")})
    if request.method == "POST" and form.is_valid():
        try:
            actions.commendation_deliver(merit=merit, user=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            _add_form_errors(form, exc)
        except PermissionDenied as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, "已登记喜报送达")
            return redirect("honors:serving_member_detail", pk=merit.serving_member_id)
    return render(request, "honors/delivery_form.html", {"form": form, "merit": merit, **_tabs(request, "deliveries")})


@require_GET
@station_staff_required("honors.view_commendationdelivery")
def delivery_list(request):
    form = YearForm(request.GET or None) if request.GET.get("year") else YearForm()
    year = form.cleaned_data["year"] if form.is_bound and form.is_valid() else None
    qs = selectors.delivery_list(user=request.user, year=year)
    page = CappedCountPaginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    awaiting = selectors.merits_awaiting_delivery(user=request.user)[:50]
    return render(
        request,
        "honors/delivery_list.html",
        {
            "form": form,
            "page": page,
            "querystring": _querystring(request),
            "by_station": selectors.awaiting_delivery_by_station(user=request.user),
            "awaiting": awaiting,
            "can_deliver": request.user.has_perm("honors.add_commendationdelivery"),
            **_tabs(request, "deliveries"),
        },
    )


# --- public honor roll ----------------------------------------------------------------------
@require_GET
def honor_roll(request):
    """Public on purpose: names and county names only."""
    form = PublicRollFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = selectors.public_awards(honor_type=filters.get("type"), year=filters.get("year"))
    page = Paginator(qs, 60).get_page(request.GET.get("page"))
    groups = [
        {"year": year, "type": type_name, "rows": list(rows)}
        for (year, type_name), rows in groupby(page.object_list, key=lambda r: (r["year"], r["honor_type__name"]))
    ]
    return render(
        request,
        "honors/honor_roll.html",
        {
            "form": form,
            "page": page,
            "groups": groups,
            "querystring": _querystring(request),
            "types": selectors.honor_types(),
        },
    )
