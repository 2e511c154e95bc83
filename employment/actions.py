"""Writes of the employment app: moderation of postings, applications and their pipeline.

Who may do what (checked here, in one place):

* an employer account (role 企业用户 with ``user.employer``) creates, edits, submits and closes
  its own postings and moves the applications to them;
* a reviewer — anyone holding ``employment.review_jobposting`` (bureau staff, 审核员) — publishes
  or rejects pending postings of counties inside their jurisdiction;
* station staff holding ``employment.change_application`` move applications of their subtree.

Hiring needs a matched veteran: an unmatched applicant is first matched to the registry
(``application_match``, after the clerk has registered the person) and only then hired.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from canghzou_portal import codes
from canghzou_portal.access import is_employer_account, is_station_staff
from canghzou_portal.crypto import blind_index
from canghzou_portal.scoping import user_can_reach_code
from veterans.choices import EmploymentStatus
from veterans.models import Veteran
from veterans.validators import parse_resident_id, validate_mobile

from .board_cache import bump_board_version
from .models import (
    APPLICATION_TRANSITIONS,
    Application,
    ApplicationStatus,
    JobPosting,
    Placement,
    PostingStatus,
)
from .numbers import new_application_number

EDITABLE_FIELDS = (
    "title",
    "description",
    "category",
    "county",
    "salary_min",
    "salary_max",
    "headcount",
    "education",
    "veteran_preferred",
    "expires_on",
)


# --- who is acting: canghzou_portal.access (employer accounts, station staff) ------------------
def _require_own_posting(posting: JobPosting, user) -> None:
    if not (is_employer_account(user) and posting.employer_id == user.employer_id):
        raise PermissionDenied("只能操作本企业发布的岗位")


def _require_reviewer(posting: JobPosting, user) -> None:
    if not (is_station_staff(user) and user.has_perm("employment.review_jobposting")):
        raise PermissionDenied("您没有审核招聘岗位的权限")
    if not user_can_reach_code(user, posting.county_id):
        raise PermissionDenied("该岗位所在县（市、区）不在您的辖区范围内")


def _lock(posting: JobPosting) -> JobPosting:
    return JobPosting.objects.select_for_update().get(pk=posting.pk)


def _require_status(posting: JobPosting, allowed: tuple[str, ...], verb: str) -> None:
    if posting.status not in allowed:
        raise ValidationError(f"岗位当前状态为“{posting.get_status_display()}”，不能{verb}")


# --- postings --------------------------------------------------------------------------------
@transaction.atomic
def posting_create(*, user, **fields) -> JobPosting:
    if not is_employer_account(user):
        raise PermissionDenied("只有企业用户可以发布招聘岗位")
    posting = JobPosting(employer_id=user.employer_id, status=PostingStatus.DRAFT)
    for name in EDITABLE_FIELDS:
        if name in fields:
            setattr(posting, name, fields[name])
    _check_dates(posting)
    posting.full_clean()
    posting.save()
    return posting


@transaction.atomic
def posting_update(*, posting: JobPosting, user, **fields) -> JobPosting:
    """Edit a draft or a rejected posting (a rejected one goes back to draft until resubmitted)."""
    _require_own_posting(posting, user)
    posting = _lock(posting)
    _require_status(posting, (PostingStatus.DRAFT, PostingStatus.REJECTED), "修改")
    for name in EDITABLE_FIELDS:
        if name in fields:
            setattr(posting, name, fields[name])
    _check_dates(posting)
    posting.status = PostingStatus.DRAFT
    posting.full_clean()
    posting.save()
    return posting


def _check_dates(posting: JobPosting) -> None:
    if posting.expires_on and posting.expires_on < timezone.localdate():
        raise ValidationError({"expires_on": "截止日期不能早于今天"})


@transaction.atomic
def posting_submit(*, posting: JobPosting, user) -> JobPosting:
    _require_own_posting(posting, user)
    posting = _lock(posting)
    _require_status(posting, (PostingStatus.DRAFT, PostingStatus.REJECTED), "提交审核")
    _check_dates(posting)
    posting.status = PostingStatus.PENDING
    posting.submitted_at = timezone.now()
    posting.save(update_fields=["status", "submitted_at", "updated_at"])
    return posting


@transaction.atomic
def posting_publish(*, posting: JobPosting, user) -> JobPosting:
    _require_reviewer(posting, user)
    posting = _lock(posting)
    _require_status(posting, (PostingStatus.PENDING,), "发布")
    if posting.expires_on < timezone.localdate():
        raise ValidationError("该岗位的截止日期已过，不能发布，请驳回后由企业修改")
    now = timezone.now()
    posting.status = PostingStatus.PUBLISHED
    posting.published_at = now
    posting.reviewed_by = user
    posting.reviewed_at = now
    posting.rejection_reason = ""
    posting.save(
        update_fields=["status", "published_at", "reviewed_by", "reviewed_at", "rejection_reason", "updated_at"]
    )
    return posting


@transaction.atomic
def posting_reject(*, posting: JobPosting, user, reason: str) -> JobPosting:
    _require_reviewer(posting, user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"rejection_reason": "驳回时须填写驳回理由"})
    posting = _lock(posting)
    _require_status(posting, (PostingStatus.PENDING,), "驳回")
    posting.status = PostingStatus.REJECTED
    posting.rejection_reason = reason[:1000]
    posting.reviewed_by = user
    posting.reviewed_at = timezone.now()
    posting.save(update_fields=["status", "rejection_reason", "reviewed_by", "reviewed_at", "updated_at"])
    return posting


@transaction.atomic
def posting_close(*, posting: JobPosting, user) -> JobPosting:
    """The employer (or a bureau reviewer in scope) takes a posting off the board."""
    if is_employer_account(user):
        _require_own_posting(posting, user)
    else:
        _require_reviewer(posting, user)
    posting = _lock(posting)
    _require_status(posting, (PostingStatus.PUBLISHED, PostingStatus.PENDING, PostingStatus.DRAFT), "关闭")
    posting.status = PostingStatus.CLOSED
    posting.save(update_fields=["status", "updated_at"])
    return posting


@transaction.atomic
def postings_expire_overdue() -> int:
    """Mark published postings past their expiry date as expired (the daily beat task).

    Visibility never depends on this having run: ``public()`` already hides them.
    """
    count = JobPosting.objects.overdue().update(status=PostingStatus.EXPIRED, updated_at=timezone.now())
    if count:
        bump_board_version()
    return count


# --- applications ------------------------------------------------------------------------------
@transaction.atomic
def application_submit(
    *, posting: JobPosting, name: str, id_number: str, phone: str, stated_county, message: str = ""
) -> Application:
    """An application from the public board. Matched against the registry by ID number."""
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "请填写姓名"
    try:
        id_number = parse_resident_id(id_number).number
    except ValidationError as exc:
        errors["id_number"] = exc.messages[0]
    try:
        phone = validate_mobile(phone)
    except ValidationError as exc:
        errors["phone"] = exc.messages[0]
    if stated_county is None or codes.level_of(stated_county.pk) != codes.COUNTY:
        errors["stated_county"] = "请选择所在县（市、区）"
    if errors:
        raise ValidationError(errors)
    if not JobPosting.objects.public().filter(pk=posting.pk).exists():
        raise ValidationError("该岗位已停止招聘，不能再申请")
    if Application.objects.filter(posting=posting, id_number_hash=blind_index(id_number)).exists():
        raise ValidationError({"id_number": "您已申请过该岗位，每人每个岗位只能申请一次"})
    veteran = Veteran.objects.by_id_number(id_number).only("id", "station_id").first()
    application = Application(
        posting=posting,
        name=name[:50],
        id_number=id_number,
        phone=phone,
        message=(message or "").strip()[:2000],
        veteran=veteran,
        stated_county=stated_county,
        station_id=veteran.station_id if veteran else stated_county.pk,
        needs_follow_up=veteran is None,
    )
    for _attempt in range(5):
        application.number = new_application_number()
        try:
            with transaction.atomic():
                application.save()
            return application
        except IntegrityError:
            if Application.objects.filter(posting=posting, id_number_hash=blind_index(id_number)).exists():
                raise ValidationError({"id_number": "您已申请过该岗位，每人每个岗位只能申请一次"}) from None
    raise ValidationError("系统繁忙，请稍后再试")


def _require_application_actor(application: Application, user) -> None:
    if is_employer_account(user):
        if application.posting.employer_id != user.employer_id or not user.has_perm("employment.change_application"):
            raise PermissionDenied("只能处理投递到本企业岗位的申请")
        return
    if not (is_station_staff(user) and user.has_perm("employment.change_application")):
        raise PermissionDenied("您没有处理岗位申请的权限")
    if not user_can_reach_code(user, application.station_id):
        raise PermissionDenied("该申请不在您的辖区范围内")


@transaction.atomic
def placement_record(*, veteran, employer, position: str, start_date, user, application=None) -> Placement:
    """就业安置: record a placement and, in the same transaction, set the veteran's employment
    status and employer (a hire on the board and a placement entered by staff alike). The
    caller checks who may record it (the hiring employer, or staff of the veteran's subtree)."""
    veteran = Veteran.objects.select_for_update().get(pk=veteran.pk)
    placement = Placement(
        application=application,
        veteran=veteran,
        employer=employer,
        position=(position or "").strip(),
        start_date=start_date,
        recorded_by=user,
    )
    placement.full_clean()
    placement.save()
    veteran.employment_status = EmploymentStatus.EMPLOYED
    veteran.employer_name = employer.name
    veteran.version += 1
    veteran._history_user = user
    veteran._change_reason = f"岗位申请{application.number}录用" if application else "登记就业安置"
    veteran.save()
    return placement


@transaction.atomic
def application_move(*, application: Application, to_status: str, user) -> Application:
    """Move an application one step along the pipeline; hiring records the placement and
    updates the veteran's employment status and employer, all in this one transaction."""
    _require_application_actor(application, user)
    application = (
        Application.objects.select_for_update().select_related("posting__employer__organization").get(pk=application.pk)
    )
    if to_status not in APPLICATION_TRANSITIONS.get(application.status, ()):
        current = application.get_status_display()
        target = dict(ApplicationStatus.choices).get(to_status, to_status)
        raise ValidationError(f"申请当前状态为“{current}”，不能变更为“{target}”")
    if to_status == ApplicationStatus.HIRED:
        if application.veteran_id is None:
            raise ValidationError("申请人尚未匹配到退役军人登记信息，请先由服务站核实登记后再录用")
        placement_record(
            veteran=application.veteran,
            employer=application.posting.employer,
            position=application.posting.title,
            start_date=timezone.localdate(),
            user=user,
            application=application,
        )
    application.status = to_status
    application.status_changed_at = timezone.now()
    application.save(update_fields=["status", "status_changed_at", "updated_at"])
    return application


@transaction.atomic
def application_match(*, application: Application, user) -> Application:
    """Staff retry the registry match of an unmatched applicant (e.g. after registering them)."""
    if not (is_station_staff(user) and user.has_perm("employment.change_application")):
        raise PermissionDenied("您没有处理岗位申请的权限")
    if not user_can_reach_code(user, application.station_id):
        raise PermissionDenied("该申请不在您的辖区范围内")
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.veteran_id:
        return application
    veteran = Veteran.objects.by_id_number(application.id_number).only("id", "station_id").first()
    if veteran is None:
        raise ValidationError("退役军人信息库中仍未找到该身份证号，请先完成信息采集登记")
    application.veteran = veteran
    application.station_id = veteran.station_id
    application.needs_follow_up = False
    application.save(update_fields=["veteran", "station", "needs_follow_up", "updated_at"])
    return application
