"""Views of the employment app: the public job board, employer pages and clerk screens.

Public on purpose (no login): job_list, job_detail, job_feed, job_apply, job_apply_done,
application_status, training_list, fair_list, fair_detail. Everything under /employers/ and
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
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from canghzou_portal import care_mode
from canghzou_portal.access import is_employer_account, station_staff_required
from canghzou_portal.audit import audit, client_ip
from canghzou_portal.crypto import mask_id_number
from canghzou_portal.lookup_limit import LookupLimit
from canghzou_portal.pagination import CappedCountPaginator
from services.models import AuditEvent

from . import actions, board_cache, board_html, selectors
from .forms import (
    ApplyForm,
    AttendanceForm,
    BulkEnrolForm,
    CheckInForm,
    CompleteForm,
    DropForm,
    EnrolForm,
    FairApplicationForm,
    FairEmployerForm,
    FounderForm,
    IdNumberForm,
    JobSearch,
    MoveForm,
    PostingForm,
    RejectForm,
    StatusLookupForm,
    SupportForm,
    VentureForm,
    VentureRegisterForm,
    VentureStatusForm,
)
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
    key = board_cache.make_key(kind, care_mode.is_on(request), *parts)  # 关怀模式 pages differ
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
        return f"{item.county.name}｜{item.salary_display}｜招聘{item.headcount}人｜截止{date_format(item.expires_on)}\n{item.description}"

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
    fair, fair_notice = _fair_channel(request, posting)
    if request.method == "POST":
        if _limited(request, "jobs-apply", "JOB_APPLY_RATE", "5/m"):
            return _too_many(request, "提交申请")
        form = ApplyForm(request.POST)
        if form.is_valid():
            try:
                application = actions.application_submit(posting=posting, fair=fair, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                request.session["employment_last_application"] = application.number
                return redirect("employment:job_apply_done")
    else:
        form = ApplyForm()
    return render(
        request, "employment/apply.html", {"posting": posting, "form": form, "fair": fair, "fair_notice": fair_notice}
    )


def _fair_channel(request, posting):
    """The fair an application comes through (``?fair=`` on the links of a fair's page and its
    live stream). A link that is no longer valid (the fair ended, the posting is not presented)
    is not an error for the applicant: the page says so and the application is an ordinary one."""
    raw = request.POST.get("fair") if request.method == "POST" else request.GET.get("fair")
    if not raw:
        return None, ""
    notice = "链接中的招聘会信息已失效，本次申请将按普通投递处理"
    if not raw.isdigit():
        return None, notice
    fair = selectors.fair_for_channel(int(raw), posting)
    return (fair, "") if fair else (None, notice)


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


# =============================================================================================
# Training, job fairs and ventures recorded per veteran (issue 22). Station pages: the gate
# above, then the one jurisdiction mechanism (an object outside the user's subtree is a 404).
# =============================================================================================
def _messages_from(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_errors(form, exc: ValidationError) -> None:
    _add_errors(form, exc)


def _todo_filter(request, allowed: tuple[str, ...]) -> str:
    todo = request.GET.get("todo", "")
    return todo if todo in allowed else ""


@station_staff_required("employment.view_trainingprogramme")
@require_GET
def station_training(request):
    todo = _todo_filter(request, ("outcomes",))
    qs = selectors.staff_training(request.user)
    if todo:
        qs = selectors.programmes_awaiting_outcomes(qs, request.user)
    page = CappedCountPaginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "employment/station_training.html",
        {"page": page, "title": "培训项目", "todo": todo, "querystring": f"todo={todo}" if todo else ""},
    )


@station_staff_required("employment.view_trainingprogramme")
@require_http_methods(["GET", "POST"])
def station_programme(request, pk: int):
    """A programme: its totals, the trainees of the user's subtree, and the day's roll call."""
    programme = selectors.staff_programme_or_404(request.user, pk)
    form = AttendanceForm(request.POST or None, initial={"day": timezone.localdate()})
    if request.method == "POST":
        if form.is_valid():
            present = request.POST.getlist("present")
            try:
                if not all(v.isdigit() for v in present):
                    raise ValidationError("所选学员无效，请刷新页面后重试")
                n = actions.attendance_record(
                    programme=programme, day=form.cleaned_data["day"], present_ids=present, user=request.user
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, f"已记录{form.cleaned_data['day']:%Y-%m-%d}的考勤（{n}人）")
                return redirect("employment:station_programme", pk=programme.pk)
    roster = list(selectors.programme_roster(request.user, programme)[:500])
    return render(
        request,
        "employment/station_programme.html",
        {
            "programme": programme,
            "totals": selectors.programme_totals(programme),
            "roster": roster,
            "form": form,
            "can_change": request.user.has_perm("employment.change_enrolment"),
            "can_enrol": request.user.has_perm("employment.add_enrolment"),
        },
    )


@station_staff_required("employment.add_enrolment")
@require_http_methods(["GET", "POST"])
def station_enrol_bulk(request):
    """Enrol a list of veterans (ID numbers, typed or scanned) in one programme: all or nothing."""
    initial = {}
    if request.method == "GET" and request.GET.get("programme"):
        if not request.GET["programme"].isdigit():
            messages.error(request, "培训项目参数无效")
        else:
            initial["programme"] = request.GET["programme"]
    form = BulkEnrolForm(request.POST or None, initial=initial)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        programme = form.cleaned_data["programme"]
        try:
            created = actions.enrolments_create_bulk(
                programme=programme, id_numbers=form.cleaned_data["id_numbers"], user=request.user
            )
        except ValidationError as exc:
            problems = exc.messages
        else:
            audit("enrolment.bulk_create", request=request, obj=programme, count=len(created))
            messages.success(request, f"已为{len(created)}人报名“{programme.title}”")
            return redirect("employment:station_training")
    return render(request, "employment/station_enrol_bulk.html", {"form": form, "problems": problems})


@station_staff_required("employment.add_enrolment")
@require_http_methods(["GET", "POST"])
def station_veteran_enrol(request, pk: int):
    """From the veteran's page: enrol this veteran in an open programme."""
    from veterans.selectors import veteran_get

    veteran = veteran_get(user=request.user, pk=pk)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.enrolment_create(programme=form.cleaned_data["programme"], veteran=veteran, user=request.user)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"已为{veteran.name}报名“{form.cleaned_data['programme'].title}”")
            return redirect("veterans:detail", pk=veteran.pk)
    return render(request, "employment/station_veteran_enrol.html", {"form": form, "veteran": veteran})


@station_staff_required("employment.view_enrolment")
@require_http_methods(["GET", "POST"])
def station_enrolment(request, pk: int):
    """One trainee: attendance, and the completion (result, certificate) or drop-out."""
    enrolment = selectors.staff_enrolment_or_404(request.user, pk)
    verb = request.POST.get("verb") if request.method == "POST" else None
    complete_form = CompleteForm(
        request.POST if verb == "complete" else None, initial={"completed_on": timezone.localdate()}
    )
    drop_form = DropForm(request.POST if verb == "drop" else None, initial={"dropped_on": timezone.localdate()})
    if request.method == "POST":
        form = {"complete": complete_form, "drop": drop_form}.get(verb)
        if form is None:
            messages.error(request, "不支持的操作")
        elif form.is_valid():
            try:
                if verb == "complete":
                    actions.enrolment_complete(enrolment=enrolment, user=request.user, **form.cleaned_data)
                else:
                    actions.enrolment_drop(
                        enrolment=enrolment,
                        dropped_on=form.cleaned_data["dropped_on"],
                        reason=form.cleaned_data["drop_reason"],
                        user=request.user,
                    )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, "已登记结业" if verb == "complete" else "已登记退训")
                return redirect("employment:station_enrolment", pk=enrolment.pk)
    return render(
        request,
        "employment/station_enrolment.html",
        {
            "enrolment": enrolment,
            "attendance": selectors.enrolment_attendance(enrolment),
            "complete_form": complete_form,
            "drop_form": drop_form,
            "can_change": request.user.has_perm("employment.change_enrolment"),
        },
    )


# --- fairs -----------------------------------------------------------------------------------------
@station_staff_required("employment.view_jobfair")
@require_GET
def station_fairs(request):
    todo = _todo_filter(request, ("today",))
    qs = selectors.staff_fairs(request.user)
    if todo:
        qs = qs.filter(date__lte=timezone.localdate(), end_date__gte=timezone.localdate())
    page = CappedCountPaginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "employment/station_fairs.html",
        {"page": page, "title": "招聘会", "todo": todo, "querystring": f"todo={todo}" if todo else ""},
    )


FAIR_VERBS = ("add_employer", "remove_employer", "remove_posting", "register")


@station_staff_required("employment.view_jobfair")
@require_http_methods(["GET", "POST"])
def station_fair(request, pk: int):
    """A fair: its figures (from the records), employers and postings, registrations."""
    fair = selectors.staff_fair_or_404(request.user, pk)
    verb = request.POST.get("verb") if request.method == "POST" else None
    employer_form = FairEmployerForm(request.POST if verb == "add_employer" else None)
    register_form = IdNumberForm(request.POST if verb == "register" else None)
    if request.method == "POST":
        done = _fair_post(request, fair, verb, employer_form, register_form)
        if done:
            return redirect("employment:station_fair", pk=fair.pk)
    registrations = CappedCountPaginator(selectors.fair_registrations(request.user, fair), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "employment/station_fair.html",
        {
            "fair": fair,
            "employers": selectors.fair_employers(fair),
            "postings": selectors.fair_postings(fair),
            "page": registrations,
            "applications": list(selectors.fair_applications(request.user, fair)[:50]),
            "employer_form": employer_form,
            "register_form": register_form,
            "can_change": request.user.has_perm("employment.change_jobfair"),
            "can_register": request.user.has_perm("employment.add_fairregistration"),
            "today": timezone.localdate(),
        },
    )


def _fair_post(request, fair, verb, employer_form, register_form) -> bool:
    """One change on the fair page; True when done (redirect), False to show the form's errors."""
    from veterans.models import Veteran

    try:
        if verb == "add_employer":
            if not employer_form.is_valid():
                return False
            added = actions.fair_add_employer(fair=fair, employer=employer_form.employer, user=request.user)
            messages.success(request, f"已添加参会企业“{employer_form.employer.name}”及其{len(added)}个在招岗位")
        elif verb in ("remove_employer", "remove_posting"):
            target = request.POST.get("target", "")
            if not target.isdigit():
                raise ValidationError("参数无效，请刷新页面后重试")
            if verb == "remove_employer":
                employer = fair.employers.filter(pk=int(target)).first()
                if employer is None:
                    raise ValidationError("该企业不是本场招聘会的参会企业")
                actions.fair_remove_employer(fair=fair, employer=employer, user=request.user)
                messages.success(request, f"已移除参会企业“{employer.name}”")
            else:
                posting = fair.postings.filter(pk=int(target)).first()
                if posting is None:
                    raise ValidationError("该岗位不在本场招聘会的推介岗位中")
                actions.fair_remove_posting(fair=fair, posting=posting, user=request.user)
                messages.success(request, f"已移除推介岗位“{posting.title}”")
        elif verb == "register":
            if not register_form.is_valid():
                return False
            veteran = Veteran.objects.by_id_number(register_form.cleaned_data["id_number"]).first()
            if veteran is None:
                raise ValidationError("退役军人信息库中未找到该身份证号，请先完成信息采集")
            registration = actions.fair_register(fair=fair, veteran=veteran, user=request.user)
            messages.success(request, f"已为{veteran.name}报名，报名编号 {registration.number}")
        else:
            raise ValidationError("不支持的操作")
    except ValidationError as exc:
        form = register_form if verb == "register" else employer_form if verb == "add_employer" else None
        if form is not None:
            _form_errors(form, exc)
            return False
        _messages_from(request, exc)
    return True


@station_staff_required("employment.change_fairregistration")
@require_http_methods(["GET", "POST"])
def station_fair_checkin(request, pk: int):
    """签到 at the door: a clerk scans or types the registration number, application number or ID."""
    fair = selectors.staff_fair_or_404(request.user, pk)
    form = CheckInForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = actions.fair_check_in(fair=fair, code=form.cleaned_data["code"], user=request.user)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            form = CheckInForm()  # ready for the next person
            fair = selectors.staff_fair_or_404(request.user, pk)  # fresh counts
    return render(request, "employment/station_fair_checkin.html", {"fair": fair, "form": form, "result": result})


@station_staff_required("employment.add_fairregistration")
@require_http_methods(["GET", "POST"])
def station_fair_application(request, pk: int):
    """An application made at the fair, for a checked-in veteran, traced to the fair."""
    fair = selectors.staff_fair_or_404(request.user, pk)
    postings = selectors.fair_public_postings(fair)
    form = FairApplicationForm(request.POST or None, postings=postings)
    if request.method == "POST" and form.is_valid():
        try:
            registration = selectors.fair_registration_by_code(fair, form.cleaned_data["registration"])
            posting = next(p for p in postings if p.pk == form.cleaned_data["posting"])
            application = actions.fair_application_record(
                fair=fair, registration=registration, posting=posting, user=request.user
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            audit("application.fair_create", request=request, obj=application, fair=fair.pk)
            messages.success(
                request, f"已登记{registration.veteran.name}投递“{posting.title}”，申请编号 {application.number}"
            )
            return redirect("employment:station_fair", pk=fair.pk)
    return render(request, "employment/station_fair_application.html", {"fair": fair, "form": form})


@require_GET
def fair_detail(request, pk: int):
    """Public page of a fair: the figures, who takes part, the postings presented (with links
    that trace applications to the fair while it runs), and the stream link of a 直播带岗."""
    fair = selectors.public_fair(pk)
    today = timezone.localdate()
    return render(
        request,
        "employment/fair_detail.html",
        {
            "fair": fair,
            "employers": selectors.fair_employers(fair),
            "postings": selectors.fair_public_postings(fair),
            "running": fair.date <= today <= fair.end_date,
        },
    )


# --- ventures --------------------------------------------------------------------------------------
@station_staff_required("employment.view_venture")
@require_GET
def station_ventures(request):
    todo = _todo_filter(request, ("follow_up",))
    qs = selectors.staff_ventures(request.user)
    if todo:
        from .todos import VENTURE_FOLLOW_UP_DAYS, stale_ventures

        qs = stale_ventures(qs, timezone.localdate() - timezone.timedelta(days=VENTURE_FOLLOW_UP_DAYS))
    page = CappedCountPaginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "employment/station_ventures.html",
        {"page": page, "title": "退役军人创业", "todo": todo, "querystring": f"todo={todo}" if todo else ""},
    )


def _veterans_by_id(user, numbers: list[str], label: str):
    """Registry veterans of the user's subtree by ID number (out of scope = not found)."""
    from canghzou_portal.scoping import scope_queryset
    from veterans.models import Veteran

    found = []
    for number in numbers:
        veteran = scope_queryset(Veteran.objects.by_id_number(number), user).first()
        if veteran is None:
            raise ValidationError({label: f"未在本辖区退役军人信息库中找到身份证号{mask_id_number(number)}"})
        found.append(veteran)
    return found


@station_staff_required("employment.add_venture")
@require_http_methods(["GET", "POST"])
def station_venture_new(request):
    initial = {"start_date": timezone.localdate(), "jobs_created": 0}
    preset = request.GET.get("veteran", "")
    if preset:
        from veterans.selectors import veteran_get

        if not preset.isdigit():
            raise Http404("未找到该记录，或不在您的辖区范围内")
        initial["lead_id_number"] = veteran_get(user=request.user, pk=int(preset)).id_number
    form = VentureRegisterForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            (lead,) = _veterans_by_id(request.user, [data["lead_id_number"]], "lead_id_number")
            co_founders = _veterans_by_id(request.user, data["co_founders"], "co_founders")
            venture = actions.venture_register(
                lead=lead, co_founders=co_founders, status=data["status"], user=request.user, **form.action_data()
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"已登记创业项目“{venture.business_name}”")
            return redirect("employment:station_venture", pk=venture.pk)
    return render(request, "employment/station_venture_form.html", {"form": form, "venture": None})


@station_staff_required("employment.change_venture")
@require_http_methods(["GET", "POST"])
def station_venture_edit(request, pk: int):
    venture = selectors.staff_venture_or_404(request.user, pk)
    initial = {name: getattr(venture, name) for name in VentureForm.base_fields}
    form = VentureForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.venture_update(venture=venture, user=request.user, **form.action_data())
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "已保存创业项目信息")
            return redirect("employment:station_venture", pk=venture.pk)
    return render(request, "employment/station_venture_form.html", {"form": form, "venture": venture})


@station_staff_required("employment.view_venture")
@require_http_methods(["GET", "POST"])
def station_venture(request, pk: int):
    """A venture: founders, business registration, incubation, support received, status over time."""
    venture = selectors.staff_venture_or_404(request.user, pk)
    verb = request.POST.get("verb") if request.method == "POST" else None
    status_form = VentureStatusForm(request.POST if verb == "status" else None, initial={"date": timezone.localdate()})
    support_form = SupportForm(request.POST if verb == "support" else None, initial={"date": timezone.localdate()})
    founder_form = FounderForm(request.POST if verb == "founder" else None)
    if request.method == "POST":
        if _venture_post(request, venture, verb, status_form, support_form, founder_form):
            return redirect("employment:station_venture", pk=venture.pk)
    return render(
        request,
        "employment/station_venture.html",
        {
            "venture": venture,
            **selectors.venture_detail(venture),
            "status_form": status_form,
            "support_form": support_form,
            "founder_form": founder_form,
            "can_change": request.user.has_perm("employment.change_venture"),
        },
    )


def _venture_post(request, venture, verb, status_form, support_form, founder_form) -> bool:
    forms_by_verb = {"status": status_form, "support": support_form, "founder": founder_form}
    if verb in ("correct", "void"):
        return _venture_correction(request, venture, verb)
    form = forms_by_verb.get(verb)
    if form is None:
        messages.error(request, "不支持的操作")
        return True
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        if verb == "status":
            actions.venture_set_status(
                venture=venture, to_status=data["to_status"], date=data["date"], note=data["note"], user=request.user
            )
            messages.success(request, "已登记经营状态变更")
        elif verb == "support":
            actions.venture_support_add(venture=venture, user=request.user, **data)
            messages.success(request, "已登记扶持记录")
        else:
            (veteran,) = _veterans_by_id(request.user, [data["id_number"]], "id_number")
            actions.venture_add_founder(venture=venture, veteran=veteran, user=request.user)
            messages.success(request, f"已添加创办人{veteran.name}")
    except ValidationError as exc:
        _form_errors(form, exc)
        return False
    return True


def _venture_correction(request, venture, verb) -> bool:
    """Void a support entry (作废) — the corrected figures are then entered as a new entry."""
    from .models import VentureSupport

    target = request.POST.get("target", "")
    entry = VentureSupport.objects.filter(venture=venture, pk=int(target)).first() if target.isdigit() else None
    if entry is None:
        messages.error(request, "要作废的扶持记录不存在")
        return True
    try:
        actions.venture_support_add(
            venture=venture,
            kind=entry.kind,
            date=timezone.localdate(),
            note=(request.POST.get("note") or "").strip()[:300],
            corrects=entry,
            void=True,
            user=request.user,
        )
    except ValidationError as exc:
        _messages_from(request, exc)
    else:
        messages.success(request, "已作废该扶持记录，如需更正请重新登记正确的记录")
    return True
