"""Second factor (TOTP, django-otp): enrolment (against an administrator's code, services/otp.py)
and verification after the password login."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login

from canghzou_portal.audit import audit

from . import otp
from .models import AuditEvent


class TokenForm(forms.Form):
    token = forms.RegexField(
        label="动态验证码",
        regex=r"^\d{6}$",
        error_messages={"invalid": "动态验证码为 6 位数字", "required": "请输入动态验证码"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class EnrolmentCodeForm(forms.Form):
    code = forms.CharField(
        label="绑定码",
        max_length=40,
        error_messages={"required": "请输入系统管理员提供的绑定码"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "autofocus": True}),
        help_text="12 位字母和数字，如 ABCD-EFGH-JKMN，由系统管理员当面或电话告知",
    )


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/station/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return "/station/"
    return target


@never_cache
@sensitive_post_parameters("token")
@login_required
def otp_verify(request):
    devices = list(devices_for_user(request.user, confirmed=True))
    if not devices:
        return redirect("services:otp_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in devices:
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                audit("otp_verified", request=request)
                return redirect(_next_url(request))
        audit("otp_failed", request=request, result=AuditEvent.Result.FAILURE)
        form.add_error("token", "动态验证码不正确或已过期，请重新输入")
    return render(request, "registration/otp_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@sensitive_post_parameters("token", "code")
@login_required
def otp_setup(request):
    """Bind a TOTP device: first the administrator's enrolment code, then the secret is shown and a
    code from the app confirms it. The password alone never gets past the first step."""
    if request.user.is_verified() or user_has_device(request.user, confirmed=True):
        return redirect("services:otp_verify")
    device = otp.enrolment_device(request)
    if device is None:
        form = EnrolmentCodeForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                otp.otp_code_redeem(user=request.user, code=form.cleaned_data["code"], request=request)
            except ValidationError as exc:
                form.add_error("code", exc.messages[0])
            else:
                return redirect(f"{request.path}?{urlencode({'next': _next_url(request)})}")
        return render(request, "registration/otp_code.html", {"form": form, "next": _next_url(request)})
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if otp.otp_enrolment_confirm(device=device, token=form.cleaned_data["token"], request=request):
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("token", "动态验证码不正确，请确认手机时间准确后重新输入")
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "registration/otp_setup.html",
        {"form": form, "secret": secret, "config_url": device.config_url, "next": _next_url(request)},
    )
