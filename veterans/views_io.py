"""Clerk pages for the registry spreadsheet: import (upload → preview → confirm), template, export.

The import is two steps. Upload runs the engine as a dry run and shows its report; the file is
kept (server side, bound to the user, a random token) so "确认导入" imports exactly what was
previewed — the engine runs again and saves only if every row is still good. Everything goes
through ``veterans.importing``, the same engine as the admin and the command line.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import secrets
import tempfile
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from canghzou_portal.access import NOT_ALLOWED, station_staff_required

from . import selectors
from .forms import VeteranFilterForm
from .importing import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, ImportReport, run_export, run_import, template_workbook

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
STAGING_MAX_AGE = 24 * 3600
REPORT_SHOWN = 200


class UploadForm(forms.Form):
    file = forms.FileField(
        label="导入文件",
        help_text="Excel 工作簿（.xlsx）或 CSV（UTF-8 或 GBK 编码），列名与导入模板一致",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


# --- staging: the previewed file and its report, per user -----------------------------------
def staging_dir() -> Path:
    path = Path(getattr(settings, "PORTAL_IMPORT_STAGING_DIR", "") or Path(tempfile.gettempdir()) / "cz-import")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _staged(user, token: str, suffix: str) -> Path:
    if not TOKEN_RE.match(token or ""):
        raise Http404("导入批次不存在或已过期")
    return staging_dir() / f"{user.pk}-{token}.{suffix}"


def _stage(user, data: bytes, report: ImportReport) -> str:
    _sweep()
    token = secrets.token_urlsafe(24)
    _staged(user, token, "bin").write_bytes(data)
    _staged(user, token, "json").write_text(json.dumps(report.to_dict(), ensure_ascii=False), encoding="utf-8")
    return token


def _sweep() -> None:
    cutoff = time.time() - STAGING_MAX_AGE
    for path in staging_dir().glob("*-*.*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass


def _load_report(user, token: str) -> ImportReport:
    path = _staged(user, token, "json")
    if not path.exists():
        raise Http404("导入批次不存在或已过期")
    return ImportReport.from_dict(json.loads(path.read_text(encoding="utf-8")))


def _discard(user, token: str) -> None:
    for suffix in ("bin", "json"):
        _staged(user, token, suffix).unlink(missing_ok=True)


# --- views ----------------------------------------------------------------------------------
@never_cache
@station_staff_required("veterans.import_veteran", message=NOT_ALLOWED)
@require_http_methods(["GET", "POST"])
def veteran_import(request):
    form = UploadForm()
    context: dict = {"form": form, "shown": REPORT_SHOWN}
    if request.method == "POST" and request.POST.get("action") == "confirm":
        return _confirm(request, request.POST.get("token", ""))
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            report, token = preview_upload(request, form.cleaned_data["file"])
            context.update(report=report, token=token)
    return render(request, "veterans/import.html", context)


def _confirm(request, token: str):
    report = confirm_staged(request, token)
    if report.ok:
        messages.success(request, report.summary())
        return redirect("veterans:list")
    return render(
        request,
        "veterans/import.html",
        {"form": UploadForm(), "report": report, "token": token, "shown": REPORT_SHOWN},
    )


# The two steps of a web import, shared by the clerk page and the admin.
def preview_upload(request, upload) -> tuple[ImportReport, str]:
    """Step 1: check the upload (a dry run) and stage it for confirmation: (report, token)."""
    report = run_import(file_obj=upload, filename=upload.name, user=request.user, dry_run=True, request=request)
    data = b""
    if report.ok:
        upload.seek(0)
        data = upload.read()
    return report, _stage(request.user, data, report)


def confirm_staged(request, token: str) -> ImportReport:
    """Step 2: import exactly the file that was previewed (its SHA-256 checked); 404 when the
    batch is gone, expired or not this user's."""
    path = _staged(request.user, token, "bin")
    previewed = _load_report(request.user, token)
    if not path.exists() or not previewed.ok:
        raise Http404("导入批次不存在或已过期")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != previewed.file_sha256:
        raise Http404("导入批次不存在或已过期")
    report = run_import(
        file_obj=io.BytesIO(data), filename=previewed.filename, user=request.user, dry_run=False, request=request
    )
    if report.ok:
        _discard(request.user, token)
    else:
        _staged(request.user, token, "json").write_text(
            json.dumps(report.to_dict(), ensure_ascii=False), encoding="utf-8"
        )
    return report


@never_cache
@station_staff_required("veterans.import_veteran", message=NOT_ALLOWED)
@require_GET
def veteran_import_report(request, token: str):
    """The error report of one upload as .xlsx (values masked as on screen)."""
    report = _load_report(request.user, token)
    return _attachment(report.error_workbook(), XLSX_CONTENT_TYPE, "导入错误报告.xlsx")


@station_staff_required("veterans.import_veteran", message=NOT_ALLOWED)
@require_GET
def veteran_import_template(request):
    return _attachment(template_workbook(), XLSX_CONTENT_TYPE, "退役军人信息导入模板.xlsx")


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
    run_export(user=request.user, out=out, file_format=file_format, queryset=queryset, request=request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    content_type = CSV_CONTENT_TYPE if file_format == "csv" else XLSX_CONTENT_TYPE
    return _attachment(out.getvalue(), content_type, f"退役军人信息-{stamp}.{file_format}")


def _attachment(data: bytes, content_type: str, filename: str) -> HttpResponse:
    from django.utils.http import content_disposition_header

    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
