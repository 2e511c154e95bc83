"""Views of the employment app: the public job board, employer pages and clerk screens.

Public on purpose (no login): job_list, job_detail, job_feed, job_apply, job_apply_done,
application_status, training_list, fair_list. Everything under /employers/ and
/station/employment/ requires login.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from canghzou_portal.access import is_employer_account, station_staff_required
from canghzou_portal.audit import audit, client_ip
from canghzou_portal.lookup_limit import LookupLimit
from canghzou_portal.pagination import CappedCountPaginator
from services.models import AuditEvent

from . import actions, board_cache, board_html, selectors
from .forms import ApplyForm, JobSearch, MoveForm, PostingForm, RejectForm, StatusLookupForm
from .models import ApplicationStatus, JobCategory, JobPosting, PostingStatus

COUNTIES_KEY = "jobs:counties"


_counties_memo: dict[str, tuple[float, list]] = {}


def _counties() -> list[tuple[str, str]]:
    """County filter choices: reference data (changes with load_stations only), kept one
    minute in the process and an hour in the shared cache."""
    now = time.monotonic()
    memo = _counties_memo.get(COUNTIES_KEY)
    if memo and memo[0] > now:
        return memo[1]
    counties = cache.get(COUNTIES_KEY)
    if counties is None:
        counties = selectors.county_choices()
        cache.set(COUNTIES_KEY, counties, 3600)
    _counties_memo[COUNTIES_KEY] = (now + 60, counties)
    return counties


def _too_many(request, what: str):
    return render(
        request,
        "errors/error.html",
        {"code": 429, "title": "操作过于频繁", "message": f"{what}过于频繁，请稍等一分钟后再试。"},
        status=429,
    )


def _limited(request, group: str, rate_setting: str, default: str) -> bool:
    return is_ratelimited(
        request,
        group=group,
        key="ip",
        rate=getattr(settings, rate_setting, default),
        method="POST",
        increment=True,
    )


# --- public board -------------------------------------------------------------------------------
def home_context(request) -> dict:
    """The home page's latest postings and upcoming fairs (settings.PORTAL_HOME_CONTEXT)."""
    return {"postings": selectors.feed_postings(limit=6), "fairs": selectors.upcoming_fairs(limit=4)}


def _whole_page_cacheable(request) -> bool:
    """Anonymous visitors without a session get the whole page from the cache; anyone else
    (signed in, or with a session that may carry messages) gets it rendered around the cached
    fragment."""
    # Without a session cookie the visitor is anonymous (sessions are the only login).
    return board_cache.enabled() and settings.SESSION_COOKIE_NAME not in request.COOKIES


def _page_from_cache(request, kind: str, parts: tuple, render_page):
    if not _whole_page_cacheable(request):
        return render_page()
    key = board_cache.make_key(kind, *parts)
    html = board_cache.fetch(key)
    if html is not None:
        return HttpResponse(html)
    response = render_page()
    body = response.content.decode()
    # A page that set a cookie or carries a CSP nonce is specific to this request.
    if response.status_code == 200 and not response.cookies and "nonce=" not in body:
        board_cache.store(key, body)
    return response


@require_GET
def job_list(request):
    return _page_from_cache(request, "list-page", (sorted(request.GET.lists()),), lambda: _render_job_list(request))


def _render_job_list(request):
    counties = _counties()
    form = JobSearch(request.GET, counties=counties)
    page = form.page
    filters = form.filters()
    query = {k: v for k, v in filters.items() if v}
    if query.pop("partner_only", False):
        query["partner"] = "1"
    querystring = urlencode(query)
    parts = (sorted(query.items()), page)

    def render_results() -> str:
        page_obj = selectors.board_page(page=page, **filters)
        return board_html.results_html(page_obj, querystring)

    results = board_cache.get_or_render("list", parts, render_results)
    raw = request.GET
    return render(
        request,
        "employment/job_list.html",
        {
            "q": raw.get("q", ""),
            "min_salary": raw.get("min_salary", ""),
            "county_options": board_html.options_html(counties, filters["county"]),
            "category_options": board_html.options_html(JobCategory.choices, filters["category"]),
            "errors": form.errors,
            "results": results,
            "filters": filters,
        },
    )


@require_GET
def job_detail(request, pk: int):
    def render_detail() -> str:
        posting = selectors.public_posting(pk, only=selectors.DETAIL_FIELDS)
        return render_to_string("employment/_job_detail.html", {"posting": posting})

    def render_page():
        body = board_cache.get_or_render("detail", (pk,), render_detail)
        return render(request, "employment/job_detail.html", {"body": body, "pk": pk})

    return _page_from_cache(request, "detail-page", (pk,), render_page)


class JobFeed(Feed):
    feed_type = Atom1Feed
    title = "沧州市退役军人就业岗位"
    subtitle = "沧州市退役军人事务局审核发布的招聘岗位（最新50条）"
    link = "/jobs/"

    def items(self):
        return selectors.feed_postings()

    def item_title(self, item: JobPosting):
        return f"{item.title} - {item.employer.name}"

    def item_description(self, item: JobPosting):
        return f"{item.county.name}｜{item.salary_display}｜招聘{item.headcount}人｜截止{item.expires_on:%Y-%m-%d}\n{item.description}"

    def item_link(self, item: JobPosting):
        return reverse("employment:job_detail", args=[item.pk])

    def item_pubdate(self, item: JobPosting):
        return item.published_at

    def item_updateddate(self, item: JobPosting):
        return item.updated_at


job_feed = JobFeed()


@require_http_methods(["GET", "POST"])
def job_apply(request, pk: int):
    posting = selectors.public_posting(pk)
    if request.method == "POST":
        if _limited(request, "jobs-apply", "JOB_APPLY_RATE", "5/m"):
            return _too_many(request, "提交申请")
        form = ApplyForm(request.POST)
        if form.is_valid():
            try:
                application = actions.application_submit(posting=posting, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                request.session["employment_last_application"] = application.number
                return redirect("employment:job_apply_done")
    else:
        form = ApplyForm()
    return render(request, "employment/apply.html", {"posting": posting, "form": form})


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_GET
def job_apply_done(request):
    number = request.session.get("employment_last_application")
    if not number:
        return redirect("employment:job_list")
    return render(request, "employment/apply_done.html", {"number": number})


def status_lookup_limit() -> LookupLimit:
    """Misses of /jobs/applications/status/: per application number from all addresses (the ID tail
    has ~31,000 values) and per address for all numbers (settings JOB_STATUS_MISSES_PER_*)."""
    return LookupLimit(
        "jobs-status",
        key_misses=settings.JOB_STATUS_MISSES_PER_NUMBER,
        address_misses=settings.JOB_STATUS_MISSES_PER_ADDRESS,
    )


@require_http_methods(["GET", "POST"])
def application_status(request):
    result = None
    if request.method == "POST":
        if _limited(request, "jobs-status", "JOB_STATUS_RATE", "10/m"):
            return _too_many(request, "查询")
        form = StatusLookupForm(request.POST)
        if form.is_valid():
            limit, address = status_lookup_limit(), client_ip(request)
            number = form.cleaned_data["number"]
            refused = limit.blocked(key=number, address=address)
            if refused:
                return render(
                    request,
                    "errors/error.html",
                    {"code": 429, "title": "查询次数过多", "message": limit.message(refused)},
                    status=429,
                )
            app = selectors.application_status_lookup(**form.cleaned_data)
            if app is None:
                reached = limit.miss(key=number, address=address)
                if reached:  # once per number or address and window: the trail is not flooded
                    audit(
                        "lookup_locked",
                        request=request,
                        result=AuditEvent.Result.DENIED,
                        lookup=limit.name,
                        by="+".join(reached),
                    )
                form.add_error(None, "未找到对应的申请，请核对申请编号和身份证号后6位")
            else:
                result = app.get_status_display()
    else:
        form = StatusLookupForm()
    return render(request, "employment/application_status.html", {"form": form, "result": result})


@require_GET
def training_list(request):
    page = CappedCountPaginator(selectors.public_training(), 20).get_page(request.GET.get("page"))
    return render(request, "employment/training_public.html", {"page": page})


@require_GET
def fair_list(request):
    page = CappedCountPaginator(selectors.public_fairs(), 20).get_page(request.GET.get("page"))
    return render(request, "employment/fairs_public.html", {"page": page})


# --- employer pages ---------------------------------------------------------------------------------
def _require_employer(user) -> None:
    if not is_employer_account(user):
        raise PermissionDenied("此页面仅供企业用户使用")


@login_required
@require_GET
def employer_home(request):
    _require_employer(request.user)
    page = CappedCountPaginator(selectors.employer_postings(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "employment/employer_home.html", {"page": page, "employer": request.user.employer})


@login_required
@require_http_methods(["GET", "POST"])
def employer_posting_edit(request, pk: int | None = None):
    _require_employer(request.user)
    posting = selectors.employer_posting_or_404(request.user, pk) if pk else None
    if posting and posting.status not in (PostingStatus.DRAFT, PostingStatus.REJECTED):
        messages.error(request, f"岗位当前状态为“{posting.get_status_display()}”，不能修改")
        return redirect("employment:employer_posting", pk=posting.pk)
    form = PostingForm(request.POST or None, instance=posting)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in form.Meta.fields}
        try:
            if posting:
                posting = actions.posting_update(posting=posting, user=request.user, **data)
            else:
                posting = actions.posting_create(user=request.user, **data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "岗位已保存为草稿，提交审核后由退役军人事务部门审核发布")
            return redirect("employment:employer_posting", pk=posting.pk)
    return render(request, "employment/employer_posting_form.html", {"form": form, "posting": posting})


@login_required
@require_GET
def employer_posting(request, pk: int):
    _require_employer(request.user)
    posting = selectors.employer_posting_or_404(request.user, pk)
    page = CappedCountPaginator(selectors.employer_applications(request.user, posting=posting), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "employment/employer_posting.html", {"posting": posting, "page": page})


@login_required
@require_POST
def employer_posting_action(request, pk: int, verb: str):
    _require_employer(request.user)
    posting = selectors.employer_posting_or_404(request.user, pk)
    action = {"submit": actions.posting_submit, "close": actions.posting_close}.get(verb)
    if action is None:
        raise PermissionDenied("不支持的操作")
    try:
        action(posting=posting, user=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        audit(f"jobposting.{verb}", request=request, obj=posting)
        messages.success(request, "已提交审核" if verb == "submit" else "岗位已关闭")
    return redirect("employment:employer_posting", pk=posting.pk)


@login_required
@require_http_methods(["GET", "POST"])
def employer_application(request, pk: int):
    _require_employer(request.user)
    application = selectors.employer_application_or_404(request.user, pk)
    return _application_page(request, application, "employment/employer_application.html", "employer_application")


def _application_page(request, application, template: str, url_name: str):
    if request.method == "POST":
        form = MoveForm(request.POST)
        if form.is_valid():
            try:
                actions.application_move(
                    application=application, to_status=form.cleaned_data["to_status"], user=request.user
                )
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
            else:
                audit("application.move", request=request, obj=application, to=form.cleaned_data["to_status"])
                messages.success(request, "申请状态已更新")
        else:
            messages.error(request, "所选状态无效，请重新选择")
        return redirect(f"employment:{url_name}", pk=application.pk)
    choices = dict(ApplicationStatus.choices)
    next_steps = [(s, choices[s]) for s in application.allowed_next]
    return render(request, template, {"application": application, "next_steps": next_steps})


# --- station screens ----------------------------------------------------------------------------------
@station_staff_required("employment.view_application")
@require_GET
def station_home(request):
    station = request.station
    tab = request.GET.get("tab", "applications")
    status = request.GET.get("status", "")
    if status not in dict(ApplicationStatus.choices):
        status = ""
    if tab == "placements":
        qs = selectors.staff_placements(request.user)
    elif tab == "follow_up":
        qs = selectors.staff_applications(request.user, follow_up=True)
    else:
        tab = "applications"
        qs = selectors.staff_applications(request.user, status=status)
    page = CappedCountPaginator(qs, 20).get_page(request.GET.get("page"))
    querystring = urlencode({k: v for k, v in (("tab", tab), ("status", status)) if v})
    return render(
        request,
        "employment/station_home.html",
        {
            "station": station,
            "tab": tab,
            "page": page,
            "status": status,
            "statuses": ApplicationStatus.choices,
            "querystring": querystring,
            "pending_count": selectors.pending_reviews(request.user).count()
            if request.user.has_perm("employment.review_jobposting")
            else None,
        },
    )


@station_staff_required("employment.view_application")
@require_http_methods(["GET", "POST"])
def station_application(request, pk: int):
    application = selectors.staff_application_or_404(request.user, pk)
    return _application_page(request, application, "employment/station_application.html", "station_application")


@station_staff_required("employment.change_application")
@require_POST
def station_application_match(request, pk: int):
    application = selectors.staff_application_or_404(request.user, pk)
    try:
        actions.application_match(application=application, user=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已匹配到退役军人登记信息")
    return redirect("employment:station_application", pk=application.pk)


@station_staff_required("employment.review_jobposting")
@require_GET
def station_reviews(request):
    page = CappedCountPaginator(selectors.pending_reviews(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "employment/station_reviews.html", {"page": page})


@station_staff_required("employment.review_jobposting")
@require_http_methods(["GET", "POST"])
def station_review(request, pk: int):
    posting = selectors.review_posting_or_404(request.user, pk)
    reject_form = RejectForm(request.POST if request.POST.get("verb") == "reject" else None)
    if request.method == "POST":
        verb = request.POST.get("verb")
        try:
            if verb == "publish":
                actions.posting_publish(posting=posting, user=request.user)
            elif verb == "reject":
                if not reject_form.is_valid():
                    raise ValidationError([m for errors in reject_form.errors.values() for m in errors])
                actions.posting_reject(posting=posting, user=request.user, reason=reject_form.cleaned_data["reason"])
            elif verb == "close":
                actions.posting_close(posting=posting, user=request.user)
            else:
                raise ValidationError("不支持的操作")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            audit(f"jobposting.{verb}", request=request, obj=posting)
            messages.success(request, {"publish": "岗位已发布", "reject": "岗位已驳回", "close": "岗位已关闭"}[verb])
            return redirect("employment:station_reviews")
    return render(request, "employment/station_review.html", {"posting": posting, "reject_form": reject_form})


def _station_list(request, title: str, qs, template: str):
    page = CappedCountPaginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, template, {"page": page, "title": title})


@station_staff_required("employment.view_trainingprogramme")
@require_GET
def station_training(request):
    return _station_list(
        request,
        "培训项目",
        selectors.staff_training(request.user),
        "employment/station_training.html",
    )


@station_staff_required("employment.view_jobfair")
@require_GET
def station_fairs(request):
    return _station_list(
        request,
        "招聘会",
        selectors.staff_fairs(request.user),
        "employment/station_fairs.html",
    )


@station_staff_required("employment.view_venture")
@require_GET
def station_ventures(request):
    return _station_list(
        request,
        "退役军人创业",
        selectors.staff_ventures(request.user),
        "employment/station_ventures.html",
    )
