"""Second-factor enrolment needs what the password alone does not give (issue 15, point 1): a
single-use, expiring code issued by a system administrator (services/otp.py)."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from services import otp
from services.models import AuditEvent, OTPEnrolmentCode

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("otp_on")]
SETUP = "/accounts/otp/setup/"


@pytest.fixture
def otp_on(settings):
    settings.OTP_REQUIRED = True


def _token(device: TOTPDevice) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=0)
    return f"{value:0{device.digits}d}"


def _actions(**filters) -> list[str]:
    return list(AuditEvent.objects.filter(**filters).order_by("id").values_list("action", flat=True))


def _password_login(user) -> Client:
    """What an attacker who knows the password has: a session past the password, nothing more."""
    c = Client()
    c.force_login(user)
    return c


def test_the_password_alone_does_not_enrol(city_bureau):
    """The issue's attack: log in with the password, take the secret, enrol your own phone."""
    c = _password_login(city_bureau)
    first = c.get("/station/")
    assert first.status_code == 302 and first["Location"].startswith(SETUP)
    page = c.get(SETUP).content.decode()
    assert "系统管理员签发的绑定码" in page
    assert "otpauth://" not in page and "密钥" not in page
    assert not TOTPDevice.objects.filter(user=city_bureau).exists()  # no secret exists to be shown
    # posting a TOTP code, or any guess at a code, binds nothing
    assert "请输入系统管理员提供的绑定码" in c.post(SETUP, {"token": "123456"}).content.decode()
    assert "没有有效的绑定码" in c.post(SETUP, {"code": "ABCD-EFGH-JKMN"}).content.decode()
    assert not TOTPDevice.objects.filter(user=city_bureau).exists()
    for url in ("/station/", "/admin/", "/station/veterans/"):
        assert c.get(url)["Location"].startswith(SETUP), url  # the account cannot sign in
    assert "otp_code_failed" in _actions(username="bureau")


def test_enrolment_with_the_administrators_code(city_bureau, sysadmin):
    code = otp.otp_code_issue(user=city_bureau, issued_by=sysadmin)
    assert re.fullmatch(r"[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}", code)
    stored = OTPEnrolmentCode.objects.get(user=city_bureau)
    assert code.replace("-", "") not in stored.code_hash and stored.issued_by == sysadmin
    assert dt.timedelta(hours=23) < stored.expires_at - timezone.now() <= dt.timedelta(hours=24)
    c = _password_login(city_bureau)
    typed = code.lower().replace("-", " ")  # forgiving about case and separators
    step = c.post(SETUP, {"code": typed, "next": "/station/veterans/"})
    assert step.status_code == 302 and step["Location"].startswith(SETUP)
    page = c.get(step["Location"])
    body = page.content.decode()
    assert "otpauth://totp/" in body and page.context["secret"] in body
    device = TOTPDevice.objects.get(user=city_bureau, confirmed=False)
    wrong = c.post(SETUP, {"token": f"{(int(_token(device)) + 1) % 1000000:06d}", "next": "/station/veterans/"})
    assert "动态验证码不正确" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    done = c.post(SETUP, {"token": _token(device), "next": "/station/veterans/"})
    assert done.status_code == 302 and done["Location"] == "/station/veterans/"
    assert c.get("/station/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert _actions(action__startswith="otp_") == [
        "otp_code_issued",
        "otp_code_used",
        "otp_failed",
        "otp_enrolled",
    ]
    issued = AuditEvent.objects.get(action="otp_code_issued")
    assert issued.username == "sysadmin" and issued.object_id == str(city_bureau.pk)
    assert code not in str(issued.detail)
    # single use: the same code does nothing a second time (and the account now verifies instead)
    assert otp.active_codes(city_bureau).count() == 0


def test_a_code_is_single_use(city_bureau, sysadmin):
    code = otp.otp_code_issue(user=city_bureau, issued_by=sysadmin)
    _password_login(city_bureau).post(SETUP, {"code": code})
    other = _password_login(city_bureau)  # someone else with the password, the same code
    response = other.post(SETUP, {"code": code})
    assert "没有有效的绑定码" in response.content.decode()
    assert "otpauth://" not in other.get(SETUP).content.decode()  # the redeemed device is not theirs


def test_a_code_expires(city_bureau, sysadmin):
    code = otp.otp_code_issue(user=city_bureau, issued_by=sysadmin)
    OTPEnrolmentCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert "没有有效的绑定码" in _password_login(city_bureau).post(SETUP, {"code": code}).content.decode()


def test_five_wrong_codes_void_it(city_bureau, sysadmin):
    code = otp.otp_code_issue(user=city_bureau, issued_by=sysadmin)
    c = _password_login(city_bureau)
    for _ in range(4):
        assert "绑定码不正确" in c.post(SETUP, {"code": "2222-3333-4444"}).content.decode()
    assert "错误次数过多，已作废" in c.post(SETUP, {"code": "2222-3333-4444"}).content.decode()
    assert "没有有效的绑定码" in c.post(SETUP, {"code": code}).content.decode()  # even the right one now
    assert "otp_code_revoked" in _actions()


def test_the_enrolment_step_belongs_to_the_session_for_thirty_minutes(city_bureau, sysadmin):
    code = otp.otp_code_issue(user=city_bureau, issued_by=sysadmin)
    c = _password_login(city_bureau)
    c.post(SETUP, {"code": code})
    session = c.session
    session[otp.SESSION_KEY] = {**session[otp.SESSION_KEY], "at": session[otp.SESSION_KEY]["at"] - 31 * 60}
    session.save()
    page = c.get(SETUP).content.decode()
    assert "otpauth://" not in page and "绑定码" in page  # back to step one; the code is used up


def test_a_new_code_replaces_the_previous_one(city_bureau, sysadmin):
    first = otp.otp_code_issue(user=city_bureau, issued_by=sysadmin)
    second = otp.otp_code_issue(user=city_bureau, issued_by=sysadmin)
    c = _password_login(city_bureau)
    assert "绑定码不正确" in c.post(SETUP, {"code": first}).content.decode()
    assert c.post(SETUP, {"code": second}).status_code == 302


def test_reenrolment_after_a_lost_phone(city_bureau, sysadmin):
    device = TOTPDevice.objects.create(user=city_bureau, name="旧手机", confirmed=True)
    verified = _password_login(city_bureau)
    assert verified.post("/accounts/otp/verify/", {"token": _token(device)}).status_code == 302
    assert verified.get("/station/").status_code == 200
    with pytest.raises(ValidationError, match="重新绑定"):
        otp.otp_code_issue(user=city_bureau, issued_by=sysadmin)  # not without removing the old phone
    code = otp.otp_code_issue(user=city_bureau, issued_by=sysadmin, reset=True)
    assert not TOTPDevice.objects.filter(user=city_bureau).exists()
    # the session verified with the lost phone is verified no longer
    assert verified.get("/station/")["Location"].startswith(SETUP)
    assert _password_login(city_bureau).post(SETUP, {"code": code}).status_code == 302
    removed = AuditEvent.objects.get(action="otp_device_removed")
    assert removed.detail == {"confirmed": True, "account": city_bureau.pk}
    assert AuditEvent.objects.get(action="otp_code_issued").detail["reenrolment"] is True


def test_only_a_system_administrator_issues_and_never_for_themselves(
    city_bureau, sysadmin, village_clerk, world, make_user
):
    from services import roles

    with pytest.raises(PermissionDenied):
        otp.otp_code_issue(user=village_clerk, issued_by=city_bureau)  # bureau staff: business role only
    with pytest.raises(PermissionDenied, match="不能为自己"):
        otp.otp_code_issue(user=sysadmin, issued_by=sysadmin)
    county_admin = make_user(roles.ROLE_SYSADMIN, world["countyA"], username="county_admin", is_staff=True)
    outsider = make_user(roles.ROLE_REVIEWER, world["countyB"], username="outsider")
    with pytest.raises(PermissionDenied):
        otp.otp_code_issue(user=outsider, issued_by=county_admin)  # outside their subtree
    assert not OTPEnrolmentCode.objects.exists()


# --- the admin page ----------------------------------------------------------------------------------
@override_settings(OTP_REQUIRED=False)  # the admin's own second factor is tested in test_security_otp.py
def test_the_admin_page_shows_the_code_once(client_for, sysadmin, city_bureau, village_clerk):
    admin = client_for(sysadmin)
    change = admin.get(f"/admin/services/user/{city_bureau.pk}/change/").content.decode()
    assert "身份验证器绑定码" in change and "未绑定身份验证器" in change
    url = f"/admin/services/user/{city_bureau.pk}/second-factor/"
    assert "签发绑定码" in admin.get(url).content.decode()
    response = admin.post(url, {})
    code = re.search(r'id="enrolment-code">([^<]+)<', response.content.decode()).group(1)
    assert "只显示这一次" in response.content.decode()
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert "待使用的绑定码" in admin.get(url).content.decode()
    assert code not in admin.get(url).content.decode()  # shown once
    assert client_for(village_clerk).get(url).status_code == 403
    with override_settings(OTP_REQUIRED=True):
        assert _password_login(city_bureau).post(SETUP, {"code": code}).status_code == 302


@override_settings(OTP_REQUIRED=False)
def test_the_admin_page_refuses_in_chinese(client_for, sysadmin, city_bureau):
    TOTPDevice.objects.create(user=city_bureau, name="手机", confirmed=True)
    response = client_for(sysadmin).post(f"/admin/services/user/{city_bureau.pk}/second-factor/", {})
    assert "该账号已绑定身份验证器" in response.content.decode()
    assert not OTPEnrolmentCode.objects.exists()


# --- the command line ----------------------------------------------------------------------------------
def test_issue_enrolment_code_command(city_bureau):
    out = StringIO()
    call_command("issue_enrolment_code", "bureau", stdout=out)
    code = re.search(r"（只显示这一次）：(\S+)", out.getvalue()).group(1)
    assert _password_login(city_bureau).post(SETUP, {"code": code}).status_code == 302
    event = AuditEvent.objects.get(action="otp_code_issued")
    assert event.username == "" and event.detail["command_line"] is True


def test_issue_enrolment_code_command_errors(city_bureau):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="不存在"):
        call_command("issue_enrolment_code", "nobody", stdout=StringIO())
    TOTPDevice.objects.create(user=city_bureau, name="手机", confirmed=True)
    with pytest.raises(CommandError, match="已绑定身份验证器"):
        call_command("issue_enrolment_code", "bureau", stdout=StringIO())
    call_command("issue_enrolment_code", "bureau", reset=True, stdout=StringIO())
    assert not TOTPDevice.objects.filter(user=city_bureau).exists()


def test_the_first_administrator_gets_a_code_with_the_password(world):
    out = StringIO()
    call_command("create_admin", "first_admin", stdout=out)
    assert "身份验证器绑定码" in out.getvalue()
    code = re.search(r"身份验证器绑定码（[^）]*）：(\S+)", out.getvalue()).group(1)
    from services.models import User

    assert _password_login(User.objects.get(username="first_admin")).post(SETUP, {"code": code}).status_code == 302


def test_a_device_provisioned_in_the_admin_is_audited(city_bureau):
    TOTPDevice.objects.create(user=city_bureau, name="管理员配发", confirmed=True)
    assert AuditEvent.objects.get(action="otp_device_provisioned").detail == {"account": city_bureau.pk}
