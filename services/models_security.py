"""Security bookkeeping models (issue 15), kept apart from the business models of services/models.py
(which imports them at its end so Django registers them in the services app)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class LookupMiss(models.Model):
    """One failed public lookup, written by ``canghzou_portal.lookup_limit`` only when Redis is not
    available (not configured, or down). ``digest`` is a keyed hash: no application number, ID
    number or address is stored."""

    name = models.CharField("查询", max_length=40)
    kind = models.CharField("计数维度", max_length=10)  # "key" or "address"
    digest = models.CharField("摘要", max_length=64)
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "查询失败记录"
        verbose_name_plural = "查询失败记录"
        indexes = [
            models.Index(fields=["name", "kind", "digest", "at"], name="lookupmiss_count"),
            models.Index(fields=["at"], name="lookupmiss_at"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class OTPEnrolmentCode(models.Model):
    """A single-use code with which one account may bind an authenticator (services/otp.py).

    Issued by a system administrator (or on the server's command line), shown once to them, stored
    only as a keyed hash; it expires, and wrong entries void it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="账号", on_delete=models.CASCADE, related_name="otp_enrolment_codes"
    )
    code_hash = models.CharField("绑定码摘要", max_length=64)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签发人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="空：在服务器命令行签发",
    )
    issued_at = models.DateTimeField("签发时间", default=timezone.now)
    expires_at = models.DateTimeField("有效期至")
    reset_devices = models.BooleanField("重新绑定", default=False, help_text="签发时删除了原有身份验证器")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)
    revoked_at = models.DateTimeField("作废时间", null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField("错误次数", default=0)

    class Meta:
        verbose_name = "身份验证器绑定码"
        verbose_name_plural = "身份验证器绑定码"
        indexes = [models.Index(fields=["user", "expires_at"], name="otpcode_user_expires")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.issued_at:%Y-%m-%d %H:%M}"
