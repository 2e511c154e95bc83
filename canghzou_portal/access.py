"""Every access decision that is not jurisdiction, in one place (Zulip's ``access_*`` helpers).

``scoping.py`` says WHERE a user may act (the subtree of their station); this module says WHO
they are and WHAT that lets them do. The two together are the whole access model
(docs/architecture.md); a security review reads these two files.

* roles (groups) and the predicates over them: ``is_station_staff``, ``is_employer_account``,
  ``is_auditor``;
* the tier a user acts at (``user_tier``) and who acts at which tier: ``may_act_at_tier`` /
  ``require_tier`` (nominate at village/township, review at county, approve at city), and
  ``require_not_creator`` (nobody reviews their own work);
* permissions with a Chinese refusal: ``require_perm``; full ID and phone numbers:
  ``can_see_full_pii``;
* the station portal's gate for views: ``station_staff_required`` (function views),
  ``StationStaffRequiredMixin`` (class views), ``require_station_staff`` (in code);
* the system actor of commands and tasks (``system_actor``): scope the whole city, audited under
  its own name — there is no switch that turns row security off.

Accounts without a station (employer accounts) reach no station's data through scoping; what
they may do is decided here (``is_employer_account``) and in their app by ownership.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied

from . import codes
from .scoping import station_model

# --- roles ------------------------------------------------------------------------------------
# Roles are groups (their permissions: services/roles.py). Group names contain the Chinese role.
ROLE_SYSADMIN = "系统管理员"
ROLE_BUREAU = "市局工作人员"
ROLE_REVIEWER = "审核员"
ROLE_CLERK = "经办员"
ROLE_STATS = "统计查看员"
ROLE_AUDITOR = "审计员"
ROLE_EMPLOYER = "企业用户"

ALL_ROLES = (ROLE_SYSADMIN, ROLE_BUREAU, ROLE_REVIEWER, ROLE_CLERK, ROLE_STATS, ROLE_AUDITOR, ROLE_EMPLOYER)
# Roles that work in the station portal (/station/) on business data.
BUSINESS_ROLES = (ROLE_BUREAU, ROLE_REVIEWER, ROLE_CLERK, ROLE_STATS)

FULL_PII_PERMISSION = "veterans.view_full_pii"

STATION_STAFF_ONLY = "此页面仅供服务中心（站）工作人员使用"
NO_PERMISSION = "您没有访问此页面的权限"
NOT_ALLOWED = "您没有执行此操作的权限"


def role_names(user) -> frozenset[str]:
    """The names of the user's groups, read once per user object (like Django's permission cache)."""
    if user is None or not getattr(user, "is_authenticated", False) or getattr(user, "is_system", False):
        return frozenset()
    names = getattr(user, "_portal_role_names", None)
    if names is None:
        names = user._portal_role_names = frozenset(user.role_names)
    return names


def is_station_staff(user) -> bool:
    """A business role of the station portal (or a superuser)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or role_names(user) & set(BUSINESS_ROLES))


def is_employer_account(user) -> bool:
    """A partner employer's account: the employer role and the employer it belongs to. Such an
    account has no station, so scoping gives it nothing; its app checks ownership."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "employer_id", None)
        and ROLE_EMPLOYER in role_names(user)
    )


def is_auditor(user) -> bool:
    return ROLE_AUDITOR in role_names(user)


# --- permissions --------------------------------------------------------------------------------
def require_perm(user, perm: str, message: str = NOT_ALLOWED) -> None:
    """Refuse (PermissionDenied with ``message``) a user who does not hold ``perm``."""
    if user is None or not user.has_perm(perm):
        raise PermissionDenied(message)


def can_see_full_pii(user) -> bool:
    """Full ID and phone numbers instead of the masked ones (each reveal is audited by the caller)."""
    return bool(user is not None and user.has_perm(FULL_PII_PERMISSION))


# --- tiers ----------------------------------------------------------------------------------------
TIER_OFFICE = {
    codes.CITY: "市级服务中心",
    codes.COUNTY: "县级服务中心",
    codes.TOWNSHIP: "乡镇（街道）服务站",
    codes.VILLAGE: "村（社区）服务站",
}
NOMINATING_TIERS = (codes.VILLAGE, codes.TOWNSHIP)


def user_tier(user) -> str | None:
    """The tier the user acts at: their station's level; a superuser without a station acts at the
    city; anyone else without a station at no tier."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if getattr(user, "station_id", None):
        return codes.level_of(user.station_id)
    if user.is_superuser:
        return codes.CITY
    return None


def may_act_at_tier(user, *, permission: str, tiers: tuple[str, ...]) -> bool:
    return user_tier(user) in tiers and user.has_perm(permission)


def require_tier(user, *, permission: str, tiers: tuple[str, ...], no_permission: str, wrong_tier: str) -> None:
    """The two refusals of a tiered step, permission first: ``no_permission`` or ``wrong_tier``."""
    require_perm(user, permission, no_permission)
    if user_tier(user) not in tiers:
        raise PermissionDenied(wrong_tier)


def tier_rule(permission: str, tiers: tuple[str, ...], *, no_permission: str, wrong_tier: str):
    """``require_tier`` bound to one rule: a callable ``(user) -> None`` (a workflow's submitter)."""

    def check(user) -> None:
        require_tier(user, permission=permission, tiers=tiers, no_permission=no_permission, wrong_tier=wrong_tier)

    return check


def require_not_creator(user, obj, message: str) -> None:
    """Nobody reviews or approves what they created themselves (``obj.created_by_id``)."""
    if getattr(obj, "created_by_id", None) is not None and obj.created_by_id == user.pk:
        raise PermissionDenied(message)


# Honors (褒扬荣誉): who drafts, edits and submits nominations. Reviews are the steps of the
# nomination workflow (honors/actions.py, through canghzou_portal.approval).
NOMINATE_PERMISSION = "honors.add_nomination"
NOMINATOR_ONLY = "只有村（社区）、乡镇（街道）服务站的经办员可以发起和提交提名"


def may_nominate(user) -> bool:
    return may_act_at_tier(user, permission=NOMINATE_PERMISSION, tiers=NOMINATING_TIERS)


require_nominator = tier_rule(
    NOMINATE_PERMISSION, NOMINATING_TIERS, no_permission="您没有办理荣誉提名的权限", wrong_tier=NOMINATOR_ONLY
)


# --- the station portal gate --------------------------------------------------------------------
def require_station_staff(user, perm: str | None = None, message: str = NO_PERMISSION):
    """The station portal is for business roles attached to a station: returns the user's station
    (the city's for a superuser without one); refuses anyone else, then anyone without ``perm``."""
    if not is_station_staff(user) or (user.station_id is None and not user.is_superuser):
        raise PermissionDenied(STATION_STAFF_ONLY)
    if perm is not None:
        require_perm(user, perm, message)
    if user.station_id is None:
        return station_model().objects.get(level=codes.CITY)
    return user.station


def station_staff_required(perm: str | None = None, *, message: str = NO_PERMISSION):
    """View decorator: login (anonymous users go to the login page), station staff, ``perm``.
    The user's station is ``request.station``."""

    def decorate(view):
        @login_required
        @functools.wraps(view)
        def inner(request, *args, **kwargs):
            request.station = require_station_staff(request.user, perm, message)
            return view(request, *args, **kwargs)

        return inner

    return decorate


class StationStaffRequiredMixin(LoginRequiredMixin):
    """Class-based views: the same gate as ``station_staff_required``. Set ``permission_required``
    (one permission or None) and optionally ``permission_message``."""

    permission_required: str | None = None
    permission_message: str = NO_PERMISSION

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        request.station = require_station_staff(request.user, self.permission_required, self.permission_message)
        return super().dispatch(request, *args, **kwargs)


# --- the system actor ------------------------------------------------------------------------------
@dataclass(frozen=True)
class SystemActor:
    """Who acts when a command or task runs on the bureau's behalf: every permission, the city's
    subtree (through the city station, like city staff — not an off-switch), no account row.
    The audit trail records it as ``系统:<purpose>`` with ``actor="system"``."""

    purpose: str
    station_id: str
    is_authenticated: bool = True
    is_active: bool = True
    is_superuser: bool = False
    is_staff: bool = False
    is_system: bool = True
    pk: None = None
    id: None = None
    employer_id: None = None
    role_names: tuple = ()

    @property
    def username(self) -> str:
        return f"系统:{self.purpose}"

    @property
    def station(self):
        return station_model().objects.get(code=self.station_id)

    def has_perm(self, perm: str, obj=None) -> bool:
        return True

    def has_perms(self, perms, obj=None) -> bool:
        return True

    def __str__(self) -> str:
        return self.username


def system_actor(purpose: str) -> SystemActor:
    """The system actor for ``purpose`` (the command's or task's name); its scope is the city."""
    code = station_model().objects.filter(level=codes.CITY).values_list("code", flat=True).first()
    if code is None:
        raise PermissionDenied("尚未导入市级服务中心，系统操作无从确定辖区，请先运行 load_stations")
    return SystemActor(purpose=purpose, station_id=code)
