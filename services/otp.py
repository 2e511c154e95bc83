"""Second-factor enrolment (issue 15, point 1): a password alone never binds an authenticator.

An account that must use TOTP and has no device cannot sign in (OTPRequiredMiddleware keeps it on
``/accounts/otp/setup/``), and that page binds a device only against an **enrolment code**:

* issued by a system administrator (the user's admin page, "身份验证器绑定码") or on the server's
  command line (``manage.py issue_enrolment_code USERNAME``) — shown once to the issuer, handed
  over out of band (in person, by phone), stored only as a keyed hash;
* single-use, valid ``OTP_ENROLMENT_CODE_HOURS`` (24 h), void after ``OTP_ENROLMENT_MAX_TRIES``
  (5) wrong entries, replaced by the next one issued for the same account;
* redeeming it creates a fresh unconfirmed TOTP device bound to that browser session for
  ``OTP_ENROLMENT_SESSION_MINUTES`` (30); the secret is shown there and nowhere else, and a code
  from the authenticator app confirms it.

Re-enrolment (lost or new phone) is the same with ``reset``: issuing removes the account's devices
at once — every session verified with them stops being verified (django-otp re-reads the device
on each request) — and the next sign-in needs the new code. An administrator may also provision a
device directly in the admin (TOTP devices). Every step is audited: ``otp_code_issued``,
``otp_code_revoked``, ``otp_code_failed``, ``otp_code_used``, ``otp_enrolled``,
``otp_device_removed``, ``otp_device_provisioned``.
"""

from __future__ import annotations

import secrets
import time
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django_otp.plugins.otp_totp.models import TOTPDevice

from canghzou_portal.audit import audit
from canghzou_portal.scoping import check_object_in_scope

from .models import AuditEvent, User
from .models_security import OTPEnrolmentCode

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U: read aloud or over the phone
CODE_LENGTH = 12  # ≈ 59 bits
SESSION_KEY = "_portal_otp_enrolment"
PERMISSION = "services.add_otpenrolmentcode"


def _hours() -> int:
    return int(getattr(settings, "OTP_ENROLMENT_CODE_HOURS", 24))


def _max_tries() -> int:
    return int(getattr(settings, "OTP_ENROLMENT_MAX_TRIES", 5))


def normalize_code(value: str | None) -> str:
    """As typed → as issued: full-width characters, spaces, hyphens and lower case are forgiven."""
    return "".join(unicodedata.normalize("NFKC", value or "").split()).replace("-", "").upper()


def _hash(code: str) -> str:
    return salted_hmac("portal.otp-enrolment-code", normalize_code(code)).hexdigest()


def _format(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def active_codes(user):
    return OTPEnrolmentCode.objects.filter(
        user=user, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )


# --- issuing ---------------------------------------------------------------------------------------
def _check_issuer(*, user: User, issued_by: User | None) -> None:
    if issued_by is None:  # the server's command line: whoever can run it holds the keys anyway
        return
    if not (issued_by.is_superuser or issued_by.has_perm(PERMISSION)):
        raise PermissionDenied("只有系统管理员可以签发身份验证器绑定码")
    if issued_by.pk == user.pk:
        raise PermissionDenied(
            "不能为自己的账号签发绑定码，请由另一位系统管理员签发，或在服务器上运行 issue_enrolment_code"
        )
    check_object_in_scope(issued_by, user)


@transaction.atomic
def otp_code_issue(*, user: User, issued_by: User | None, reset: bool = False, request=None) -> str:
    """A new enrolment code for ``user`` (returned once, in plain text; stored hashed).

    ``reset``: re-enrolment — the account's devices are removed now. Without it, an account that
    already has an authenticator is refused (it would never reach the enrolment page)."""
    _check_issuer(user=user, issued_by=issued_by)
    if not user.is_active:
        raise ValidationError("该账号已停用，不能签发绑定码")
    User.objects.select_for_update().filter(pk=user.pk).first()  # one issue at a time per account
    if reset:
        removed = TOTPDevice.objects.filter(user=user)
        count = removed.count()
        for device in removed:
            device.delete()  # post_delete audits each removal
        if count == 0:
            reset = False
    elif has_device(user):
        raise ValidationError("该账号已绑定身份验证器。手机丢失或更换时，请选择“重新绑定”（同时删除现有身份验证器）")
    now = timezone.now()
    revoked = active_codes(user).update(revoked_at=now)
    if revoked:
        audit("otp_code_revoked", request=request, user=issued_by, obj=user, count=revoked, reason="replaced")
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    entry = OTPEnrolmentCode.objects.create(
        user=user,
        code_hash=_hash(code),
        issued_by=issued_by,
        issued_at=now,
        expires_at=now + timedelta(hours=_hours()),
        reset_devices=reset,
    )
    audit(
        "otp_code_issued",
        request=request,
        user=issued_by,
        obj=user,
        code_id=entry.pk,
        expires_at=entry.expires_at.isoformat(),
        reenrolment=reset,
        command_line=issued_by is None,
    )
    return _format(code)


# --- redeeming and confirming ---------------------------------------------------------------------
def _redeem(user: User, code: str, request) -> tuple[TOTPDevice | None, str]:
    """(device, "") on success, or (None, Chinese reason). Failed tries are committed."""
    with transaction.atomic():
        codes = list(active_codes(user).select_for_update())
        if not codes:
            audit("otp_code_failed", request=request, user=user, result=AuditEvent.Result.FAILURE, reason="none")
            return None, "该账号没有有效的绑定码（未签发、已使用、已过期或已作废）。请联系系统管理员签发新的绑定码。"
        digest = _hash(code)
        match = next((c for c in codes if constant_time_compare(c.code_hash, digest)), None)
        if match is None:
            exhausted = []
            for entry in codes:
                entry.failed_attempts += 1
                if entry.failed_attempts >= _max_tries():
                    entry.revoked_at = timezone.now()
                    exhausted.append(entry.pk)
                entry.save(update_fields=["failed_attempts", "revoked_at"])
            audit("otp_code_failed", request=request, user=user, result=AuditEvent.Result.FAILURE, reason="wrong")
            if exhausted:
                audit("otp_code_revoked", request=request, user=user, obj=user, count=len(exhausted), reason="tries")
                return None, "绑定码错误次数过多，已作废。请联系系统管理员重新签发。"
            return None, "绑定码不正确，请核对后重新输入（注意区分字母和数字）"
        match.used_at = timezone.now()
        match.save(update_fields=["used_at"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)
        audit("otp_code_used", request=request, user=user, obj=user, code_id=match.pk)
        return device, ""


def otp_code_redeem(*, user: User, code: str, request) -> TOTPDevice:
    """Check ``code`` for ``user``; on success an unconfirmed device is bound to this session."""
    device, reason = _redeem(user, code, request)
    if device is None:
        raise ValidationError(reason)
    request.session[SESSION_KEY] = {"device": device.pk, "at": int(time.time())}
    return device


def enrolment_device(request) -> TOTPDevice | None:
    """The device this session may confirm (after a code was redeemed here), or None."""
    state = request.session.get(SESSION_KEY) or {}
    minutes = int(getattr(settings, "OTP_ENROLMENT_SESSION_MINUTES", 30))
    if not state or int(time.time()) - int(state.get("at", 0)) > minutes * 60:
        request.session.pop(SESSION_KEY, None)
        return None
    return TOTPDevice.objects.filter(pk=state.get("device"), user=request.user, confirmed=False).first()


def otp_enrolment_confirm(*, device: TOTPDevice, token: str, request) -> bool:
    if not device.verify_token(token):
        audit("otp_failed", request=request, result=AuditEvent.Result.FAILURE, stage="enrolment")
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    request.session.pop(SESSION_KEY, None)
    audit("otp_enrolled", request=request, obj=device)
    return True


# --- devices changed elsewhere (the admin's TOTP device pages, resets) -------------------------------
@receiver(post_delete, sender=TOTPDevice, dispatch_uid="audit_otp_device_removed")
def _device_removed(sender, instance, **kwargs):
    from canghzou_portal.middleware import current_request

    request = current_request()
    audit(
        "otp_device_removed",
        request=request,
        user=getattr(request, "user", None),
        confirmed=instance.confirmed,
        account=instance.user_id,
    )


@receiver(post_save, sender=TOTPDevice, dispatch_uid="audit_otp_device_provisioned")
def _device_provisioned(sender, instance, created, **kwargs):
    if created and instance.confirmed:  # a confirmed device created directly: provisioned by an admin
        from canghzou_portal.middleware import current_request

        request = current_request()
        audit("otp_device_provisioned", request=request, user=getattr(request, "user", None), account=instance.user_id)
