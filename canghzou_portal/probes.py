"""Jurisdiction probing leaves a trace (issue 15, point 7).

An object outside the user's subtree answers 404 exactly like one that does not exist (the user
learns nothing). The audit trail still records it, as ``out_of_scope`` (result DENIED): the model,
the id and the object's station — never the object's text, which could be a veteran's name the
auditor of a county may not see. A 404 for an object that does not exist at all is not recorded.

Not flooding the trail: someone walking ids (``/station/veterans/1/``, ``/2/`` …) or reloading one
page would write a row per request. So, with the reusable miss counter of
``canghzou_portal.lookup_limit`` (Redis, or the database while it is down — an outage does not
switch the trace off):

* each (user, object) is recorded once an hour: reloading the same page adds nothing;
* each user gets at most ``PORTAL_PROBE_AUDIT_LIMIT`` (20) rows an hour; the last one says
  ``"more_not_recorded": true``. Everything beyond goes to the log (``portal.security``; no
  personal data in it either), so nothing is silently lost.

Probing needs an account (every station page requires a login), so each row names the prober.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError

from .lookup_limit import LookupLimit

logger = logging.getLogger("portal.security")


def _limit() -> LookupLimit:
    hour = timedelta(hours=1)
    return LookupLimit(
        "out-of-scope",
        key_misses=1,
        address_misses=getattr(settings, "PORTAL_PROBE_AUDIT_LIMIT", 20),
        key_window=hour,
        address_window=hour,
    )


def record_probe(qs, user, lookup: dict) -> None:
    """``qs``: the queryset the view looked in, before the jurisdiction filter; ``lookup``: what the
    user asked for (``{"pk": "17"}``). Found there = it exists, and only the jurisdiction hid it."""
    from services.models import AuditEvent

    from .audit import audit
    from .middleware import current_request
    from .scoping import jurisdiction_path

    if user is None or not getattr(user, "is_authenticated", False):
        return
    model = qs.model
    path = jurisdiction_path(model)
    if path is None:
        return
    station_field = path if path == "code" else f"{path}__code"
    try:
        row = qs.filter(**lookup).values_list("pk", station_field).first()
    except (ValueError, TypeError, ValidationError):
        return  # not even a valid id: a plain 404
    if row is None:
        return
    pk, station = row
    label = model._meta.label
    request = current_request()
    where = request.path[:200] if request is not None else ""
    limit = _limit()
    key, who = f"{user.pk}:{label}:{pk}", f"user:{user.pk}"
    refused = limit.blocked(key=key, address=who)
    if refused:
        logger.warning("out-of-scope %s %s by user %s at %s (not audited: %s)", label, pk, user.pk, where, refused)
        return
    reached = limit.miss(key=key, address=who)
    detail = {"model": label, "id": str(pk), "target_station": station or "", "path": where}
    if "address" in reached:
        detail["more_not_recorded"] = True
    audit("out_of_scope", request=request, user=user, result=AuditEvent.Result.DENIED, **detail)
