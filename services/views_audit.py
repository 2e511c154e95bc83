"""The auditor's view of the audit trail (/station/audit/) with filters and an xlsx export.

Only the auditor role (permission ``services.view_auditevent``) and superusers reach it; the
system administrator does not hold that permission (three-role separation). An auditor at the
city station reads every event; an auditor at a lower station reads the events of staff in
that station's subtree.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from canghzou_portal.audit import audit
from canghzou_portal.exports import escape_formula
from canghzou_portal.pagination import CappedCountPaginator

from . import selectors
from .audit import ACTION_LABELS
from .models import AuditEvent

EXPORT_MAX_ROWS = 50_000
PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    action = forms.CharField(
        label="操作",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"list": "audit-actions", "placeholder": "如 login、export"}),
    )
    username = forms.CharField(label="用户名", required=False, max_length=150)
    result = forms.ChoiceField(label="结果", required=False, choices=[("", "全部"), *AuditEvent.Result.choices])
    date_from = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("date_from", "date_to"):
            self.fields[name].error_messages["invalid"] = f"“{self.fields[name].label}”格式不正确，应为 年-月-日"

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "“截止日期”不能早于“起始日期”")
        return data


def _require_auditor(user) -> None:
    if not user.has_perm("services.view_auditevent"):
        raise PermissionDenied("审计日志仅供审计员查看")


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filtered_events(user, form: AuditFilterForm):
    qs = selectors.audit_events_for(user)
    if not form.is_valid():
        return qs.none()
    data = form.cleaned_data
    if data.get("action"):
        qs = qs.filter(action=data["action"].strip())
    if data.get("username"):
        qs = qs.filter(username=data["username"].strip())
    if data.get("result"):
        qs = qs.filter(result=data["result"])
    if data.get("date_from"):
        qs = qs.filter(time__gte=_day_start(data["date_from"]))
    if data.get("date_to"):
        qs = qs.filter(time__lt=_day_start(data["date_to"] + dt.timedelta(days=1)))
    return qs.order_by("-time", "-id")


@login_required
@require_GET
def audit_list(request):
    _require_auditor(request.user)
    form = AuditFilterForm(request.GET or None)
    qs = (
        filtered_events(request.user, form)
        if request.GET
        else selectors.audit_events_for(request.user).order_by("-time", "-id")
    )
    paginator = CappedCountPaginator(qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    for event in page:
        event.action_label = ACTION_LABELS.get(event.action, event.action)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "services/audit_list.html",
        {"form": form, "page": page, "querystring": params.urlencode(), "action_labels": ACTION_LABELS},
    )


def _cell(value) -> str:
    return escape_formula("" if value is None else str(value))  # no formulas in exports


@login_required
@require_GET
def audit_export(request):
    """The filtered trail as an xlsx file (at most EXPORT_MAX_ROWS rows). The export is itself audited."""
    from openpyxl import Workbook

    _require_auditor(request.user)
    form = AuditFilterForm(request.GET or None)
    qs = (
        filtered_events(request.user, form)
        if request.GET
        else selectors.audit_events_for(request.user).order_by("-time", "-id")
    )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("审计日志")
    sheet.append(["时间", "用户名", "所属服务站", "客户端地址", "操作", "对象类型", "对象ID", "对象", "结果", "详情"])
    results = dict(AuditEvent.Result.choices)
    count = 0
    local = timezone.get_current_timezone()
    for event in qs[:EXPORT_MAX_ROWS].iterator(chunk_size=2000):
        sheet.append(
            [
                timezone.localtime(event.time, local).strftime("%Y-%m-%d %H:%M:%S"),
                _cell(event.username),
                event.station_code,
                event.ip_address or "",
                ACTION_LABELS.get(event.action, event.action),
                event.object_type,
                _cell(event.object_id),
                _cell(event.object_repr),
                results.get(event.result, event.result),
                _cell(event.detail and str(event.detail)),
            ]
        )
        count += 1
    buffer = BytesIO()
    workbook.save(buffer)
    filters = {k: v for k, v in request.GET.items() if k != "page" and v}
    audit("export", request=request, model="services.AuditEvent", rows=count, filters=filters)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.xlsx"'
    return response
