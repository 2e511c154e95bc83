"""Writing the audit trail: one call, ``audit(action, request=…, user=…, obj=…, **detail)``.

The trail's table is the model named by ``settings.PORTAL_AUDIT_MODEL`` (``services.AuditEvent``:
append-only, see its model); the platform core writes to it without importing the app, as Django
does with ``AUTH_USER_MODEL``. Never put an ID or phone number into ``detail``.

A command or task acting as the system actor (``canghzou_portal.access.system_actor``) is
recorded under its own name (``系统:<purpose>``), with the city station, and ``actor="system"``.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models


class AuditResult(models.TextChoices):
    SUCCESS = "success", "成功"
    FAILURE = "failure", "失败"
    DENIED = "denied", "拒绝"


def audit_model():
    return apps.get_model(settings.PORTAL_AUDIT_MODEL)


def _valid_ip(value: str) -> str | None:
    value = (value or "").strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client address of a request.

    ``X-Forwarded-For`` is honoured only behind ``PORTAL_PROXY_COUNT`` trusted reverse proxies
    (default 0: the header is ignored, because a client can send anything in it). With N
    proxies, each proxy appends the address it saw, so the client is the N-th entry from the right.
    """
    if request is None:
        return None
    remote = _valid_ip(request.META.get("REMOTE_ADDR", ""))
    proxies = int(getattr(settings, "PORTAL_PROXY_COUNT", 0) or 0)
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return _valid_ip(forwarded[-proxies]) or remote
    return remote


def client_ip_for_axes(request) -> str:
    """``AXES_CLIENT_IP_CALLABLE``: django-axes locks on the same address the audit trail records."""
    return client_ip(request) or ""


def audit(
    action: str,
    *,
    request=None,
    user=None,
    obj: Any = None,
    result: str = AuditResult.SUCCESS,
    **detail: Any,
):
    """Append one event to the audit trail and return it."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if getattr(user, "is_system", False):
        detail.setdefault("actor", "system")
    event = audit_model()(
        user=user if getattr(user, "pk", None) is not None else None,
        username=getattr(user, "username", "") or detail.pop("username", ""),
        station_code=getattr(user, "station_id", "") or "",
        ip_address=client_ip(request),
        action=action,
        result=result,
        detail=detail,
    )
    if obj is not None:
        event.object_type = obj._meta.label
        event.object_id = str(obj.pk)
        event.object_repr = str(obj)[:200]
    event.save()
    return event
