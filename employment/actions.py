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

import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from canghzou_portal import codes
from canghzou_portal.access import is_employer_account, is_station_staff, require_perm
from canghzou_portal.crypto import blind_index, mask_id_number
from canghzou_portal.scoping import scope_queryset, user_can_reach_code
from veterans.choices import EmploymentStatus, RegistryStatus
from veterans.models import Veteran
from veterans.validators import parse_resident_id, validate_mobile

from .board_cache import bump_board_version
from .models import (
    APPLICATION_TRANSITIONS,
    Application,
    ApplicationStatus,
    Employer,
    Enrolment,
    EnrolmentResult,
    FairRegistration,
    JobFair,
    JobPosting,
    Placement,
    PostingStatus,
    RegistrationChannel,
    SupportKind,
    TrainingAttendance,
    TrainingProgramme,
    Venture,
    VentureFounder,
    VentureStatus,
    VentureStatusChange,
    VentureSupport,
)
from .numbers import new_application_number
from .validators import validate_credit_code

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
    *, posting: JobPosting, name: str, id_number: str, phone: str, stated_county, message: str = "", fair=None
) -> Application:
    """An application from the public board. Matched against the registry by ID number.

    ``fair``: the online fair or 直播带岗 the applicant came from (the link on the stream carries
    it); it must be running and present the posting."""
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
    if fair is not None:
        check_fair_channel(fair=fair, posting=posting)
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
        fair=fair,
    )
    return _save_application(application)


def _save_application(application: Application) -> Application:
    """Save a new application under a fresh application number (retried on the rare clash)."""
    for _attempt in range(5):
        application.number = new_application_number()
        try:
            with transaction.atomic():
                application.save()
            return application
        except IntegrityError:
            if Application.objects.filter(
                posting=application.posting, id_number_hash=blind_index(application.id_number)
            ).exists():
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


# =============================================================================================
# Training, job fairs and ventures recorded per veteran (issue 22)
# =============================================================================================
def _require_staff_perm(user, perm: str, what: str) -> None:
    """Station staff (canghzou_portal.access) holding ``perm``."""
    if not is_station_staff(user):
        raise PermissionDenied(f"您没有{what}的权限")
    require_perm(user, perm, f"您没有{what}的权限")


def _require_reach(user, code: str | None, what: str) -> None:
    if not user_can_reach_code(user, code):
        raise PermissionDenied(f"该{what}不在您的辖区范围内")


def _not_in_future(day, label: str) -> None:
    if day and day > timezone.localdate():
        raise ValidationError(f"{label}不能晚于今天")


def _require_active_veteran(veteran: Veteran, what: str) -> None:
    """Only veterans on the register (在册) take part: not the deceased, not those who moved out."""
    if veteran.status == RegistryStatus.DECEASED:
        raise ValidationError(f"{veteran.name}已故（在册状态：已故），不能{what}")
    if veteran.status == RegistryStatus.MOVED_OUT:
        raise ValidationError(f"{veteran.name}已迁出本市（在册状态：迁出），不能{what}")
    if veteran.status != RegistryStatus.ACTIVE:
        raise ValidationError(f"{veteran.name}不在册，不能{what}")


# --- training programmes and enrolments ---------------------------------------------------------
@transaction.atomic
def programme_save(*, programme: TrainingProgramme, user) -> TrainingProgramme:
    """Create or change a programme (admin). Its capacity never drops below the places taken."""
    _require_staff_perm(
        user,
        "employment.change_trainingprogramme" if programme.pk else "employment.add_trainingprogramme",
        "维护培训项目",
    )
    _require_reach(user, programme.county_id, "培训项目举办地")
    programme.full_clean()
    if programme.pk:
        TrainingProgramme.objects.select_for_update().filter(pk=programme.pk).first()
        taken = Enrolment.objects.filter(programme_id=programme.pk).holding_place().count()
        if programme.capacity < taken:
            raise ValidationError({"capacity": f"计划人数不能少于已报名人数（{taken}人）"})
    programme.save()
    return programme


def _check_open_for_enrolment(programme: TrainingProgramme) -> None:
    if programme.end_date < timezone.localdate():
        raise ValidationError(f"培训项目“{programme.title}”已于{programme.end_date:%Y-%m-%d}结业，不能再报名")


def _places_left(programme: TrainingProgramme) -> int:
    return programme.capacity - Enrolment.objects.filter(programme=programme).holding_place().count()


def _full_message(programme: TrainingProgramme) -> str:
    return f"培训项目“{programme.title}”已满员（计划{programme.capacity}人），不能再报名"


@transaction.atomic
def enrolment_create(*, programme: TrainingProgramme, veteran: Veteran, user) -> Enrolment:
    """Enrol a registry veteran of the user's subtree. The programme's row is locked while the
    places are counted, so two clerks enrolling at once can never over-book it."""
    _require_staff_perm(user, "employment.add_enrolment", "办理培训报名")
    _require_reach(user, veteran.station_id, "退役军人")
    programme = TrainingProgramme.objects.select_for_update().get(pk=programme.pk)
    veteran = Veteran.objects.get(pk=veteran.pk)
    _require_active_veteran(veteran, "报名培训")
    _check_open_for_enrolment(programme)
    existing = Enrolment.objects.filter(programme=programme, veteran=veteran).first()
    if existing is not None:
        state = "，已退训" if existing.dropped_on else ""
        raise ValidationError(f"{veteran.name}已报名培训项目“{programme.title}”{state}，不能重复报名")
    if _places_left(programme) <= 0:
        raise ValidationError(_full_message(programme))
    enrolment = Enrolment(programme=programme, veteran=veteran, enrolled_by=user)
    enrolment.full_clean(validate_constraints=False)
    enrolment.save()
    return enrolment


def parse_id_lines(text: str) -> list[tuple[int, str]]:
    """(line number, raw value) of every non-empty line (also split on commas, 、 and spaces)."""
    import re

    rows = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        for value in re.split(r"[,，、;；\s]+", line.strip()):
            if value:
                rows.append((number, value))
    return rows


MAX_BULK_LINES = 500


@transaction.atomic
def enrolments_create_bulk(*, programme: TrainingProgramme, id_numbers: str, user) -> list[Enrolment]:
    """Enrol a list of registry veterans (ID numbers, one a line) at once: all or nothing.

    Every bad line is reported (line number, masked number, reason); then nothing is saved."""
    _require_staff_perm(user, "employment.add_enrolment", "办理培训报名")
    rows = parse_id_lines(id_numbers)
    if not rows:
        raise ValidationError("请填写至少一个身份证号（每行一个）")
    if len(rows) > MAX_BULK_LINES:
        raise ValidationError(f"一次最多报名{MAX_BULK_LINES}人，当前为{len(rows)}人，请分批办理")
    programme = TrainingProgramme.objects.select_for_update().get(pk=programme.pk)
    _check_open_for_enrolment(programme)
    errors: list[str] = []
    parsed: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for line, raw in rows:
        try:
            number = parse_resident_id(raw).number
        except ValidationError as exc:
            errors.append(f"第{line}行（{mask_id_number(raw)}）：{exc.messages[0]}")
            continue
        if number in seen:
            errors.append(f"第{line}行（{mask_id_number(number)}）：与第{seen[number]}行重复")
            continue
        seen[number] = line
        parsed.append((line, number))
    # one query for the whole list, limited to the user's subtree (out of scope = not found)
    hashes = {blind_index(number): (line, number) for line, number in parsed}
    veterans = {
        v.id_number_hash: v
        for v in scope_queryset(Veteran.objects.filter(id_number_hash__in=list(hashes)), user).only(
            "id", "name", "status", "station_id", "id_number_hash"
        )
    }
    enrolled = set(Enrolment.objects.filter(programme=programme).values_list("veteran_id", flat=True))
    chosen: list[Veteran] = []
    for digest, (line, number) in hashes.items():
        veteran = veterans.get(digest)
        label = f"第{line}行（{mask_id_number(number)}）"
        if veteran is None:
            errors.append(f"{label}：未在本辖区退役军人信息库中找到该身份证号")
            continue
        try:
            _require_active_veteran(veteran, "报名培训")
        except ValidationError as exc:
            errors.append(f"{label}：{exc.messages[0]}")
            continue
        if veteran.pk in enrolled:
            errors.append(f"{label}：{veteran.name}已报名该培训项目，不能重复报名")
            continue
        chosen.append(veteran)
    left = _places_left(programme)
    if not errors and len(chosen) > left:
        errors.append(
            f"培训项目“{programme.title}”计划{programme.capacity}人，剩余名额{max(left, 0)}个，"
            f"本次报名{len(chosen)}人，超出计划人数"
        )
    if errors:
        raise ValidationError(sorted(errors, key=_line_order))
    enrolments = [Enrolment(programme=programme, veteran=v, enrolled_by=user) for v in chosen]
    Enrolment.objects.bulk_create(enrolments)
    return enrolments


def _line_order(message: str) -> int:
    import re

    found = re.match(r"第(\d+)行", message)
    return int(found.group(1)) if found else 10**9


def _lock_enrolment(enrolment: Enrolment, user) -> Enrolment:
    _require_staff_perm(user, "employment.change_enrolment", "登记培训考勤和结业")
    locked = (
        Enrolment.objects.select_for_update(of=("self",)).select_related("programme", "veteran").get(pk=enrolment.pk)
    )
    _require_reach(user, locked.veteran.station_id, "学员")
    return locked


@transaction.atomic
def enrolment_complete(
    *, enrolment: Enrolment, completed_on, result: str, certificate_number: str = "", user
) -> Enrolment:
    """结业: the day, the result and (for a pass) the certificate number."""
    enrolment = _lock_enrolment(enrolment, user)
    if enrolment.completed:
        raise ValidationError(f"{enrolment.veteran.name}已于{enrolment.completed_on:%Y-%m-%d}结业，不能重复登记")
    if enrolment.dropped_on:
        raise ValidationError(f"{enrolment.veteran.name}已于{enrolment.dropped_on:%Y-%m-%d}退训，不能登记结业")
    errors = {}
    programme = enrolment.programme
    if completed_on is None:
        errors["completed_on"] = "请填写结业日期"
    elif completed_on < programme.start_date:
        errors["completed_on"] = f"结业日期不能早于开班日期（{programme.start_date:%Y-%m-%d}）"
    elif completed_on > timezone.localdate():
        errors["completed_on"] = "结业日期不能晚于今天"
    if result not in EnrolmentResult.values:
        errors["result"] = "请选择结业成绩"
    certificate_number = (certificate_number or "").strip()
    if result in (EnrolmentResult.EXCELLENT, EnrolmentResult.PASSED) and not certificate_number:
        errors["certificate_number"] = "成绩合格的须填写证书编号"
    if result == EnrolmentResult.FAILED and certificate_number:
        errors["certificate_number"] = "成绩不合格的不发放证书，请勿填写证书编号"
    if len(certificate_number) > 50:
        errors["certificate_number"] = "证书编号最多50个字符"
    if certificate_number and Enrolment.objects.filter(certificate_number=certificate_number).exists():
        errors["certificate_number"] = f"证书编号“{certificate_number}”已被使用"
    if errors:
        raise ValidationError(errors)
    enrolment.completed = True
    enrolment.completed_on = completed_on
    enrolment.result = result
    enrolment.certificate_number = certificate_number
    enrolment.outcome_by = user
    enrolment.full_clean(validate_constraints=False)
    enrolment.save()
    return enrolment


@transaction.atomic
def enrolment_drop(*, enrolment: Enrolment, dropped_on, reason: str, user) -> Enrolment:
    """退训: the place is freed for someone else."""
    enrolment = _lock_enrolment(enrolment, user)
    if enrolment.completed:
        raise ValidationError(f"{enrolment.veteran.name}已结业，不能登记退训")
    if enrolment.dropped_on:
        raise ValidationError(f"{enrolment.veteran.name}已于{enrolment.dropped_on:%Y-%m-%d}退训")
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["drop_reason"] = "请填写退训原因"
    elif len(reason) > 200:
        errors["drop_reason"] = "退训原因最多200个字符"
    if dropped_on is None:
        errors["dropped_on"] = "请填写退训日期"
    elif dropped_on > timezone.localdate():
        errors["dropped_on"] = "退训日期不能晚于今天"
    if errors:
        raise ValidationError(errors)
    enrolment.dropped_on = dropped_on
    enrolment.drop_reason = reason
    enrolment.outcome_by = user
    enrolment.save(update_fields=["dropped_on", "drop_reason", "outcome_by", "updated_at"])
    return enrolment


@transaction.atomic
def attendance_record(*, programme: TrainingProgramme, day, present_ids, user) -> int:
    """A roll call (考勤) for one day: every trainee of the user's subtree still in training is
    recorded present (``present_ids``) or absent. Re-recording a day replaces that day's entries."""
    _require_staff_perm(user, "employment.change_enrolment", "登记培训考勤")
    _require_reach(user, programme.county_id, "培训项目")
    if day is None:
        raise ValidationError({"day": "请选择考勤日期"})
    last = min(programme.end_date, timezone.localdate())
    if day < programme.start_date or day > last:
        raise ValidationError(
            {"day": f"考勤日期须在培训期间内（{programme.start_date:%Y-%m-%d}至{last:%Y-%m-%d}），且不晚于今天"}
        )
    roster = list(
        scope_queryset(Enrolment.objects.filter(programme=programme, dropped_on__isnull=True), user).values_list(
            "id", flat=True
        )
    )
    present = {int(i) for i in present_ids}
    if present - set(roster):
        raise ValidationError("所选学员不在本培训项目的在训名单中，请刷新页面后重试")
    if not roster:
        raise ValidationError("本培训项目暂无在训学员")
    now = timezone.now()
    TrainingAttendance.objects.bulk_create(
        [
            TrainingAttendance(enrolment_id=i, date=day, present=i in present, recorded_by=user, recorded_at=now)
            for i in roster
        ],
        update_conflicts=True,
        unique_fields=["enrolment", "date"],
        update_fields=["present", "recorded_by", "recorded_at"],
    )
    return len(roster)


# --- job fairs -----------------------------------------------------------------------------------
@transaction.atomic
def fair_save(*, fair: JobFair, user) -> JobFair:
    _require_staff_perm(user, "employment.change_jobfair" if fair.pk else "employment.add_jobfair", "维护招聘会")
    _require_reach(user, fair.county_id, "招聘会举办地")
    fair.full_clean()
    fair.save()
    return fair


def _require_fair(fair: JobFair, user, perm: str = "employment.change_jobfair", what: str = "维护招聘会") -> None:
    _require_staff_perm(user, perm, what)
    _require_reach(user, fair.county_id, "招聘会")


@transaction.atomic
def fair_add_employer(*, fair: JobFair, employer: Employer, user, postings=None) -> list[JobPosting]:
    """An employer takes part, presenting ``postings`` (default: all its postings now public)."""
    _require_fair(fair, user)
    public = JobPosting.objects.public().filter(employer=employer)
    if postings is None:
        chosen = list(public)
    else:
        ids = {p.pk for p in postings}
        chosen = list(public.filter(pk__in=ids))
        if len(chosen) != len(ids):
            raise ValidationError("只能推介该企业正在招聘（已发布且未过截止日期）的岗位")
    fair.employers.add(employer)
    if chosen:
        fair.postings.add(*chosen)
    return chosen


@transaction.atomic
def fair_remove_employer(*, fair: JobFair, employer: Employer, user) -> None:
    _require_fair(fair, user)
    if Application.objects.filter(fair=fair, posting__employer=employer).exists():
        raise ValidationError(f"“{employer.name}”已有通过本场招聘会投递的申请，不能移除")
    fair.postings.remove(*fair.postings.filter(employer=employer))
    fair.employers.remove(employer)


@transaction.atomic
def fair_remove_posting(*, fair: JobFair, posting: JobPosting, user) -> None:
    _require_fair(fair, user)
    if Application.objects.filter(fair=fair, posting=posting).exists():
        raise ValidationError(f"岗位“{posting.title}”已有通过本场招聘会投递的申请，不能移除")
    fair.postings.remove(posting)


def check_fair_channel(*, fair: JobFair, posting: JobPosting) -> None:
    """An application through a fair: the fair is running and presents the posting."""
    today = timezone.localdate()
    if not (fair.date <= today <= fair.end_date):
        raise ValidationError(f"招聘会“{fair.title}”不在举办期间（{fair.date:%Y-%m-%d}至{fair.end_date:%Y-%m-%d}）")
    if not fair.postings.filter(pk=posting.pk).exists():
        raise ValidationError(f"岗位“{posting.title}”不在招聘会“{fair.title}”的推介岗位中")


def _new_registration_number() -> str:
    return f"F{timezone.localdate():%Y%m%d}{secrets.randbelow(10**6):06d}"


def _create_registration(*, fair: JobFair, veteran: Veteran, user, channel: str, checked_in: bool) -> FairRegistration:
    registration = FairRegistration(
        fair=fair,
        veteran=veteran,
        channel=channel,
        registered_by=user,
        checked_in_at=timezone.now() if checked_in else None,
        checked_in_by=user if checked_in else None,
    )
    for _attempt in range(5):
        registration.number = _new_registration_number()
        try:
            with transaction.atomic():
                registration.save()
            return registration
        except IntegrityError:
            if FairRegistration.objects.filter(fair=fair, veteran=veteran).exists():
                raise ValidationError(f"{veteran.name}已报名本场招聘会") from None
    raise ValidationError("系统繁忙，请稍后再试")


@transaction.atomic
def fair_register(*, fair: JobFair, veteran: Veteran, user) -> FairRegistration:
    """Register a registry veteran for a fair (the organiser's staff, before or during it)."""
    _require_fair(fair, user, "employment.add_fairregistration", "办理招聘会报名")
    veteran = Veteran.objects.get(pk=veteran.pk)
    _require_active_veteran(veteran, "报名招聘会")
    if fair.end_date < timezone.localdate():
        raise ValidationError(f"招聘会“{fair.title}”已于{fair.end_date:%Y-%m-%d}结束，不能再报名")
    existing = FairRegistration.objects.filter(fair=fair, veteran=veteran).first()
    if existing is not None:
        raise ValidationError(f"{veteran.name}已报名本场招聘会（报名编号{existing.number}）")
    return _create_registration(
        fair=fair, veteran=veteran, user=user, channel=RegistrationChannel.STATION, checked_in=False
    )


@dataclass(frozen=True)
class CheckIn:
    registration: FairRegistration
    walk_in: bool  # registered at the door just now
    already: bool  # had checked in before


def _veteran_from_door_code(fair: JobFair, code: str) -> tuple[Veteran | None, FairRegistration | None]:
    """What the clerk typed or scanned: a registration number (F…), a job application number (A…)
    or a resident ID number."""
    if code.startswith("F") and len(code) == 15 and code[1:].isdigit():
        registration = FairRegistration.objects.select_related("veteran").filter(number=code).first()
        if registration is None:
            raise ValidationError(f"未找到报名编号“{code}”，请核对，或改为输入身份证号")
        if registration.fair_id != fair.pk:
            raise ValidationError(f"报名编号“{code}”不是本场招聘会的报名，请改为输入身份证号现场登记")
        return registration.veteran, registration
    if code.startswith("A") and len(code) == 15 and code[1:].isdigit():
        application = Application.objects.select_related("veteran").filter(number=code).first()
        if application is None:
            raise ValidationError(f"未找到岗位申请编号“{code}”，请核对，或改为输入身份证号")
        if application.veteran is None:
            raise ValidationError("该岗位申请未匹配到退役军人登记信息，请输入身份证号核验")
        return application.veteran, None
    if len(code) == 18:
        number = parse_resident_id(code).number
        veteran = Veteran.objects.by_id_number(number).first()
        if veteran is None:
            raise ValidationError("退役军人信息库中未找到该身份证号，请引导其到服务站完成信息采集")
        return veteran, None
    raise ValidationError("请扫描或输入报名编号（F开头15位）、岗位申请编号（A开头15位）或18位身份证号")


@transaction.atomic
def fair_check_in(*, fair: JobFair, code: str, user) -> CheckIn:
    """签到 at the door. A registered veteran is checked in; a registry veteran who had not
    registered is registered on the spot (现场登记) and checked in. Checking in twice changes nothing."""
    _require_fair(fair, user, "employment.change_fairregistration", "办理招聘会签到")
    today = timezone.localdate()
    if not fair.has_door:
        raise ValidationError("网络招聘会无需现场签到")
    if today < fair.date:
        raise ValidationError(f"招聘会“{fair.title}”尚未开始（{fair.date:%Y-%m-%d}开始），不能签到")
    if today > fair.end_date:
        raise ValidationError(f"招聘会“{fair.title}”已于{fair.end_date:%Y-%m-%d}结束，不能签到")
    code = (code or "").strip().replace(" ", "").upper()
    if not code:
        raise ValidationError("请扫描或输入报名编号或身份证号")
    veteran, registration = _veteran_from_door_code(fair, code)
    if registration is None:
        registration = FairRegistration.objects.filter(fair=fair, veteran=veteran).first()
    if registration is None:
        _require_active_veteran(veteran, "参加招聘会")
        registration = _create_registration(
            fair=fair, veteran=veteran, user=user, channel=RegistrationChannel.WALK_IN, checked_in=True
        )
        return CheckIn(registration=registration, walk_in=True, already=False)
    registration = (
        FairRegistration.objects.select_for_update(of=("self",)).select_related("veteran").get(pk=registration.pk)
    )
    if registration.checked_in_at is not None:
        return CheckIn(registration=registration, walk_in=False, already=True)
    registration.checked_in_at = timezone.now()
    registration.checked_in_by = user
    registration.save(update_fields=["checked_in_at", "checked_in_by", "updated_at"])
    return CheckIn(registration=registration, walk_in=False, already=False)


@transaction.atomic
def fair_application_record(*, fair: JobFair, registration: FairRegistration, posting: JobPosting, user) -> Application:
    """An application made at the fair (the veteran talks to the employer at its booth): recorded
    by the organiser's staff for a checked-in veteran, traced to the fair."""
    _require_fair(fair, user, "employment.add_fairregistration", "登记招聘会现场投递")
    if registration.fair_id != fair.pk:
        raise ValidationError("该报名不属于本场招聘会")
    if fair.has_door and registration.checked_in_at is None:
        raise ValidationError("请先为该退役军人办理签到，再登记现场投递")
    if not fair.postings.filter(pk=posting.pk).exists():
        raise ValidationError(f"岗位“{posting.title}”不在本场招聘会的推介岗位中")
    if not JobPosting.objects.public().filter(pk=posting.pk).exists():
        raise ValidationError(f"岗位“{posting.title}”已停止招聘，不能再投递")
    veteran = registration.veteran
    if Application.objects.filter(posting=posting, id_number_hash=blind_index(veteran.id_number)).exists():
        raise ValidationError(f"{veteran.name}已申请过岗位“{posting.title}”，每人每个岗位只能申请一次")
    county = veteran.station_id[:6] + "000000"
    application = Application(
        posting=posting,
        name=veteran.name,
        id_number=veteran.id_number,
        phone=veteran.phone or "",
        message=f"{fair.title}现场投递",
        veteran=veteran,
        stated_county_id=county,
        station_id=veteran.station_id,
        needs_follow_up=False,
        fair=fair,
    )
    return _save_application(application)


# --- ventures ------------------------------------------------------------------------------------
VENTURE_FIELDS = (
    "business_name",
    "credit_code",
    "sector",
    "industry",
    "start_date",
    "incubation_base",
    "incubated_from",
    "jobs_created",
)


def _check_venture(venture: Venture) -> None:
    errors = {}
    venture.business_name = (venture.business_name or "").strip()
    if not venture.business_name:
        errors["business_name"] = "请填写企业/个体名称"
    if venture.credit_code:
        try:
            venture.credit_code = validate_credit_code(venture.credit_code)
        except ValidationError as exc:
            errors["credit_code"] = exc.messages[0]
    if venture.start_date and venture.start_date > timezone.localdate():
        errors["start_date"] = "创办日期不能晚于今天"
    if venture.status in (VentureStatus.OPERATING, VentureStatus.SUSPENDED) and not venture.credit_code:
        errors.setdefault("credit_code", "经营中的创业项目须填写营业执照上的统一社会信用代码")
    if venture.incubation_base_id and not venture.incubation_base.is_employment_base:
        errors["incubation_base"] = "孵化基地须为就业创业基地"
    if venture.incubated_from and venture.incubated_from > timezone.localdate():
        errors["incubated_from"] = "入驻日期不能晚于今天"
    if venture.incubated_from and not venture.incubation_base_id:
        errors["incubation_base"] = "填写了入驻日期的须选择孵化基地"
    if errors:
        raise ValidationError(errors)
    venture.incubated = bool(venture.incubation_base_id) or venture.incubated
    duplicate = Venture.objects.filter(credit_code=venture.credit_code).exclude(pk=venture.pk)
    if venture.credit_code and duplicate.exists():
        raise ValidationError({"credit_code": "该统一社会信用代码已登记过创业项目"})
    venture.full_clean(exclude=["founders"], validate_constraints=False)


@transaction.atomic
def venture_register(
    *, lead: Veteran, user, co_founders=(), status: str = VentureStatus.OPERATING, note: str = "", **fields
) -> Venture:
    """登记创业: the founders come from the registry (all in the user's subtree, on the register)."""
    _require_staff_perm(user, "employment.add_venture", "登记创业项目")
    founders = [lead, *[v for v in co_founders if v.pk != lead.pk]]
    if len({v.pk for v in founders}) != len(founders):
        raise ValidationError({"co_founders": "创办人不能重复"})
    for veteran in founders:
        _require_reach(user, veteran.station_id, "创办人")
        _require_active_veteran(Veteran.objects.get(pk=veteran.pk), "登记为创办人")
    if status not in (VentureStatus.PREPARING, VentureStatus.OPERATING):
        raise ValidationError({"status": "新登记的创业项目状态须为筹备中或经营中"})
    venture = Venture(veteran=lead, status=status, recorded_by=user)
    for name in VENTURE_FIELDS:
        if name in fields:
            setattr(venture, name, fields[name])
    _check_venture(venture)
    venture.save()
    VentureFounder.objects.bulk_create(
        [VentureFounder(venture=venture, veteran=v, is_lead=v.pk == lead.pk) for v in founders]
    )
    VentureStatusChange.objects.create(
        venture=venture, from_status="", to_status=status, date=venture.start_date, note=note[:300], recorded_by=user
    )
    return venture


def _lock_venture(venture: Venture, user) -> Venture:
    _require_staff_perm(user, "employment.change_venture", "维护创业项目")
    locked = (
        Venture.objects.select_for_update(of=("self",)).select_related("veteran", "incubation_base").get(pk=venture.pk)
    )
    _require_reach(user, locked.veteran.station_id, "创业项目")
    return locked


@transaction.atomic
def venture_update(*, venture: Venture, user, **fields) -> Venture:
    """Business registration and incubation details (the status moves through venture_set_status)."""
    venture = _lock_venture(venture, user)
    for name in VENTURE_FIELDS:
        if name in fields:
            setattr(venture, name, fields[name])
    moved = venture.status_changes.exclude(from_status="").order_by("date").values_list("date", flat=True).first()
    if moved and venture.start_date and venture.start_date > moved:
        raise ValidationError({"start_date": f"创办日期不能晚于第一次状态变更（{moved:%Y-%m-%d}）"})
    _check_venture(venture)
    venture.save()
    return venture


@transaction.atomic
def venture_add_founder(*, venture: Venture, veteran: Veteran, user) -> VentureFounder:
    venture = _lock_venture(venture, user)
    _require_reach(user, veteran.station_id, "创办人")
    _require_active_veteran(Veteran.objects.get(pk=veteran.pk), "登记为创办人")
    if VentureFounder.objects.filter(venture=venture, veteran=veteran).exists():
        raise ValidationError(f"{veteran.name}已是该创业项目的创办人")
    return VentureFounder.objects.create(venture=venture, veteran=veteran, is_lead=False)


@transaction.atomic
def venture_set_status(*, venture: Venture, to_status: str, date, user, note: str = "") -> VentureStatusChange:
    """Move the venture's status (经营中 → 停业 → 经营中 → 已注销 …); every move is kept."""
    venture = _lock_venture(venture, user)
    labels = dict(VentureStatus.choices)
    if to_status not in venture.allowed_next:
        raise ValidationError(
            f"创业项目当前状态为“{venture.get_status_display()}”，不能变更为“{labels.get(to_status, to_status)}”"
        )
    note = (note or "").strip()
    errors = {}
    last = venture.status_changes.order_by("-date", "-id").values_list("date", flat=True).first() or venture.start_date
    if date is None:
        errors["date"] = "请填写变更日期"
    elif date > timezone.localdate():
        errors["date"] = "变更日期不能晚于今天"
    elif date < last:
        errors["date"] = f"变更日期不能早于上一次状态变更（{last:%Y-%m-%d}）"
    if to_status in (VentureStatus.SUSPENDED, VentureStatus.CLOSED) and not note:
        errors["note"] = "停业或注销须填写说明"
    if to_status == VentureStatus.OPERATING and not venture.credit_code:
        errors["note"] = "转为经营中前须先登记统一社会信用代码"
    if len(note) > 300:
        errors["note"] = "说明最多300个字符"
    if errors:
        raise ValidationError(errors)
    change = VentureStatusChange.objects.create(
        venture=venture, from_status=venture.status, to_status=to_status, date=date, note=note, recorded_by=user
    )
    venture.status = to_status
    venture.save(update_fields=["status", "updated_at"])
    return change


CENT = Decimal("0.01")


@transaction.atomic
def venture_support_add(
    *,
    venture: Venture,
    kind: str,
    date,
    user,
    amount: Decimal | None = None,
    guarantor: str = "",
    provider: str = "",
    note: str = "",
    corrects: VentureSupport | None = None,
    void: bool = False,
) -> VentureSupport:
    """Record support received. Entries are never edited: ``corrects`` names the entry a new one
    replaces (with the right figures), or, with ``void``, cancels."""
    venture = _lock_venture(venture, user)
    errors: dict[str, str] = {}
    if corrects is not None:
        corrects = VentureSupport.objects.select_for_update().filter(pk=corrects.pk, venture=venture).first()
        if corrects is None:
            raise ValidationError("要更正的扶持记录不属于该创业项目")
        if corrects.void or VentureSupport.objects.filter(corrects=corrects).exists():
            raise ValidationError("该扶持记录已被更正或作废，请更正最新的记录")
    if void:
        if corrects is None:
            raise ValidationError("作废须指明要作废的扶持记录")
        kind, amount, guarantor = corrects.kind, None, ""
        if not (note or "").strip():
            errors["note"] = "作废记录须填写说明"
    if kind not in SupportKind.values:
        errors["kind"] = "请选择扶持类型"
    if date is None:
        errors["date"] = "请填写日期"
    elif date > timezone.localdate():
        errors["date"] = "日期不能晚于今天"
    if amount is not None:
        amount = Decimal(amount)
        if amount != amount.quantize(CENT):
            errors["amount"] = "金额精确到分（最多两位小数）"
    if errors:
        raise ValidationError(errors)
    entry = VentureSupport(
        venture=venture,
        kind=kind,
        date=date,
        amount=amount,
        guarantor=(guarantor or "").strip(),
        provider=(provider or "").strip(),
        note=(note or "").strip(),
        corrects=corrects,
        void=void,
        recorded_by=user,
    )
    entry.full_clean(validate_constraints=False)
    entry.save()
    return entry
