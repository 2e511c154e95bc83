"""Second factor (TOTP, django-otp): enrolment and verification after the password login."""

from __future__ import annotations

import base64

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from canghzou_portal.audit import audit

from .models import AuditEvent


class TokenForm(forms.Form):
    token = forms.RegexField(
        label="动态验证码",
        regex=r"^\d{6}$",
        error_messages={"invalid": "动态验证码为 6 位数字", "required": "请输入动态验证码"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
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
@sensitive_post_parameters("token")
@login_required
def otp_setup(request):
    """Enrol a TOTP device (once). A lost device is removed by an administrator in the admin site."""
    if request.user.is_verified() or user_has_device(request.user, confirmed=True):
        return redirect("services:otp_verify")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="身份验证器", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit("otp_enrolled", request=request, obj=device)
            return redirect(_next_url(request))
        form.add_error("token", "动态验证码不正确，请确认手机时间准确后重新输入")
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "registration/otp_setup.html",
        {"form": form, "secret": secret, "config_url": device.config_url, "next": _next_url(request)},
    )
