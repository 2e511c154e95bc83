"""Three-role separation (GB/T 22239 level 3 "三权分立").

The system administrator manages accounts, the auditor reads the audit trail, business roles
work on veteran data; one account never combines the system administrator or the auditor with
any other role. Enforced on every path that changes ``User.groups`` (signal in services/signals.py)
and in the admin user form (a clear Chinese error instead of a refusal at save time).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError

from .roles import ROLE_AUDITOR, ROLE_SYSADMIN

EXCLUSIVE_ROLES = (ROLE_SYSADMIN, ROLE_AUDITOR)


def role_conflict(role_names: Iterable[str]) -> str | None:
    """The Chinese reason why these roles cannot be held together, or None."""
    names = set(role_names)
    for role in EXCLUSIVE_ROLES:
        if role in names and len(names) > 1:
            others = "、".join(sorted(names - {role}))
            return f"“{role}”必须单独授予，不能与其他角色（{others}）同时授予同一账号（三权分立）。"
    return None


def check_role_separation(role_names: Iterable[str]) -> None:
    reason = role_conflict(role_names)
    if reason:
        raise ValidationError({"groups": reason})


class RoleSeparationFormMixin:
    """For forms with a ``groups`` field (the admin's user forms): refuse forbidden combinations."""

    def clean(self):
        data = super().clean()
        groups = data.get("groups")
        if groups is not None:
            reason = role_conflict(g.name for g in groups)
            if reason:
                self.add_error("groups", reason)
        return data


def user_admin_forms():
    """(change form, add form) classes for services.admin.UserAdmin."""
    from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

    class PortalUserChangeForm(RoleSeparationFormMixin, UserChangeForm):
        pass

    class PortalUserCreationForm(RoleSeparationFormMixin, AdminUserCreationForm):
        pass

    return PortalUserChangeForm, PortalUserCreationForm
