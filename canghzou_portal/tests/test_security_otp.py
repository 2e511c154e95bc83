"""Second factor (django-otp TOTP) for bureau staff, reviewers, administrators and superusers."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from canghzou_portal.admin_site import PortalOTPAdminSite
from canghzou_portal.middleware import otp_required_for
from services.models import AuditEvent

pytestmark = pytest.mark.django_db


def _token(device: TOTPDevice, offset: int = 0) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset)
    return f"{value:0{device.digits}d}"


@override_settings(OTP_REQUIRED=True)
def test_reviewer_with_a_device_must_verify(client_for, county_reviewer):
    device = TOTPDevice.objects.create(user=county_reviewer, name="手机", confirmed=True)
    client = client_for(county_reviewer)
    response = client.get("/station/")
    assert response["Location"].startswith("/accounts/otp/verify/")
    assert client.get("/admin/").status_code == 302  # the admin is behind the check too
    bad = client.post("/accounts/otp/verify/", {"token": "12345", "next": "/station/"})
    assert "6 位数字" in bad.content.decode()
    bad = client.post("/accounts/otp/verify/", {"token": f"{(int(_token(device)) + 1) % 1000000:06d}"})
    assert "不正确" in bad.content.decode()
    assert AuditEvent.objects.filter(action="otp_failed").exists()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # django-otp slows down guessing (1 s, 2 s, 4 s …)
    device.throttle_reset()  # = the throttle delay having passed
    ok = client.post("/accounts/otp/verify/", {"token": _token(device), "next": "/station/"})
    assert ok.status_code == 302 and ok["Location"] == "/station/"
    assert client.get("/station/").status_code == 200


@override_settings(OTP_REQUIRED=True)
def test_verify_refuses_an_offsite_next(client_for, county_reviewer):
    device = TOTPDevice.objects.create(user=county_reviewer, name="手机", confirmed=True)
    client = client_for(county_reviewer)
    ok = client.post("/accounts/otp/verify/", {"token": _token(device), "next": "https://evil.example/"})
    assert ok["Location"] == "/station/"


@override_settings(OTP_REQUIRED=True)
def test_clerks_need_no_second_factor(client_for, village_clerk):
    assert client_for(village_clerk).get("/station/").status_code == 200


@override_settings(OTP_REQUIRED=True)
def test_who_needs_the_second_factor(village_clerk, city_bureau, county_reviewer, sysadmin, superuser, auditor):
    assert otp_required_for(city_bureau) and otp_required_for(county_reviewer)
    assert otp_required_for(sysadmin) and otp_required_for(superuser)
    assert not otp_required_for(village_clerk) and not otp_required_for(auditor)


def test_switched_off_by_default(client_for, city_bureau, settings):
    assert settings.OTP_REQUIRED is False
    assert client_for(city_bureau).get("/station/").status_code == 200


@override_settings(OTP_REQUIRED=True)
def test_admin_site_admits_privileged_staff_only_when_verified(sysadmin, village_clerk):
    site = PortalOTPAdminSite()
    request = RequestFactory().get("/admin/")
    request.user = sysadmin
    sysadmin.is_verified = lambda: False
    assert not site.has_permission(request)
    sysadmin.is_verified = lambda: True
    assert site.has_permission(request)
    request.user = village_clerk
    village_clerk.is_verified = lambda: False
    assert site.has_permission(request)  # clerks keep password-only admin access


def test_production_settings_switch_it_on():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "settings" / "production.py").read_text()
    assert 'OTP_REQUIRED = env.bool("OTP_REQUIRED", default=True)' in text
