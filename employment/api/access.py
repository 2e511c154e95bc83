"""Who may call the API and how often: partner keys (hashed, revocable, per-key rate limit),
every use written to the audit trail, and one JSON shape for every error."""

from __future__ import annotations

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import exception_handler
from rest_framework_api_key.permissions import BaseHasAPIKey, KeyParser

from canghzou_portal.audit import AuditResult, audit

from ..models import PartnerAPIKey

KEY_HINT = "请在请求头中提供接口密钥：Authorization: Api-Key <密钥>"


class HasPartnerAPIKey(BaseHasAPIKey):
    """A valid, unrevoked, unexpired partner key; the key is kept on the request."""

    model = PartnerAPIKey
    message = KEY_HINT

    def has_permission(self, request, view) -> bool:
        key = self.get_key(request)
        if not key:
            self.message = KEY_HINT
            return False
        try:
            api_key = PartnerAPIKey.objects.get_from_key(key)
        except PartnerAPIKey.DoesNotExist:
            self.message = "接口密钥无效或已被吊销"
            return False
        if api_key.has_expired:
            self.message = "接口密钥已过期"
            return False
        request.partner_key = api_key
        return True


class PartnerKeyThrottle(SimpleRateThrottle):
    """Requests a minute per key (``PartnerAPIKey.requests_per_minute``), in the shared cache."""

    cache_format = "api:throttle:%(ident)s"

    def get_rate(self):
        return None  # decided per key in allow_request

    def allow_request(self, request, view) -> bool:
        api_key = getattr(request, "partner_key", None)
        if api_key is None:
            return True  # refused by the permission already
        self.rate = f"{api_key.requests_per_minute}/m"
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"ident": request.partner_key.prefix}


def key_prefix(request) -> str:
    key = KeyParser().get(request) or ""
    return key.partition(".")[0][:8]


def audit_use(request, response) -> None:
    """One audit row for every request that carried a key (valid or not): which key, what it
    asked for, what it got. No response data is written (it holds no personal data anyway)."""
    prefix = key_prefix(request)
    if not prefix:
        return
    code = response.status_code
    if code < 400:
        result = AuditResult.SUCCESS
    elif code in (status.HTTP_401_UNAUTHORIZED, status.HTTP_403_FORBIDDEN, status.HTTP_429_TOO_MANY_REQUESTS):
        result = AuditResult.DENIED
    else:
        result = AuditResult.FAILURE
    api_key = getattr(request, "partner_key", None)
    audit(
        "api_request",
        request=request,
        result=result,
        username=f"接口密钥:{prefix}",
        key=prefix,
        partner=api_key.name if api_key else "",
        path=request.path[:200],
        query=request.META.get("QUERY_STRING", "")[:300],
        status=code,
    )


def api_exception_handler(exc, context):
    """Every error is a JSON object with a Chinese ``detail``; field errors also under ``errors``."""
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        first = next(iter(errors.values()), ["请求参数有误"])
        message = first[0] if isinstance(first, list) and first else str(first)
        response.data = {"detail": f"请求参数有误：{message}", "errors": errors}
    elif isinstance(data, dict) and "detail" in data:
        response.data = {"detail": str(data["detail"])}
    return response


def not_found_response() -> Response:
    return Response({"detail": "接口不存在，请核对地址（见 /api/v1/schema/）"}, status=status.HTTP_404_NOT_FOUND)
