"""Clerk pages for the registry spreadsheet: import (upload → preview → confirm), template, export.

The two steps of the import, the staging of the upload in between and the engine itself are
``veterans.importing`` (the same as the admin's and the command line's); these views only wire
them to the clerk's pages.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from canghzou_portal.access import NOT_ALLOWED, station_staff_required

from . import selectors
from .forms import VeteranFilterForm
from .importing import CSV_CONTENT_TYPE, REGISTRY, XLSX_CONTENT_TYPE, run_export, template_workbook
from .importing.staging import REPORT_SHOWN, UploadForm, attachment, confirm_staged, load_report, preview_upload


@never_cache
@station_staff_required("veterans.import_veteran", message=NOT_ALLOWED)
@require_http_methods(["GET", "POST"])
def veteran_import(request):
    form = UploadForm()
    context: dict = {"form": form, "shown": REPORT_SHOWN}
    if request.method == "POST" and request.POST.get("action") == "confirm":
        token = request.POST.get("token", "")
        report = confirm_staged(request, token, schema=REGISTRY)
        if report.ok:
            messages.success(request, report.summary())
            return redirect("veterans:list")
        context.update(report=report, token=token)
    elif request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            report, token = preview_upload(request, form.cleaned_data["file"], schema=REGISTRY)
            context.update(report=report, token=token)
    return render(request, "veterans/import.html", context)


@never_cache
@station_staff_required("veterans.import_veteran", message=NOT_ALLOWED)
@require_GET
def veteran_import_report(request, token: str):
    """The error report of one upload as .xlsx (values masked as on screen)."""
    report = load_report(request.user, token, schema=REGISTRY)
    return attachment(report.error_workbook(), XLSX_CONTENT_TYPE, "导入错误报告.xlsx")


@station_staff_required("veterans.import_veteran", message=NOT_ALLOWED)
@require_GET
def veteran_import_template(request):
    return attachment(template_workbook(REGISTRY), XLSX_CONTENT_TYPE, "退役军人信息导入模板.xlsx")


@never_cache
@station_staff_required("veterans.export_veteran", message=NOT_ALLOWED)
@require_GET
def veteran_export(request):
    """The user's subtree (with the list's current filters) in the import template's columns."""
    file_format = "csv" if request.GET.get("format") == "csv" else "xlsx"
    form = VeteranFilterForm(request.GET or None, user=request.user)
    filters = {}
    if form.is_bound:
        form.is_valid()
        filters = form.filters()
    queryset = selectors.veteran_list(user=request.user, **filters)
    out = io.BytesIO()
    run_export(
        user=request.user,
        out=out,
        file_format=file_format,
        queryset=queryset,
        request=request,
        audit_detail=_export_audit_detail(request, filters),
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    content_type = CSV_CONTENT_TYPE if file_format == "csv" else XLSX_CONTENT_TYPE
    return attachment(out.getvalue(), content_type, f"退役军人信息-{stamp}.{file_format}")


def _export_audit_detail(request, filters: dict) -> dict:
    """The station asked for and the one applied: a station outside the subtree is dropped from the
    export (the list does the same) but recorded as asked (issue 15, point 7)."""
    requested = (request.GET.get("station") or "").strip()[:20]
    applied = filters.get("station")
    detail = {"station": applied.code if applied else ""}
    if requested:
        detail["station_requested"] = requested
        if applied is None:
            detail["station_refused"] = "不存在或不在辖区范围内"
    return detail
