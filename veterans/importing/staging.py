"""Upload staging: the two steps of a web import, shared by the clerk pages and the admin.

Step 1 (``preview_upload``) runs the engine as a dry run and keeps the file and its report on the
server — bound to the user and the schema, under a random token, for at most a day. Step 2
(``confirm_staged``) imports exactly the file that was previewed (its SHA-256 checked against the
report); the engine checks every row again and saves only if all are still good. A batch that is
gone, expired, another user's or another schema's is a 404.
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
from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header

from .engine import Schema, run_import
from .report import ImportReport

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
STAGING_MAX_AGE = 24 * 3600
REPORT_SHOWN = 200  # errors listed on the page; the rest are in the downloadable report
GONE = "导入批次不存在或已过期"


class UploadForm(forms.Form):
    file = forms.FileField(
        label="导入文件",
        help_text="Excel 工作簿（.xlsx）或 CSV（UTF-8 或 GBK 编码），列名与导入模板一致",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def staging_dir() -> Path:
    path = Path(getattr(settings, "PORTAL_IMPORT_STAGING_DIR", "") or Path(tempfile.gettempdir()) / "cz-import")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _staged(user, schema: Schema, token: str, suffix: str) -> Path:
    if not TOKEN_RE.match(token or ""):
        raise Http404(GONE)
    return staging_dir() / f"{user.pk}-{schema.key}-{token}.{suffix}"


def _write_report(user, schema: Schema, token: str, report: ImportReport) -> None:
    _staged(user, schema, token, "json").write_text(json.dumps(report.to_dict(), ensure_ascii=False), encoding="utf-8")


def _sweep() -> None:
    cutoff = time.time() - STAGING_MAX_AGE
    for path in staging_dir().glob("*-*.*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass


def load_report(user, token: str, *, schema: Schema) -> ImportReport:
    """The report of a staged batch (for the error download); 404 when there is none."""
    path = _staged(user, schema, token, "json")
    if not path.exists():
        raise Http404(GONE)
    return ImportReport.from_dict(json.loads(path.read_text(encoding="utf-8")))


def preview_upload(request, upload, *, schema: Schema) -> tuple[ImportReport, str]:
    """Step 1: check the upload (a dry run) and stage it for confirmation: (report, token)."""
    report = run_import(
        schema=schema, file_obj=upload, filename=upload.name, user=request.user, dry_run=True, request=request
    )
    data = b""
    if report.ok:
        upload.seek(0)
        data = upload.read()
    _sweep()
    token = secrets.token_urlsafe(24)
    _staged(request.user, schema, token, "bin").write_bytes(data)
    _write_report(request.user, schema, token, report)
    return report, token


def confirm_staged(request, token: str, *, schema: Schema) -> ImportReport:
    """Step 2: import exactly the file that was previewed; 404 when the batch is gone, expired or
    not this user's."""
    path = _staged(request.user, schema, token, "bin")
    previewed = load_report(request.user, token, schema=schema)
    if not path.exists() or not previewed.ok:
        raise Http404(GONE)
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != previewed.file_sha256:
        raise Http404(GONE)
    report = run_import(
        schema=schema,
        file_obj=io.BytesIO(data),
        filename=previewed.filename,
        user=request.user,
        dry_run=False,
        request=request,
    )
    if report.ok:
        for suffix in ("bin", "json"):
            _staged(request.user, schema, token, suffix).unlink(missing_ok=True)
    else:
        _write_report(request.user, schema, token, report)
    return report


def attachment(data: bytes, content_type: str, filename: str) -> HttpResponse:
    """A download (template, error report, export) with a Chinese file name."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
