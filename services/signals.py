"""Receivers that write the audit trail: logins, logouts, failed logins, lockouts, role changes.

Also the model-level guard of the three-role separation (services/role_separation.py).
"""

import time

from axes.signals import user_locked_out
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from canghzou_portal.audit import AuditResult, audit
from canghzou_portal.middleware import SESSION_LAST_ACTIVITY, SESSION_LOGIN_TIME, current_request

from .models import User
from .role_separation import check_role_separation


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SESSION_LOGIN_TIME] = now
        request.session[SESSION_LAST_ACTIVITY] = now
    audit("login", request=request, user=user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit("logout", request=request, user=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    audit(
        "login_failed",
        request=request,
        result=AuditResult.FAILURE,
        username=str(credentials.get("username", ""))[:150],
    )


@receiver(user_locked_out, dispatch_uid="audit_lockout")
def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    audit("lockout", request=request, user=None, result=AuditResult.DENIED, username=str(username or "")[:150])


def _group_names(instance, action, pk_set) -> tuple[set[str], set[str]]:
    """(names before, names after) of a user's groups for an m2m_changed event."""
    before = set(instance.groups.values_list("name", flat=True))
    changed = set(Group.objects.filter(pk__in=pk_set or ()).values_list("name", flat=True))
    if action == "pre_add":
        return before, before | changed
    if action == "pre_remove":
        return before, before - changed
    return before, set()


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="role_separation_and_audit")
def _groups_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if reverse:  # group.user_set.add(...): check each user touched
        if action == "pre_add":
            group = instance
            for user in User.objects.filter(pk__in=pk_set or ()).prefetch_related("groups"):
                check_role_separation({g.name for g in user.groups.all()} | {group.name})
        elif action in ("post_add", "post_remove"):
            for user in User.objects.filter(pk__in=pk_set or ()):
                names = [instance.name]
                _audit_role_change(
                    user, added=names if action == "post_add" else [], removed=names if action == "post_remove" else []
                )
        return
    if action == "pre_add":
        _, after = _group_names(instance, action, pk_set)
        check_role_separation(after)
        instance._role_before = set(instance.groups.values_list("name", flat=True))
    elif action in ("pre_remove", "pre_clear"):
        instance._role_before = set(instance.groups.values_list("name", flat=True))
    elif action in ("post_add", "post_remove", "post_clear"):
        before = getattr(instance, "_role_before", set())
        after = set(instance.groups.values_list("name", flat=True))
        if before != after:
            _audit_role_change(instance, added=sorted(after - before), removed=sorted(before - after))


def _audit_role_change(user, *, added, removed) -> None:
    audit("role_change", request=current_request(), obj=user, added=list(added), removed=list(removed))
