"""Reads of the employment app.

Two separate rules decide who sees what:

* station staff: the jurisdiction mechanism (``canghzou_portal.scoping``) on each model's
  ``jurisdiction_path`` — postings by county, applications by the follow-up station
  (the veteran's station, or the stated county when unmatched), placements, enrolments and
  ventures by the veteran's station;
* employer accounts: ``user.employer`` — their own postings and the applications to them,
  nothing else (another employer's object is a 404). Deny by default: no employer, nothing.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from canghzou_portal.scoping import get_scoped_object_or_404, scope_queryset
from services import codes
from services.models import Station

from .models import (
    Application,
    Employer,
    Enrolment,
    JobFair,
    JobPosting,
    Placement,
    PostingStatus,
    TrainingProgramme,
    Venture,
)

PAGE_SIZE = 20
MAX_PAGE = 500
# The columns a board row shows, fetched as tuples: building model instances for the page cost
# more than the query itself (2.3 ms against 1.4 ms per page at 20,000 postings).
BOARD_COLUMNS = (
    "id",
    "title",
    "category",
    "salary_min",
    "salary_max",
    "headcount",
    "education",
    "veteran_preferred",
    "published_at",
    "expires_on",
    "employer__name",
    "employer__is_partner",
    "county__name",
)
BoardRow = namedtuple(
    "BoardRow",
    "pk title category salary_min salary_max headcount education veteran_preferred published_at expires_on "
    "employer_name employer_is_partner county_name",
)


# --- the public board -------------------------------------------------------------------------
def county_choices() -> list[tuple[str, str]]:
    return list(Station.objects.active().filter(level=codes.COUNTY).order_by("code").values_list("code", "name"))


def public_postings(
    *,
    q: str = "",
    county: str | None = None,
    category: str | None = None,
    min_salary: int | None = None,
    partner_only: bool = False,
) -> QuerySet[JobPosting]:
    """Public postings (``JobPosting.objects.public()``), filtered, newest first.

    Keyword search is ``icontains`` over title, employer name and description on the set the
    other filters leave; it works for Chinese text on every database (see docs/benchmarks.md
    for its cost at 20,000 postings).
    """
    qs = JobPosting.objects.public()
    if county:
        qs = qs.filter(county_id=county)
    if category:
        qs = qs.filter(category=category)
    if min_salary:
        qs = qs.filter(salary_max__gte=min_salary)
    if partner_only:
        qs = qs.filter(employer__is_partner=True)
    for word in (q or "").split()[:5]:
        # Chinese has no letter case: a plain LIKE skips UPPER() on every row (4-10x faster on
        # PostgreSQL); words with Latin letters stay case-insensitive.
        lookup = "icontains" if any(ch.isascii() and ch.isalpha() for ch in word) else "contains"
        qs = qs.filter(
            Q(**{f"title__{lookup}": word})
            | Q(**{f"employer__name__{lookup}": word})
            | Q(**{f"description__{lookup}": word})
        )
    return qs.select_related("employer", "county").order_by("-published_at", "-id")


@dataclass
class BoardPage:
    """A page without a COUNT query: one row more than the page tells whether a next page exists."""

    object_list: list
    number: int
    has_next: bool
    paginator = None

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def __iter__(self):
        return iter(self.object_list)


def board_page(qs: QuerySet, page: int, *, per_page: int = PAGE_SIZE) -> BoardPage:
    start = (page - 1) * per_page
    rows = [BoardRow._make(row) for row in qs.values_list(*BOARD_COLUMNS)[start : start + per_page + 1]]
    return BoardPage(object_list=rows[:per_page], number=page, has_next=len(rows) > per_page)


def public_posting(pk) -> JobPosting:
    try:
        return JobPosting.objects.public().select_related("employer", "county").get(pk=pk)
    except (JobPosting.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("该岗位不存在或已停止招聘") from exc


def feed_postings(limit: int = 50) -> list[JobPosting]:
    return list(
        JobPosting.objects.public().select_related("employer", "county").order_by("-published_at", "-id")[:limit]
    )


def application_status_lookup(*, number: str, id_tail: str) -> Application | None:
    """The application with that number whose ID number ends with ``id_tail`` (6 characters)."""
    import hmac

    number = (number or "").strip().upper()
    id_tail = (id_tail or "").strip().upper()
    if len(id_tail) != 6 or not number:
        return None
    app = Application.objects.filter(number=number).only("id", "status", "id_number").first()
    if app is None or not hmac.compare_digest(app.id_number[-6:].upper(), id_tail):
        return None
    return app


def public_training(today=None) -> QuerySet[TrainingProgramme]:
    today = today or timezone.localdate()
    return (
        TrainingProgramme.objects.filter(end_date__gte=today)
        .select_related("provider", "county")
        .order_by("start_date", "id")
    )


def public_fairs(today=None) -> QuerySet[JobFair]:
    today = today or timezone.localdate()
    return (
        JobFair.objects.filter(date__gte=today - timezone.timedelta(days=90))
        .select_related("county")
        .annotate(employer_count=Count("employers", distinct=True), posting_count=Count("postings", distinct=True))
        .order_by("-date", "-id")
    )


def upcoming_fairs(limit: int = 4, today=None) -> list[JobFair]:
    """The next job fairs from today on, soonest first (home page)."""
    today = today or timezone.localdate()
    return list(JobFair.objects.filter(date__gte=today).select_related("county").order_by("date", "id")[:limit])


# --- employer accounts -----------------------------------------------------------------------
def employer_postings(user) -> QuerySet[JobPosting]:
    return (
        JobPosting.objects.of_employer(getattr(user, "employer_id", None))
        .select_related("county")
        .annotate(application_count=Count("applications"))
        .order_by("-created_at", "-id")
    )


def employer_posting_or_404(user, pk) -> JobPosting:
    try:
        return (
            JobPosting.objects.of_employer(getattr(user, "employer_id", None))
            .select_related("county", "employer")
            .get(pk=pk)
        )
    except (JobPosting.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("未找到该岗位") from exc


def employer_applications(user, *, posting: JobPosting | None = None) -> QuerySet[Application]:
    employer_id = getattr(user, "employer_id", None)
    if not employer_id:
        return Application.objects.none()
    qs = Application.objects.filter(posting__employer_id=employer_id)
    if posting is not None:
        qs = qs.filter(posting=posting)
    return qs.select_related("posting", "stated_county").order_by("-created_at", "-id")


def employer_application_or_404(user, pk) -> Application:
    try:
        return employer_applications(user).get(pk=pk)
    except (Application.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("未找到该申请") from exc


# --- station staff ----------------------------------------------------------------------------
def staff_applications(user, *, status: str = "", follow_up: bool = False) -> QuerySet[Application]:
    qs = scope_queryset(Application.objects.all(), user)
    if status:
        qs = qs.filter(status=status)
    if follow_up:
        qs = qs.filter(needs_follow_up=True)
    return qs.select_related("posting__employer", "veteran", "station", "stated_county").order_by("-created_at", "-id")


def staff_application_or_404(user, pk) -> Application:
    qs = Application.objects.select_related("posting__employer", "veteran__station", "station", "stated_county")
    return get_scoped_object_or_404(qs, user, pk=pk)


def staff_placements(user) -> QuerySet[Placement]:
    return (
        scope_queryset(Placement.objects.all(), user)
        .select_related("veteran__station", "employer")
        .order_by("-start_date", "-id")
    )


def pending_reviews(user) -> QuerySet[JobPosting]:
    if not user.has_perm("employment.review_jobposting"):
        return JobPosting.objects.none()
    return (
        scope_queryset(JobPosting.objects.filter(status=PostingStatus.PENDING), user)
        .select_related("employer", "county")
        .order_by("submitted_at", "id")
    )


def review_posting_or_404(user, pk) -> JobPosting:
    return get_scoped_object_or_404(JobPosting.objects.select_related("employer", "county"), user, pk=pk)


def staff_training(user) -> QuerySet[TrainingProgramme]:
    return (
        scope_queryset(TrainingProgramme.objects.all(), user)
        .select_related("provider", "county")
        .annotate(
            enrolled=Count("enrolments", distinct=True),
            completed_count=Count("enrolments", filter=Q(enrolments__completed=True), distinct=True),
        )
        .order_by("-start_date", "-id")
    )


def staff_fairs(user) -> QuerySet[JobFair]:
    return (
        scope_queryset(JobFair.objects.all(), user)
        .select_related("county")
        .annotate(employer_count=Count("employers", distinct=True))
        .order_by("-date", "-id")
    )


def staff_ventures(user) -> QuerySet[Venture]:
    return scope_queryset(Venture.objects.all(), user).select_related("veteran__station").order_by("-start_date", "-id")


def staff_employers(user) -> QuerySet[Employer]:
    return scope_queryset(Employer.objects.all(), user)


# --- the veteran's panel -------------------------------------------------------------------------
def veteran_employment_summary(veteran) -> dict:
    return {
        "applications": list(
            Application.objects.filter(veteran=veteran).select_related("posting__employer").order_by("-created_at")[:20]
        ),
        "placements": list(Placement.objects.filter(veteran=veteran).select_related("employer")[:20]),
        "enrolments": list(Enrolment.objects.filter(veteran=veteran).select_related("programme")[:20]),
        "ventures": list(Venture.objects.filter(veteran=veteran)[:20]),
    }
