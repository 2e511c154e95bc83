"""Cross-cutting security middleware (issue 9). Order in settings.MIDDLEWARE matters:

... AuthenticationMiddleware, OTPMiddleware,
RequestContextMiddleware      — remembers the current request for signal receivers (audit)
LoginRateLimitMiddleware      — POST to a login page: per client address, 429 when exceeded
SessionTimeoutMiddleware      — 15 minutes idle / 12 hours absolute, then logout
OTPRequiredMiddleware         — privileged roles must pass a TOTP check (settings.OTP_REQUIRED)
... AxesMiddleware (last)
"""

from __future__ import annotations

import contextvars
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.module_loading import import_string
from django_ratelimit.core import is_ratelimited

from .audit import audit

# Session keys: the login time and the last request (seconds since the epoch). The login receiver
# (services/signals.py) stamps both; SessionTimeoutMiddleware reads and refreshes them.
SESSION_LOGIN_TIME = "_portal_login_time"
SESSION_LAST_ACTIVITY = "_portal_last_activity"

_current_request: contextvars.ContextVar = contextvars.ContextVar("portal_current_request", default=None)


def current_request():
    """The request being handled in this thread/task, or None (shell, Celery)."""
    return _current_request.get()


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def _login_paths() -> set[str]:
    return {settings.LOGIN_URL, reverse("admin:login"), reverse("services:otp_verify"), reverse("services:otp_setup")}


class LoginRateLimitMiddleware:
    """Rate limit of login POSTs per client address (django-ratelimit, cache-backed).

    django-axes locks accounts after failures; this limit stops one address from spraying
    passwords over many accounts. ``RATELIMIT_FAIL_OPEN`` lets logins through while the cache
    (Redis) is down: axes keeps its counters in the database and still locks.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path in _login_paths():
            limited = is_ratelimited(
                request,
                group="portal-login",
                key="ip",
                rate=settings.PORTAL_LOGIN_RATE,
                method="POST",
                increment=True,
            )
            if limited:
                return import_string(settings.RATELIMIT_VIEW)(request, None)
        return self.get_response(request)


def _exempt(path: str) -> bool:
    prefixes = (settings.STATIC_URL, settings.MEDIA_URL, "/healthz")
    return path.startswith(prefixes)


class SessionTimeoutMiddleware:
    """Log out after ``SESSION_IDLE_TIMEOUT`` seconds without a request or ``SESSION_ABSOLUTE_TIMEOUT``
    seconds after login, on the server (the session row is flushed), and send the user to the login page.
    """

    # Write the activity stamp at most this often (seconds), not on every request.
    TOUCH_EVERY = 10

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not _exempt(request.path):
            now = int(time.time())
            session = request.session
            login_time = session.get(SESSION_LOGIN_TIME)
            last = session.get(SESSION_LAST_ACTIVITY)
            if login_time is None or last is None:  # a session from before this middleware, or force_login
                session[SESSION_LOGIN_TIME] = login_time = now
                session[SESSION_LAST_ACTIVITY] = last = now
            reason = None
            if now - last > settings.SESSION_IDLE_TIMEOUT:
                reason = "idle"
            elif now - login_time > settings.SESSION_ABSOLUTE_TIMEOUT:
                reason = "absolute"
            if reason:
                audit("session_expired", request=request, user=user, reason=reason)
                logout(request)
                query = urlencode({"next": request.get_full_path(), "expired": "1"})
                return HttpResponseRedirect(f"{settings.LOGIN_URL}?{query}")
            if now - last >= self.TOUCH_EVERY:
                session[SESSION_LAST_ACTIVITY] = now
        return self.get_response(request)


def otp_required_for(user) -> bool:
    """Does this account need a second factor (when settings.OTP_REQUIRED is on)?"""
    if not getattr(settings, "OTP_REQUIRED", False) or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return bool(set(settings.OTP_REQUIRED_ROLES) & {g.name for g in user.groups.all()})


class OTPRequiredMiddleware:
    """After the password, bureau staff, reviewers, administrators and superusers must pass a TOTP
    check (``/accounts/otp/verify/``), or enrol a device first (``/accounts/otp/setup/``, which needs
    an enrolment code from a system administrator: services/otp.py) — until then they reach nothing
    else. Needs ``django_otp.middleware.OTPMiddleware`` before it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and otp_required_for(user) and not user.is_verified():
            allowed = {
                reverse("services:otp_verify"),
                reverse("services:otp_setup"),
                reverse("logout"),
                reverse("admin:logout"),
            }
            if request.path not in allowed and not _exempt(request.path):
                from django_otp import user_has_device

                target = "services:otp_verify" if user_has_device(user) else "services:otp_setup"
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{reverse(target)}?{query}")
        return self.get_response(request)
