"""关怀模式 (care mode, issue 23): larger text, higher contrast, bigger touch targets, simpler pages.

The choice is remembered per browser in a cookie, set by a plain link (``/care-mode/?mode=on&next=…``)
that works without JavaScript and returns to the page it came from. Templates see ``care_mode``
(``services`` context processors are untouched; this one is added in settings); ``base.html`` puts
the class ``care-mode`` on ``<html>`` and everything the mode changes hangs off that class in
``static/css/portal.css`` (so the browser tests can audit any page in both modes). Pages rendered
whole from a cache must include :func:`is_on` in their cache key (the job board does).

The switch is an idempotent GET on purpose: it only changes how pages look, sets nothing but this
cookie, and a GET link keeps public pages free of CSRF tokens (the job board serves them from its
cache). ``next`` is checked by Django's own ``url_has_allowed_host_and_scheme``: only a path on this
site is followed, anything else goes to the home page.
"""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

COOKIE = "cz_care"
MAX_AGE = 365 * 24 * 60 * 60


def is_on(request) -> bool:
    return request.COOKIES.get(COOKIE) == "1"


def context(request) -> dict:
    return {"care_mode": is_on(request)}


def safe_next(request, target: str | None) -> str:
    """``target`` when it is a path on this site, else ``/``."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(ord(c) < 32 or ord(c) == 127 for c in target)
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    ):
        return target
    return "/"


@never_cache
@require_GET
def switch(request):
    mode = request.GET.get("mode", "")
    if mode not in ("on", "off"):
        return render(
            request,
            "errors/error.html",
            {"code": 400, "title": "请求有误", "message": "请用页面顶部的“关怀模式”按钮开启或关闭。"},
            status=400,
        )
    response = HttpResponseRedirect(safe_next(request, request.GET.get("next")))
    if mode == "on":
        response.set_cookie(COOKIE, "1", max_age=MAX_AGE, httponly=True, samesite="Lax", secure=request.is_secure())
    else:
        response.delete_cookie(COOKIE, samesite="Lax")
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
