"""Tiered approval (village/township → county → city): ONE pattern for every domain.

A workflow is declared once, next to the model it moves, as data: the statuses, which tier
reviews at which step, an optional condition for a step (a threshold: "the city approves only
above an amount"), where a rejection or a return for correction goes, and who may reopen.
The functions here move an object through it and do, every time, what an approval needs:

* who: the permission and the tier of the step (``access.require_tier``), the object inside the
  actor's subtree (``scoping``), nobody reviewing what they created (``access.require_not_creator``);
* the row locked (``SELECT … FOR UPDATE``) and its status read again before it changes, so two
  reviewers cannot act at once;
* one append-only transition row (who, their station, from, to, comment) per move
  (``TransitionLog``), one audit event (``<action>_<verb>`` with tier, from, to and comment), and
  an audit event with result ``denied`` for every refusal (written after the rollback);
* Chinese messages: PermissionDenied for who, ValidationError for when.

Each function opens its own transaction: call it outside one (a refusal is audited after the
rollback); do the domain's own writes of the same step in ``then=`` (run inside it).

Example — hardship cases (村/乡镇 submit → 县 review → 市 only above 5,000 yuan)::

    # services/models.py
    class HardshipStatus(models.TextChoices):
        DRAFT = "draft", "草稿"
        COUNTY = "county_review", "待县级审核"
        CITY = "city_review", "待市级审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "未通过"
        RETURNED = "returned", "退回修改"

    class HardshipCase(CreatedByModel):          # created_by: no self-review
        station = models.ForeignKey("services.Station", ...)
        status = models.CharField(max_length=20, choices=HardshipStatus.choices, default="draft")
        amount = models.DecimalField(...)
        jurisdiction_path = "station"             # reach is checked through scoping

    class HardshipTransition(TransitionLog):     # the append-only log
        case = models.ForeignKey(HardshipCase, on_delete=models.CASCADE, related_name="transitions")
        jurisdiction_path = "case__station"

    # services/actions.py
    from canghzou_portal import access, approval, codes

    HARDSHIP = approval.Workflow(
        action="hardship_case", noun="帮扶申请", title="困难帮扶申请",
        log=HardshipTransition, log_link="case",
        drafts=(S.DRAFT, S.RETURNED),
        submitter=access.tier_rule(
            "services.change_hardshipcase", (codes.VILLAGE, codes.TOWNSHIP),
            no_permission="您没有办理困难帮扶申请的权限",
            wrong_tier="只有村（社区）、乡镇（街道）服务站的经办员可以提交帮扶申请",
        ),
        steps=(
            approval.Step(codes.COUNTY, S.COUNTY, "services.review_hardshipcase"),
            approval.Step(codes.CITY, S.CITY, "services.review_hardshipcase",
                          applies=lambda case: case.amount > Decimal("5000")),
        ),
        approved=S.APPROVED, rejected=S.REJECTED, returned=S.RETURNED,
        stamps={S.APPROVED: "decided_at", S.REJECTED: "decided_at"},
    )

    def hardship_case_approve(*, case, user, comment="", request=None):
        return approval.approve(HARDSHIP, case, user=user, comment=comment, request=request)

A roll computed by the system and approved county → city starts in the first step's status
(``steps[0].waiting``) with ``approval.record_start``; a membership reviewed by the county only
has a single step; ``Reopen`` lets a tier take a decided object back to a draft. Pending work for
dashboards (``canghzou_portal.todos``): ``approval.awaiting(workflow, queryset, user)``.
The honors nominations (honors/actions.py) are the reference use.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from . import access, codes
from .audit import AuditResult, audit
from .scoping import ScopedQuerySet, object_station_code, scope_queryset, user_can_reach_code


# --- the declaration ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    """One review: while the object waits in ``waiting``, a holder of ``permission`` at ``tier``
    decides. ``applies(obj)`` may skip the step (a threshold); ``who`` names the actor in messages."""

    tier: str
    waiting: str
    permission: str
    applies: Callable[[models.Model], bool] | None = None
    who: str = "审核员"

    def applies_to(self, obj) -> bool:
        return self.applies is None or bool(self.applies(obj))


@dataclass(frozen=True)
class Reopen:
    """Taking a decided object back: from ``from_statuses`` to ``to``, by ``permission`` at ``tiers``."""

    from_statuses: tuple[str, ...]
    to: str
    permission: str
    tiers: tuple[str, ...]
    who: str = "审核员"


@dataclass(frozen=True)
class Workflow:
    action: str  # audit actions are "<action>_submit", "<action>_approve", "<action>_reject", ...
    noun: str  # "提名": 该提名不在您的辖区范围内
    title: str  # "荣誉提名": 您没有审核荣誉提名的权限
    log: type[models.Model]  # a TransitionLog subclass
    log_link: str  # its foreign key to the object
    steps: tuple[Step, ...]
    approved: str
    rejected: str | None = None
    returned: str | None = None  # back to the submitter for correction
    drafts: tuple[str, ...] = ()  # where the submitter edits and submits from
    submitter: Callable[[object], None] | None = None  # raises PermissionDenied; None: nobody submits
    reopen: Reopen | None = None
    status_field: str = "status"
    comment_field: str | None = None  # a field holding the latest comment, if the model has one
    stamps: dict[str, str] = field(default_factory=dict)  # status -> datetime field set on entering it

    def is_draft(self, obj) -> bool:
        return self.status_of(obj) in self.drafts

    def status_of(self, obj) -> str:
        return getattr(obj, self.status_field)

    def step_at(self, tier: str | None) -> Step | None:
        return next((s for s in self.steps if s.tier == tier), None)

    def step_waiting(self, status: str) -> Step | None:
        return next((s for s in self.steps if s.waiting == status), None)

    def next_status(self, obj, after: Step | None = None) -> str:
        """The status after ``after`` (or after submission): the next step that applies, else approved."""
        start = 0 if after is None else self.steps.index(after) + 1
        for step in self.steps[start:]:
            if step.applies_to(obj):
                return step.waiting
        return self.approved

    def label(self, obj, status: str | None = None) -> str:
        status = self.status_of(obj) if status is None else status
        return str(dict(type(obj)._meta.get_field(self.status_field).flatchoices).get(status, status))


class TransitionLogQuerySet(ScopedQuerySet):
    def update(self, **kwargs):
        raise PermissionError("流转记录不可修改")

    def delete(self):
        raise PermissionError("流转记录不可删除")


class TransitionLog(models.Model):
    """Append-only log of a workflow: one row per move. A subclass adds the foreign key to its
    object (named in ``Workflow.log_link``), its ``jurisdiction_path`` (through that key) and may
    give the two status fields their choices."""

    from_status = models.CharField("原状态", max_length=20, blank=True)
    to_status = models.CharField("新状态", max_length=20)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    station = models.ForeignKey(
        settings.PORTAL_STATION_MODEL,
        verbose_name="操作人所属服务站",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    comment = models.TextField("意见", blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)

    objects = TransitionLogQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("流转记录不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("流转记录不可删除")


# --- reads ---------------------------------------------------------------------------------------
def waiting_for(workflow: Workflow, user) -> str | None:
    """The status the user's tier decides in this workflow, or None."""
    step = workflow.step_at(access.user_tier(user))
    if step is None or not user.has_perm(step.permission):
        return None
    return step.waiting


def awaiting(workflow: Workflow, queryset, user):
    """The objects of ``queryset`` waiting for the user's decision: their tier's step, their
    subtree, not created by them (review queues, dashboard to-dos)."""
    status = waiting_for(workflow, user)
    if status is None:
        return queryset.none()
    qs = scope_queryset(queryset.filter(**{workflow.status_field: status}), user)
    if any(f.name == "created_by" for f in qs.model._meta.get_fields()):
        qs = qs.exclude(created_by_id=user.pk)
    return qs


def can_decide(workflow: Workflow, obj, user) -> bool:
    """Whether ``user`` may approve, reject or return ``obj`` now (for showing the buttons)."""
    step = workflow.step_at(access.user_tier(user))
    return (
        step is not None
        and step.waiting == workflow.status_of(obj)
        and user.has_perm(step.permission)
        and not (getattr(obj, "created_by_id", None) is not None and obj.created_by_id == user.pk)
        and user_can_reach_code(user, object_station_code(obj))
    )


# --- moves -----------------------------------------------------------------------------------------
def lock(workflow: Workflow, obj):
    """Lock the row and read its own fields again (cached relations are kept); inside a transaction."""
    model = type(obj)
    list(model._default_manager.select_for_update().filter(pk=obj.pk).values_list("pk", flat=True))
    obj.refresh_from_db(fields=[f.attname for f in model._meta.concrete_fields if not f.is_relation])
    return obj


def require_reach(workflow: Workflow, obj, user) -> None:
    if not user_can_reach_code(user, object_station_code(obj)):
        raise PermissionDenied(f"该{workflow.noun}不在您的辖区范围内")


def record_start(workflow: Workflow, obj, *, user=None, comment: str = ""):
    """The first log row of a new object ("" → its status), inside the creating transaction."""
    return _log(workflow, obj, from_status="", to_status=workflow.status_of(obj), user=user, comment=comment)


def transition(workflow: Workflow, obj, *, to: str, user, verb: str, comment: str = "", request=None, **detail):
    """The primitive every move uses (call it on a locked row, inside a transaction): log, status,
    stamps, comment, save, audit ``<action>_<verb>``. Domain moves outside the approval steps
    (a suspension, an exit) use it directly after their own checks."""
    from_status = workflow.status_of(obj)
    _log(workflow, obj, from_status=from_status, to_status=to, user=user, comment=comment)
    setattr(obj, workflow.status_field, to)
    fields = [workflow.status_field]
    if workflow.comment_field and comment:
        setattr(obj, workflow.comment_field, comment)
        fields.append(workflow.comment_field)
    if to in workflow.stamps:
        setattr(obj, workflow.stamps[to], timezone.now())
        fields.append(workflow.stamps[to])
    fields += [f.name for f in type(obj)._meta.concrete_fields if getattr(f, "auto_now", False)]
    obj.save(update_fields=list(dict.fromkeys(fields)))
    audit(
        f"{workflow.action}_{verb}",
        request=request,
        user=user,
        obj=obj,
        from_status=from_status,
        to_status=to,
        comment=comment[:200],
        **detail,
    )
    return obj


def submit(workflow: Workflow, obj, *, user, comment: str = "", request=None, check=None, then=None):
    """Draft (or returned) → the first step that applies. ``check(obj)`` runs on the locked row
    (raise ValidationError for what is missing)."""

    def move():
        _require_submitter(workflow, obj, user)
        lock(workflow, obj)
        if not workflow.is_draft(obj):
            raise ValidationError(f"状态为“{workflow.label(obj)}”的{workflow.noun}不能提交")
        if check is not None:
            check(obj)
        transition(workflow, obj, to=workflow.next_status(obj), user=user, verb="submit", comment=comment.strip())
        return then(obj) if then else obj

    return _run(workflow, "submit", obj, user, request, move)


def approve(workflow: Workflow, obj, *, user, tier: str | None = None, comment: str = "", request=None, then=None):
    """The step of ``tier`` (default: the user's) passes: on to the next step that applies, or approved."""

    def move():
        step = _decide(workflow, obj, user, tier)
        to = workflow.next_status(obj, after=step)
        transition(workflow, obj, to=to, user=user, verb="approve", comment=comment.strip(), tier=step.tier)
        return then(obj) if then else obj

    return _run(workflow, "approve", obj, user, request, move)


def reject(workflow: Workflow, obj, *, user, reason: str, tier: str | None = None, request=None, then=None):
    """A decision against, with its reason (required)."""
    if workflow.rejected is None:
        raise ValidationError(f"{workflow.title}不能驳回")

    def move():
        text = _required(reason, "不予通过的理由")
        step = _decide(workflow, obj, user, tier)
        transition(workflow, obj, to=workflow.rejected, user=user, verb="reject", comment=text, tier=step.tier)
        return then(obj) if then else obj

    return _run(workflow, "reject", obj, user, request, move)


def send_back(workflow: Workflow, obj, *, user, comment: str, tier: str | None = None, request=None):
    """Return to the submitter for correction (``workflow.returned``), with the reviewer's comment."""
    if workflow.returned is None:
        raise ValidationError(f"{workflow.title}不能退回修改")

    def move():
        text = _required(comment, "退回修改的意见")
        step = workflow.step_at(tier or access.user_tier(user))
        if step is None:
            offices = "或".join(access.TIER_OFFICE[s.tier] for s in workflow.steps)
            raise PermissionDenied(f"只有{offices}的{workflow.steps[0].who}可以退回{workflow.noun}")
        _decide(workflow, obj, user, step.tier)
        transition(workflow, obj, to=workflow.returned, user=user, verb="return", comment=text, tier=step.tier)
        return obj

    return _run(workflow, "return", obj, user, request, move)


def reopen(workflow: Workflow, obj, *, user, reason: str, request=None):
    """A decided object back to ``workflow.reopen.to`` (a draft), with the reason (required)."""
    rule = workflow.reopen
    if rule is None:
        raise ValidationError(f"{workflow.title}不能重新办理")

    def move():
        text = _required(reason, "重新办理的理由")
        offices = "、".join(access.TIER_OFFICE[t] for t in rule.tiers)
        access.require_tier(
            user,
            permission=rule.permission,
            tiers=rule.tiers,
            no_permission=f"您没有重新办理{workflow.title}的权限",
            wrong_tier=f"只有{offices}的{rule.who}可以重新办理{workflow.noun}",
        )
        require_reach(workflow, obj, user)
        lock(workflow, obj)
        if workflow.status_of(obj) not in rule.from_statuses:
            raise ValidationError(f"该{workflow.noun}当前状态为“{workflow.label(obj)}”，不能重新办理")
        transition(workflow, obj, to=rule.to, user=user, verb="reopen", comment=text)
        return obj

    return _run(workflow, "reopen", obj, user, request, move)


def audit_denials(action: str, *, obj: str | None = None):
    """Decorator for a domain action outside the steps (create, edit, attach): a refusal
    (PermissionDenied) is written to the audit trail as ``action`` with result ``denied``, after the
    action's transaction has rolled back (put it above ``@transaction.atomic``). ``obj`` names the
    keyword argument holding the object; ``user`` and ``request`` are read from the keywords."""

    def wrap(func):
        @functools.wraps(func)
        def inner(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except PermissionDenied as exc:
                target = kwargs.get(obj) if obj else None
                _audit_denied(action, target, kwargs.get("user"), kwargs.get("request"), exc)
                raise

        return inner

    return wrap


# --- internals ------------------------------------------------------------------------------------------
def _run(workflow: Workflow, verb: str, obj, user, request, move):
    try:
        with transaction.atomic():
            return move()
    except PermissionDenied as exc:
        _audit_denied(f"{workflow.action}_{verb}", obj, user, request, exc)
        raise


def _audit_denied(action: str, obj, user, request, exc: Exception) -> None:
    audit(
        action,
        request=request,
        user=user,
        obj=obj if obj is not None and getattr(obj, "pk", None) else None,
        result=AuditResult.DENIED,
        reason=str(exc),
    )


def _require_submitter(workflow: Workflow, obj, user) -> None:
    if workflow.submitter is None:
        raise PermissionDenied(f"{workflow.title}无需提交")
    workflow.submitter(user)
    require_reach(workflow, obj, user)


def _decide(workflow: Workflow, obj, user, tier: str | None) -> Step:
    """The checks of a review by ``tier``, in order: permission, tier, reach, not one's own; then
    the locked row must be waiting for that tier."""
    tier = tier or access.user_tier(user)
    step = workflow.step_at(tier)
    if step is None:
        raise PermissionDenied(f"{codes.LEVEL_LABELS.get(tier, '该层级')}不审核{workflow.title}")
    access.require_tier(
        user,
        permission=step.permission,
        tiers=(step.tier,),
        no_permission=f"您没有审核{workflow.title}的权限",
        wrong_tier=f"此步骤须由{access.TIER_OFFICE[step.tier]}的{step.who}办理，您不能越级或跨级审核",
    )
    require_reach(workflow, obj, user)
    access.require_not_creator(user, obj, f"不能审核自己创建的{workflow.noun}")
    lock(workflow, obj)
    status = workflow.status_of(obj)
    if status != step.waiting:
        earlier = workflow.step_waiting(status)
        if earlier is not None and workflow.steps.index(earlier) < workflow.steps.index(step):
            this, before = codes.LEVEL_LABELS[step.tier], codes.LEVEL_LABELS[earlier.tier]
            raise ValidationError(f"该{workflow.noun}尚未通过{before}审核，{this}不能越级审批")
        raise ValidationError(f"该{workflow.noun}当前状态为“{workflow.label(obj)}”，不能执行此操作")
    return step


def _required(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"comment": f"请填写{what}"})
    return text


def _log(workflow: Workflow, obj, *, from_status: str, to_status: str, user, comment: str):
    actor = user if getattr(user, "pk", None) is not None else None
    return workflow.log.objects.create(
        **{workflow.log_link: obj},
        from_status=from_status,
        to_status=to_status,
        user=actor,
        station_id=getattr(user, "station_id", None),
        comment=comment,
    )
