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

import datetime
import functools
from collections import namedtuple
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from canghzou_portal import codes
from canghzou_portal.crypto import blind_index
from canghzou_portal.scoping import get_scoped_object_or_404, scope_queryset
from services.models import Station
from veterans.validators import normalize_id_number

from . import search
from .models import (
    Application,
    ApplicationStatus,
    Employer,
    Enrolment,
    FairRegistration,
    JobFair,
    JobPosting,
    Placement,
    PostingStatus,
    SupportKind,
    TrainingAttendance,
    TrainingProgramme,
    Venture,
    VentureFounder,
    VentureSupport,
)
from .numbers import normalize_application_number

PAGE_SIZE = 20
MAX_PAGE = 500
BoardRow = namedtuple(
    "BoardRow",
    "pk title category salary_min salary_max headcount education veteran_preferred published_at expires_on "
    "employer_name employer_is_partner county_name",
)


# --- the public board -------------------------------------------------------------------------
def county_choices() -> list[tuple[str, str]]:
    return list(Station.objects.active().filter(level=codes.COUNTY).order_by("code").values_list("code", "name"))


# The board's one query, written out: building and compiling it with the ORM cost more CPU than
# PostgreSQL needed to run it (1.2 ms against 0.4-1 ms per page at 20,000 postings), and joins
# made PostgreSQL plan three tables (~1 ms a query). Employer (organization) and county names are scalar
# subqueries, evaluated for the rows of the page only. Its WHERE starts with the compiled
# WHERE of ``JobPosting.objects.public()`` (the one rule of public visibility);
# employment/tests/test_search.py checks it returns exactly the ORM's rows for every filter.
# Only fixed SQL is put together here; every value from the request is a query parameter.
_P = '"employment_jobposting"'  # the board query names the table as Django's compiled filters do
_BOARD_SQL = """
SELECT {p}.id, {p}.title, {p}.category, {p}.salary_min, {p}.salary_max, {p}.headcount, {p}.education,
       {p}.veteran_preferred, {p}.published_at, {p}.expires_on,
       (SELECT o.name FROM employment_employer e JOIN services_organization o ON o.id = e.organization_id
        WHERE e.id = {p}.employer_id),
       (SELECT e.is_partner FROM employment_employer e WHERE e.id = {p}.employer_id),
       (SELECT s.name FROM services_station s WHERE s.code = {p}.county_id)
FROM {p}
WHERE {where}
ORDER BY {p}.published_at DESC, {p}.id DESC
LIMIT %s OFFSET %s""".replace("{p}", _P)


def _like(column: str, internal_type: str, word: str, lookup: str) -> tuple[str, str]:
    """``column`` contains ``word``, in the SQL Django writes for the ``contains``/``icontains``
    lookup on this database (escaping, case, casts)."""
    ops = connection.ops
    lhs = ops.lookup_cast(lookup, internal_type) % column
    return f"{lhs} {connection.operators[lookup] % '%s'}", f"%{ops.prep_for_like_query(word)}%"


def _keyword_sql(word: str, *, case_insensitive: bool) -> tuple[str, list]:
    lookup = "icontains" if case_insensitive else "contains"
    title, p1 = _like(f"{_P}.title", "CharField", word, lookup)
    description, p2 = _like(f"{_P}.description", "TextField", word, lookup)
    employer, p3 = _like("o.name", "CharField", word, lookup)
    subquery = (
        f"{_P}.employer_id IN (SELECT e.id FROM employment_employer e"  # noqa: S608
        f" JOIN services_organization o ON o.id = e.organization_id WHERE {employer})"
    )
    sql = f"({title} OR {description} OR {subquery})"
    return sql, [p1, p2, p3]


def board_page(
    *,
    page: int = 1,
    q: str = "",
    county: str | None = None,
    category: str | None = None,
    min_salary: int | None = None,
    partner_only: bool = False,
    per_page: int = PAGE_SIZE,
) -> BoardPage:
    """One page of public postings (published, not past expiry), filtered, newest first, in one query.

    Keyword search is ``LIKE`` over title, employer name and description (every word must
    match), so it works for Chinese text on every database. On PostgreSQL the GIN index of
    character grams (``employment/search.py``, migration 0005) first narrows the candidates to
    the postings holding all of the words' character pairs; the LIKE decides, so the results are
    those of LIKE alone.
    """
    public_sql, public_params = _public_where(timezone.localdate(), connection.vendor)
    where = [public_sql]
    params: list = list(public_params)
    if county:
        where.append(f"{_P}.county_id = %s")
        params.append(county)
    if category:
        where.append(f"{_P}.category = %s")
        params.append(category)
    if min_salary:
        where.append(f"{_P}.salary_max >= %s")
        params.append(min_salary)
    if partner_only:
        where.append(f"{_P}.employer_id IN (SELECT e.id FROM employment_employer e WHERE e.is_partner = %s)")  # noqa: S608
        params.append(True)
    needed: set[str] = set()
    for word in (q or "").split()[:5]:
        # Chinese has no letter case: a plain LIKE skips UPPER() on every row (4-10x faster on
        # PostgreSQL); words with Latin letters stay case-insensitive.
        case_insensitive = any(ch.isascii() and ch.isalpha() for ch in word)
        sql, like_params = _keyword_sql(word, case_insensitive=case_insensitive)
        where.append(sql)
        params += like_params
        needed.update(search.keyword_grams(word, case_insensitive=case_insensitive))
    if needed and connection.vendor == "postgresql":
        where.append(f"{search.PG_GRAMS_SQL % f'{_P}.search_grams'} @> %s::text[]")
        params.append(sorted(needed))
    params += [per_page + 1, (page - 1) * per_page]
    with connection.cursor() as cursor:
        cursor.execute(_BOARD_SQL.format(where=" AND ".join(where)), params)
        rows = cursor.fetchall()
    rows = [BoardRow._make(_aware(row)) for row in rows]
    return BoardPage(object_list=rows[:per_page], number=page, has_next=len(rows) > per_page)


@functools.lru_cache(maxsize=4)
def _public_where(today, vendor: str) -> tuple[str, tuple]:
    """The WHERE clause of ``JobPosting.objects.public(today)``, compiled — the board restates
    nothing. Once a day per database: compiling it cost 0.26 ms, a tenth of an uncached page.
    Django binds parameters client-side, so PostgreSQL sees the status as a constant and matches
    the partial index on it."""
    query = JobPosting.objects.public(today).query
    sql, params = query.get_compiler(connection=connection).compile(query.where)
    return sql, tuple(params)


def _aware(row: tuple) -> tuple:
    published = row[8]
    if published is not None and timezone.is_naive(published):  # SQLite returns naive UTC
        return (*row[:8], timezone.make_aware(published, datetime.UTC), *row[9:])
    return row


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


# The fields the public detail page shows (compiling and loading all 50 columns of the three
# tables was half of the page's CPU).
DETAIL_FIELDS = (
    "title",
    "description",
    "category",
    "salary_min",
    "salary_max",
    "headcount",
    "education",
    "veteran_preferred",
    "published_at",
    "expires_on",
    "employer",
    "employer__is_partner",
    "employer__organization",
    "employer__organization__name",
    "employer__preferential_offers",
    "county",
    "county__name",
)


def public_posting(pk, *, only: tuple[str, ...] = ()) -> JobPosting:
    """A public posting with its employer and county (404 for anything not public); ``only``:
    load just these fields (e.g. ``DETAIL_FIELDS``)."""
    qs = JobPosting.objects.public().select_related("employer__organization", "county")
    if only:
        qs = qs.only(*only)
    try:
        return qs.get(pk=pk)
    except (JobPosting.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("该岗位不存在或已停止招聘") from exc


def feed_postings(limit: int = 50) -> list[JobPosting]:
    return list(
        JobPosting.objects.public()
        .select_related("employer__organization", "county")
        .order_by("-published_at", "-id")[:limit]
    )


def application_status_lookup(*, number: str, id_tail: str) -> Application | None:
    """The application with that number whose ID number ends with ``id_tail`` (6 characters).

    The caller counts misses (``canghzou_portal.lookup_limit``; employment.views.application_status)."""
    import hmac

    number = normalize_application_number(number)
    id_tail = normalize_id_number(id_tail)
    if len(id_tail) != 6 or not id_tail.isascii() or not number:
        return None
    app = Application.objects.filter(number=number).only("id", "status", "id_number").first()
    if app is None or not hmac.compare_digest(app.id_number[-6:].upper(), id_tail):
        return None
    return app


def public_training(today=None) -> QuerySet[TrainingProgramme]:
    today = today or timezone.localdate()
    return (
        TrainingProgramme.objects.filter(end_date__gte=today)
        .select_related("provider__organization", "county")
        .annotate(taken=_count(Enrolment.objects.holding_place(), "programme"))
        .order_by("start_date", "id")
    )


PUBLIC_FAIR_DAYS = 90


def _count(qs: QuerySet, field: str, outer: str = "pk"):
    """A correlated COUNT subquery (no join fan-out when several counts sit on one row)."""
    rows = qs.filter(**{field: OuterRef(outer)}).order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def with_fair_counts(qs: QuerySet[JobFair]) -> QuerySet[JobFair]:
    """Every figure of a fair, counted from its records in the same query."""
    through_e = JobFair.employers.through.objects.all()
    through_p = JobFair.postings.through.objects.all()
    positions = (
        through_p.filter(jobfair=OuterRef("pk"))
        .order_by()
        .values("jobfair")
        .annotate(n=Sum("jobposting__headcount"))
        .values("n")
    )
    return qs.annotate(
        employer_count=_count(through_e, "jobfair"),
        posting_count=_count(through_p, "jobfair"),
        positions=Coalesce(Subquery(positions, output_field=IntegerField()), 0),
        registration_count=_count(FairRegistration.objects.all(), "fair"),
        checkin_count=_count(FairRegistration.objects.filter(checked_in_at__isnull=False), "fair"),
        application_count=_count(Application.objects.all(), "fair"),
        hire_count=_count(Application.objects.filter(status=ApplicationStatus.HIRED), "fair"),
    )


def public_fairs(today=None) -> QuerySet[JobFair]:
    """THE rule of which fairs are public (the fair list, its detail page and the API): every
    fair still to come, running, or ended within the last 90 days."""
    today = today or timezone.localdate()
    return with_fair_counts(
        JobFair.objects.filter(end_date__gte=today - datetime.timedelta(days=PUBLIC_FAIR_DAYS)).select_related("county")
    ).order_by("-date", "-id")


def public_fair(pk) -> JobFair:
    try:
        return public_fairs().get(pk=pk)
    except (JobFair.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("该招聘会不存在或已下线") from exc


def fair_for_channel(pk: int, posting: JobPosting) -> JobFair | None:
    """The fair ``pk`` if it is running today and presents ``posting`` (an application through it)."""
    today = timezone.localdate()
    return JobFair.objects.running_on(today).filter(pk=pk, postings=posting).first()


def fair_public_postings(fair: JobFair) -> list[JobPosting]:
    """The postings a fair presents that are public now (closed ones are not shown)."""
    return list(
        JobPosting.objects.public()
        .filter(fairs=fair)
        .select_related("employer__organization", "county")
        .order_by("employer__organization__name", "id")
    )


def fair_employers(fair: JobFair) -> list[Employer]:
    return list(fair.employers.select_related("organization__county").order_by("organization__name", "id"))


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
            .select_related("county", "employer__organization")
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
    return qs.select_related("posting__employer__organization", "veteran", "station", "stated_county").order_by(
        "-created_at", "-id"
    )


def staff_application_or_404(user, pk) -> Application:
    qs = Application.objects.select_related(
        "posting__employer__organization", "veteran__station", "station", "stated_county"
    )
    return get_scoped_object_or_404(qs, user, pk=pk)


def staff_placements(user) -> QuerySet[Placement]:
    return (
        scope_queryset(Placement.objects.all(), user)
        .select_related("veteran__station", "employer__organization")
        .order_by("-start_date", "-id")
    )


def pending_reviews(user) -> QuerySet[JobPosting]:
    if not user.has_perm("employment.review_jobposting"):
        return JobPosting.objects.none()
    return (
        scope_queryset(JobPosting.objects.filter(status=PostingStatus.PENDING), user)
        .select_related("employer__organization", "county")
        .order_by("submitted_at", "id")
    )


def review_posting_or_404(user, pk) -> JobPosting:
    return get_scoped_object_or_404(JobPosting.objects.select_related("employer__organization", "county"), user, pk=pk)


def staff_training(user) -> QuerySet[TrainingProgramme]:
    return (
        scope_queryset(TrainingProgramme.objects.all(), user)
        .select_related("provider__organization", "county")
        .annotate(
            enrolled=_count(Enrolment.objects.holding_place(), "programme"),
            completed_count=_count(Enrolment.objects.filter(completed=True), "programme"),
        )
        .order_by("-start_date", "-id")
    )


def staff_programme_or_404(user, pk) -> TrainingProgramme:
    return get_scoped_object_or_404(staff_training(user), user, pk=pk)


def open_programmes(today=None) -> QuerySet[TrainingProgramme]:
    """Programmes a veteran can still be enrolled in (not yet ended) — public information, so
    every clerk may enrol the veterans of their subtree in any of them."""
    return public_training(today)


def programme_roster(user, programme: TrainingProgramme) -> QuerySet[Enrolment]:
    """The trainees of the user's subtree, with their days present and recorded."""
    return (
        scope_queryset(Enrolment.objects.filter(programme=programme), user)
        .select_related("veteran__station")
        .annotate(
            days_present=_count(TrainingAttendance.objects.filter(present=True), "enrolment"),
            days_recorded=_count(TrainingAttendance.objects.all(), "enrolment"),
        )
        .order_by("veteran__name", "id")
    )


def programme_totals(programme: TrainingProgramme) -> dict[str, int]:
    """Counts over every trainee (wherever registered): places are the programme's, not a station's."""
    rows = Enrolment.objects.filter(programme=programme).aggregate(
        enrolled=Count("id", filter=Q(dropped_on__isnull=True)),
        completed=Count("id", filter=Q(completed=True)),
        dropped=Count("id", filter=Q(dropped_on__isnull=False)),
    )
    rows["places_left"] = max(programme.capacity - rows["enrolled"], 0)
    return rows


def programmes_awaiting_outcomes(qs: QuerySet[TrainingProgramme], user) -> QuerySet[TrainingProgramme]:
    """Of ``qs``: ended programmes with trainees of the user's subtree still 在训 (the to-do)."""
    waiting = scope_queryset(Enrolment.objects.open(), user).filter(programme=OuterRef("pk"))
    return qs.filter(end_date__lt=timezone.localdate()).filter(Exists(waiting))


def staff_enrolment_or_404(user, pk) -> Enrolment:
    qs = Enrolment.objects.select_related("programme__county", "veteran__station")
    return get_scoped_object_or_404(qs, user, pk=pk)


def enrolment_attendance(enrolment: Enrolment) -> list[TrainingAttendance]:
    return list(enrolment.attendance.order_by("date"))


def staff_fairs(user) -> QuerySet[JobFair]:
    return with_fair_counts(scope_queryset(JobFair.objects.all(), user).select_related("county")).order_by(
        "-date", "-id"
    )


def staff_fair_or_404(user, pk) -> JobFair:
    return get_scoped_object_or_404(staff_fairs(user), user, pk=pk)


def fair_registrations(user, fair: JobFair) -> QuerySet[FairRegistration]:
    return (
        scope_queryset(FairRegistration.objects.filter(fair=fair), user)
        .select_related("veteran__station")
        .order_by("-checked_in_at", "-id")
    )


def fair_registration_or_404(user, fair: JobFair, pk) -> FairRegistration:
    return get_scoped_object_or_404(FairRegistration.objects.select_related("veteran"), user, pk=pk, fair=fair)


def fair_postings(fair: JobFair) -> list[JobPosting]:
    """Every posting the fair presented (for its organiser: closed ones too, marked)."""
    today = timezone.localdate()
    postings = list(
        fair.postings.select_related("employer__organization").order_by("employer__organization__name", "id")
    )
    for posting in postings:
        posting.public_now = posting.status == PostingStatus.PUBLISHED and posting.expires_on >= today
    return postings


def fair_registration_by_code(fair: JobFair, code: str) -> FairRegistration:
    """The fair's registration for a registration number or a resident ID number."""
    from django.core.exceptions import ValidationError

    from veterans.validators import parse_resident_id

    code = (code or "").strip().replace(" ", "").upper()
    qs = FairRegistration.objects.filter(fair=fair).select_related("veteran")
    if code.startswith("F"):
        registration = qs.filter(number=code).first()
    else:
        number = parse_resident_id(code).number
        registration = qs.filter(veteran__id_number_hash=blind_index(number)).first()
    if registration is None:
        raise ValidationError({"registration": "该退役军人未报名或未签到本场招聘会，请先办理签到"})
    return registration


def fair_applications(user, fair: JobFair) -> QuerySet[Application]:
    """Applications made at (or through) the fair, of the user's subtree (the follow-up rule)."""
    return (
        scope_queryset(Application.objects.filter(fair=fair), user)
        .select_related("posting__employer", "station")
        .order_by("-created_at", "-id")
    )


def staff_ventures(user) -> QuerySet[Venture]:
    return (
        scope_queryset(Venture.objects.all(), user)
        .select_related("veteran__station", "incubation_base")
        .annotate(founder_count=_count(VentureFounder.objects.all(), "venture"))
        .order_by("-start_date", "-id")
    )


def staff_venture_or_404(user, pk) -> Venture:
    return get_scoped_object_or_404(Venture.objects.select_related("veteran__station", "incubation_base"), user, pk=pk)


def venture_detail(venture: Venture) -> dict:
    support = list(
        venture.support.select_related("corrects", "recorded_by")
        .annotate(is_corrected=Exists(VentureSupport.objects.filter(corrects=OuterRef("pk"))))
        .order_by("date", "id")
    )
    totals: dict[str, Decimal] = {}
    for entry in support:
        if not entry.void and not entry.is_corrected and entry.amount is not None:
            totals[entry.kind] = totals.get(entry.kind, Decimal("0")) + entry.amount
    return {
        "founders": list(venture.founder_rows.select_related("veteran__station")),
        "support": support,
        "support_totals": [(SupportKind(k).label, v) for k, v in sorted(totals.items())],
        "status_changes": list(venture.status_changes.select_related("recorded_by").order_by("date", "id")),
    }


def employment_bases():
    """The units that are employment bases (就业创业基地), where ventures are incubated."""
    from services.models import Organization

    return Organization.objects.filter(is_employment_base=True).order_by("name")


def staff_employers(user) -> QuerySet[Employer]:
    return scope_queryset(Employer.objects.all(), user)


# --- the veteran's panel -------------------------------------------------------------------------
def veteran_employment_summary(veteran) -> dict:
    return {
        "applications": list(
            Application.objects.filter(veteran=veteran)
            .select_related("posting__employer__organization", "fair")
            .order_by("-created_at")[:20]
        ),
        "placements": list(Placement.objects.filter(veteran=veteran).select_related("employer__organization")[:20]),
        "enrolments": list(
            Enrolment.objects.filter(veteran=veteran)
            .select_related("programme")
            .annotate(days_present=_count(TrainingAttendance.objects.filter(present=True), "enrolment"))
            .order_by("-programme__start_date", "-id")[:20]
        ),
        "fair_registrations": list(
            FairRegistration.objects.filter(veteran=veteran).select_related("fair").order_by("-fair__date", "-id")[:20]
        ),
        "ventures": list(
            Venture.objects.filter(founder_rows__veteran=veteran)
            .select_related("veteran")
            .distinct()
            .order_by("-start_date", "-id")[:20]
        ),
    }
