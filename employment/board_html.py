"""HTML of the job board's result list, built in Python.

The list is the hottest page of the portal; Django's template engine spent ~15 ms rendering
20 rows (a variable lookup costs microseconds, a row has ~25). Plain string building with
``escape`` does the same in well under a millisecond. Every value is escaped.
"""

from __future__ import annotations

from html import escape  # what django.utils.html.escape calls, without the SafeString wrapping

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString

from .models import EducationRequirement, JobCategory

CATEGORY = dict(JobCategory.choices)
EDUCATION = dict(EducationRequirement.choices)


def _row(p, detail_prefix: str, tz) -> str:
    badges = ""
    if p.veteran_preferred:
        badges += ' <span class="badge bg-danger-subtle text-danger-emphasis">退役军人优先</span>'
    if p.employer_is_partner:
        badges += ' <span class="badge bg-warning-subtle text-warning-emphasis">拥军企业</span>'
    published = date_format(p.published_at.astimezone(tz).date()) if p.published_at else ""  # timezone.localtime
    # 关怀模式 (static/css/portal.css) keeps the essentials — employer, county, deadline — one to a line.
    meta = "".join(
        (
            f'<span class="care-line">{escape(p.employer_name)}</span>',
            f'<span class="sep care-line">{escape(p.county_name)}</span>',
            f'<span class="sep care-hide">{CATEGORY.get(p.category, "")}</span>',
            f'<span class="sep care-hide">招聘{p.headcount}人</span>',
            f'<span class="sep care-hide">{EDUCATION.get(p.education, "")}</span>',
            f'<span class="sep care-line">截止{date_format(p.expires_on)}</span>',
            f'<span class="sep care-hide">发布于{published}</span>',
        )
    )
    return (
        f'<a class="list-group-item list-group-item-action" href="{detail_prefix}{p.pk}/">'
        f'<div class="d-flex justify-content-between flex-wrap"><div><span class="fw-bold job-title">'
        f"{escape(p.title)}</span>{badges}</div>"
        f'<div class="text-danger fw-bold">{p.salary_min}-{p.salary_max}元/月</div></div>'
        f'<div class="small text-muted job-meta">{meta}</div></a>'
    )


def _pagination(page, querystring: str) -> str:
    if not page.has_other_pages():
        return ""
    prefix = f"?{escape(querystring)}&amp;" if querystring else "?"
    items = []
    if page.has_previous:
        items.append(
            f'<li class="page-item"><a class="page-link" href="{prefix}page={page.number - 1}">上一页</a></li>'
        )
    items.append(f'<li class="page-item disabled"><span class="page-link">第 {page.number} 页</span></li>')
    if page.has_next:
        items.append(
            f'<li class="page-item"><a class="page-link" href="{prefix}page={page.number + 1}">下一页</a></li>'
        )
    return f'<nav aria-label="分页"><ul class="pagination pagination-sm flex-wrap">{"".join(items)}</ul></nav>'


def options_html(options, selected) -> SafeString:
    """``<option>`` elements of a filter ``<select>`` (the template's loop cost ~0.3 ms a page)."""
    return SafeString(
        "".join(
            f'<option value="{escape(value)}"{" selected" if value == selected else ""}>{escape(str(label))}</option>'
            for value, label in options
        )
    )


def results_html(page, querystring: str) -> str:
    if not page.object_list:
        text = "没有更多岗位了。" if page.number > 1 else "没有找到符合条件的岗位，请更换关键词或筛选条件再试。"
        return f'<div class="alert alert-light border" id="job-results-empty">{text}</div>'
    detail_prefix = reverse("employment:job_list")
    tz = timezone.get_current_timezone()
    rows = "".join(_row(p, detail_prefix, tz) for p in page.object_list)
    return f'<div class="list-group mb-3" id="job-results">{rows}</div>{_pagination(page, querystring)}'
