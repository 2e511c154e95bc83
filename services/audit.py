"""Writing the audit trail. Never put an ID or phone number into ``detail``."""

from __future__ import annotations

from typing import Any

from .models import AuditEvent


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit(
    action: str,
    *,
    request=None,
    user=None,
    obj: Any = None,
    result: str = AuditEvent.Result.SUCCESS,
    **detail: Any,
) -> AuditEvent:
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    event = AuditEvent(
        user=user,
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
