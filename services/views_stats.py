"""Monthly statistics pages: /station/stats/ (figures, child stations, 12-month trend) and the
xlsx 月报 export. Jurisdiction through canghzou_portal.scoping; a constant number of queries."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from canghzou_portal import codes
from canghzou_portal.access import station_staff_required
from canghzou_portal.audit import audit
from canghzou_portal.exports import escape_formula
from canghzou_portal.scoping import get_scoped_object_or_404, user_can_reach_code

from . import selectors, stats
from .models import METRIC_KEYS, MonthlyStatistic, Station

MONTH_RE = re.compile(r"^\d{4}-\d{2}$")
PERMISSION = "services.view_monthlystatistic"
LABELS = {key: str(MonthlyStatistic._meta.get_field(key).verbose_name) for key in METRIC_KEYS}
# Figures shown as cards above the table, and the series of the trend chart.
CARD_KEYS = (
    "veterans_total",
    "veterans_new",
    "veterans_employable",
    "veterans_employed",
    "employment_rate",
    "placements",
    "ventures_new",
    "service_visits",
    "service_consultations",
    "service_aid_count",
    "service_aid_amount",
    "commendations_delivered",
    "honors_awarded",
    "jobs_published",
    "applications",
    "training_school_enterprise",
    "training_enterprise",
)
TREND_KEYS = ("veterans_total", "veterans_employed", "veterans_new", "service_visits", "service_consultations")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _month_choices(today, selected, count: int = 36) -> list[tuple[str, str]]:
    """("YYYY-MM", "YYYY年M月") for the last ``count`` months, newest first (plus the selection)."""
    choices = []
    year, month = today.year, today.month
    for _ in range(count):
        choices.append((f"{year:04d}-{month:02d}", f"{year}年{month}月"))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    value = f"{selected:%Y-%m}"
    if value not in {v for v, _ in choices}:
        choices.append((value, f"{selected.year}年{selected.month}月"))
    return choices


class BadQuery(ValueError):
    """A query parameter that cannot be used (message in Chinese)."""


def _target_station(request, home: Station) -> Station:
    code = request.GET.get("station", "").strip()
    if not code or code == home.code:
        return home
    if not codes.is_valid_code(code):
        raise Http404("区划代码不正确")
    return get_scoped_object_or_404(Station, request.user, code=code)


def _month(request, station: Station) -> date:
    value = request.GET.get("month", "").strip()
    if not value:
        return stats.latest_month(station.code) or stats.previous_month(timezone.localdate())
    if not MONTH_RE.match(value):
        raise BadQuery(f"统计月份“{value[:20]}”格式不正确，应为 YYYY-MM（例如 2026-10）")
    try:
        month = stats.parse_month(value)
    except ValueError as exc:
        raise BadQuery(f"统计月份“{value[:20]}”不正确，应为 2000-01 至本月之间的月份") from exc
    try:
        return stats.assert_not_future(month)
    except ValueError as exc:
        raise BadQuery(str(exc)) from exc


def _query(station: Station, month: date, sort: str | None = None, **extra) -> str:
    params = {"station": station.code, "month": f"{month:%Y-%m}"}
    if sort and sort != "code":
        params["sort"] = sort
    params.update(extra)
    return "?" + urlencode(params)


def _display(key: str, value) -> str:
    if value is None:
        return "—"
    if key == "employment_rate":
        return f"{value}%"
    if key in stats.DECIMAL_KEYS:
        return f"{value:,.2f}"
    return f"{value:,}"


@station_staff_required(PERMISSION, message="您没有查看统计报表的权限")
@require_GET
def stats_page(request):
    home = request.station
    station = _target_station(request, home)
    chain = selectors.station_chain(station)
    for link in chain:
        link.reachable = user_can_reach_code(request.user, link.code)
    context = {"station": station, "chain": chain, "home": home, "labels": LABELS}
    try:
        month = _month(request, station)
        sort = (request.GET.get("sort") or "code").strip()
        order = stats.parse_sort(sort)
    except (BadQuery, ValueError) as exc:
        context["error"] = str(exc)
        return render(request, "services/stats.html", context, status=400)

    row = stats.station_month(station.code, month)
    children = stats.child_rows(station.code, month, order) if row else []
    own = stats.own_figures(row, children) if row and children else None
    columns = []
    for key in ("code", *METRIC_KEYS):
        state = "asc" if sort == key else "desc" if sort == f"-{key}" else ""
        next_sort = f"-{key}" if state == "asc" else key
        columns.append(
            {
                "key": key,
                "label": "服务站" if key == "code" else LABELS[key],
                "state": state,
                "url": _query(station, month, next_sort),
            }
        )
    trend = stats.trend(station.code, month)
    context.update(
        {
            "month": month,
            "month_value": f"{month:%Y-%m}",
            "max_month": f"{timezone.localdate():%Y-%m}",
            "month_choices": _month_choices(timezone.localdate(), month),
            "sort": sort,
            "row": row,
            "cards": [(LABELS[k], _display(k, getattr(row, k))) for k in CARD_KEYS] if row else [],
            "children": [
                {
                    "station": c.station,
                    "url": _query(c.station, month, sort),
                    "values": [_display(k, getattr(c, k)) for k in METRIC_KEYS],
                }
                for c in children
            ],
            "own": [_display(k, own[k]) for k in METRIC_KEYS] if own else None,
            "total": [_display(k, getattr(row, k)) for k in METRIC_KEYS] if row else None,
            "columns": columns,
            "export_url": "/station/stats/export/" + _query(station, month),
            "is_village": station.level == codes.VILLAGE,
            "trend_data": {
                "months": [f"{m:%Y-%m}" for m, _ in trend],
                "series": [
                    {"key": k, "name": LABELS[k], "data": [getattr(r, k) if r else None for _, r in trend]}
                    for k in TREND_KEYS
                ],
                "rate": {
                    "name": LABELS["employment_rate"],
                    "data": [float(r.employment_rate) if r else None for _, r in trend],
                },
            },
        }
    )
    return render(request, "services/stats.html", context)


@station_staff_required(PERMISSION, message="您没有查看统计报表的权限")
@require_GET
def stats_export(request):
    home = request.station
    station = _target_station(request, home)
    try:
        month = _month(request, station)
    except BadQuery as exc:
        return render(request, "services/stats.html", {"station": station, "error": str(exc)}, status=400)
    row = stats.station_month(station.code, month)
    if row is None:
        raise Http404("该月统计尚未生成")
    children = stats.child_rows(station.code, month)
    own = stats.own_figures(row, children) if children else None
    content = build_monthly_report(station, month, row, children, own)
    audit("stats_export", request=request, obj=station, month=f"{month:%Y-%m}", rows=len(children))
    filename = f"{station.name}{month:%Y年%m月}退役军人服务月报.xlsx"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def build_monthly_report(station: Station, month: date, row, children, own) -> bytes:
    """The 月报 workbook: one row per child station, the station's own records (本级), the total."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = f"{month:%Y-%m}月报"
    headers = ["服务站", "区划代码", "层级", *(LABELS[k] for k in METRIC_KEYS)]
    title = escape_formula(f"{station.display_name} {month:%Y年%m月} 退役军人服务工作月报")
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([f"统计范围：各服务站及其全部下级；数据计算时间：{timezone.localtime(row.computed_at):%Y-%m-%d %H:%M}"])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(headers))
    ws.append(headers)
    header_row = ws.max_row
    thin = Side(style="thin", color="999999")
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2DCDB")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def values(source) -> list:
        out = []
        for key in METRIC_KEYS:
            value = source[key] if isinstance(source, dict) else getattr(source, key)
            out.append(float(value) if isinstance(value, Decimal) else value)
        return out

    for child in children:
        ws.append(
            [escape_formula(child.station.name), child.station.code, child.station.get_level_display(), *values(child)]
        )
    if own is not None:
        ws.append([escape_formula(f"{station.name}（本级）"), station.code, station.get_level_display(), *values(own)])
    ws.append(["合计", station.code, station.get_level_display(), *values(row)])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    rate_col = 4 + METRIC_KEYS.index("employment_rate")
    amount_cols = [4 + METRIC_KEYS.index(key) for key in stats.DECIMAL_KEYS]
    for r in ws.iter_rows(min_row=header_row, max_row=ws.max_row):
        for cell in r:
            cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    for r in range(header_row + 1, ws.max_row + 1):
        ws.cell(r, rate_col).number_format = "0.0"
        for amount_col in amount_cols:
            ws.cell(r, amount_col).number_format = "#,##0.00"
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 15
    for col in range(3, len(headers) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 12
    ws.row_dimensions[header_row].height = 32
    ws.freeze_panes = ws.cell(header_row + 1, 4)
    ws.append([])
    ws.append(["说明：就业率 = 已就业人数 ÷ 有就业能力人数 × 100%（保留一位小数）；口径见统计说明。"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
