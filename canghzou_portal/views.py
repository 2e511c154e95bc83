"""Project-level pages: the public home page, health check and error pages."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .audit import AuditResult, audit

logger = logging.getLogger(__name__)


@require_GET
def home(request):
    """The public home page. Its sections come from the apps: each callable named in
    ``settings.PORTAL_HOME_CONTEXT`` takes the request and returns part of the context."""
    context: dict = {}
    for name in settings.PORTAL_HOME_CONTEXT:
        context.update(import_string(name)(request))
    return render(request, "home.html", context)


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers (and Redis, when configured); 503 otherwise."""
    status = {"database": "ok", "redis": "not configured"}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        status["database"] = "error"
        healthy = False
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
            status["redis"] = "ok"
        except Exception:  # noqa: BLE001
            status["redis"] = "error"
            healthy = False
    return JsonResponse(status, status=200 if healthy else 503)


def bad_request(request, exception=None):
    return render(request, "errors/error.html", {"code": 400, "title": "请求有误"}, status=400)


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else "您没有访问此页面的权限。"
    _audit_denied(request, message)
    return render(request, "errors/error.html", {"code": 403, "title": "无权访问", "message": message}, status=403)


def page_not_found(request, exception=None):
    return render(
        request,
        "errors/error.html",
        {"code": 404, "title": "页面不存在", "message": "未找到您要访问的页面或记录，或该记录不在您的辖区范围内。"},
        status=404,
    )


def server_error(request):
    return render(
        request,
        "errors/error.html",
        {"code": 500, "title": "服务器错误", "message": "系统出现错误，请稍后再试。"},
        status=500,
    )


def _audit_denied(request, message: str) -> None:
    """Every 403 answer is an "access_denied" audit event (issue 9)."""
    try:
        audit(
            "access_denied",
            request=request,
            result=AuditResult.DENIED,
            path=request.path[:200],
            method=request.method,
        )
    except Exception:  # noqa: BLE001 - the denial page must render even if the audit write fails
        logger.exception("access_denied audit event could not be written")


def ratelimited(request, exception=None):
    """``RATELIMIT_VIEW``: the shared 429 answer for rate-limited forms and logins."""
    try:
        audit("rate_limited", request=request, result=AuditResult.DENIED, path=request.path[:200])
    except Exception:  # noqa: BLE001
        logger.exception("rate_limited audit event could not be written")
    response = render(
        request,
        "errors/error.html",
        {"code": 429, "title": "请求过于频繁", "message": "您的操作过于频繁，请稍等几分钟后再试。"},
        status=429,
    )
    response["Retry-After"] = "600"
    return response
