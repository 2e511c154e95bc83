"""Login lockout with a limit per lockout parameter (django-axes 8.3.1 ``AXES_HANDLER``).

django-axes compares one number, ``get_failures()``, with one limit, ``AXES_FAILURE_LIMIT``; the
failures it counts are the largest sum over the ``AXES_LOCKOUT_PARAMETERS`` (each a filter of its
``AccessAttempt`` rows). Its documentation leaves the handler pluggable for anything beyond that
(``AXES_HANDLER``: "override the necessary methods"). This handler gives each parameter its own
limit, from ``settings.PORTAL_LOCKOUT_RULES`` (``AXES_LOCKOUT_PARAMETERS`` is derived from them):

* one account from one address: 5 failures (``AXES_FAILURE_LIMIT``);
* one account from all addresses together: ``PORTAL_LOCKOUT_ACCOUNT_LIMIT`` (default 50) — a
  distributed guess at one password, without letting anyone lock an account with five tries;
* one address for all accounts together: ``PORTAL_LOCKOUT_ADDRESS_LIMIT`` (default 100, 0 = off) —
  password spraying, high enough for a township office behind one NAT address.

It reports failures scaled to ``AXES_FAILURE_LIMIT``: ``floor(sum × base / limit)`` reaches ``base``
exactly when ``sum`` reaches ``limit``, so axes' own comparisons (``is_locked``, the lockout in
``user_login_failed``, the lockout page's ``failure_limit``) keep working unchanged.

A successful login clears only that account's failures from that address (axes would clear every
row matching any parameter: the owner's login would reset a distributed attack's count, and an
attacker's login to their own account would reset their address's count).
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def lockout_rules() -> list[tuple[tuple[str, ...], int]]:
    """The active (parameters, limit) pairs; a limit of 0 switches its rule off."""
    return [(tuple(params), int(limit)) for params, limit in settings.PORTAL_LOCKOUT_RULES if int(limit) > 0]


def lockout_parameters(request_or_attempt=None, credentials: dict | None = None) -> list:
    """``AXES_LOCKOUT_PARAMETERS`` (a callable, so the rules are written once, in settings)."""
    return [list(params) if len(params) > 1 else params[0] for params, _limit in lockout_rules()]


class TieredLockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        base = get_failure_limit(request, credentials)
        limits = [limit for _params, limit in lockout_rules()]
        attempts_list = self.get_user_attempts(request, credentials)  # one queryset per lockout parameter
        worst = 0
        for attempts, limit in zip(attempts_list, limits, strict=True):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            worst = max(worst, failures * base // limit)
        return worst

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).delete()
        return count
