"""Issue 15, point 1 in the browser: a bureau account without an authenticator signs in with its
password, is held at the enrolment page until it enters the administrator's code, then binds the
app and reaches the station portal."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_enrolment_with_the_administrators_code(page, live_server, settings, city_bureau, sysadmin, login, screenshot):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from conftest import PASSWORD
    from services import otp

    settings.OTP_REQUIRED = True
    code = otp.otp_code_issue(user=city_bureau, issued_by=sysadmin)
    login(page, city_bureau.username, PASSWORD)
    page.wait_for_url(re.compile(r"/accounts/otp/setup/"))
    assert page.get_by_text("系统管理员签发的绑定码").is_visible()
    assert page.locator("#otp-secret").count() == 0  # no secret for the password alone
    page.goto(f"{live_server.url}/station/")  # nothing else is reachable
    page.wait_for_url(re.compile(r"/accounts/otp/setup/"))
    page.fill("#id_code", "2222-3333-4444")
    page.click("button[type=submit]")
    assert page.get_by_text("绑定码不正确").is_visible()
    screenshot(page, "otp_enrolment_code")
    page.fill("#id_code", code.lower())
    page.click("button[type=submit]")
    secret = page.locator("#otp-secret").inner_text()
    device = TOTPDevice.objects.get(user=city_bureau, confirmed=False)
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    token = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.fill("#id_token", f"{token:06d}")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/station/")
    assert TOTPDevice.objects.get(user=city_bureau).confirmed
