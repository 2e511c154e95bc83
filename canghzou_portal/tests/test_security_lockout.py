"""Login lockout (django-axes): 5 failures lock for 30 minutes, by account and by client address.

The clock: axes compares each AccessAttempt's ``attempt_time`` with now − AXES_COOLOFF_TIME, so
moving the stored ``attempt_time`` back is the same as the clock moving forward (no mocks).
"""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import override_settings

from conftest import PASSWORD
from services.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("axes_on")]

LOGIN = "/accounts/login/"


@pytest.fixture
def axes_on():
    cache.clear()
    with override_settings(AXES_ENABLED=True, PORTAL_LOGIN_RATE="1000/m"):
        yield
    cache.clear()


def _post(client, username, password, ip="10.1.1.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _age_attempts(minutes: int) -> None:
    """Move every recorded failure ``minutes`` into the past (= the clock moving forward)."""
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= dt.timedelta(minutes=minutes)
        attempt.save(update_fields=["attempt_time"])


def test_five_failures_lock_the_account_for_thirty_minutes(client, village_clerk):
    for _ in range(4):
        assert _post(client, "village_clerk", "wrong-password-1").status_code == 200
    locked = _post(client, "village_clerk", "wrong-password-1")
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    # the right password does not help while locked
    assert _post(client, "village_clerk", PASSWORD).status_code == 429
    _age_attempts(29)
    assert _post(client, "village_clerk", PASSWORD).status_code == 429
    _age_attempts(2)  # now 31 minutes after the last failure (the refused tries above were not recorded)
    response = _post(client, "village_clerk", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/station/"
    assert AuditEvent.objects.filter(action="lockout", username="village_clerk").exists()


def test_four_failures_then_a_pause_do_not_lock(client, village_clerk):
    for _ in range(4):
        _post(client, "village_clerk", "wrong-password-1")
    _age_attempts(31)  # the earlier failures fall out of the window
    assert _post(client, "village_clerk", "wrong-password-1").status_code == 200
    assert _post(client, "village_clerk", PASSWORD).status_code == 302


def test_account_is_locked_from_any_address(client, village_clerk):
    for n in range(5):
        _post(client, "village_clerk", "wrong-password-1", ip=f"10.2.0.{n + 1}")
    assert _post(client, "village_clerk", PASSWORD, ip="10.2.0.99").status_code == 429


def test_address_is_locked_for_any_account(client, village_clerk, county_clerk):
    for n in range(5):
        _post(client, f"nobody{n}", "wrong-password-1", ip="10.3.0.1")
    assert _post(client, "village_clerk", PASSWORD, ip="10.3.0.1").status_code == 429
    # the same account from another address is fine
    assert _post(client, "village_clerk", PASSWORD, ip="10.3.0.2").status_code == 302


def test_unknown_user_and_wrong_password_get_the_same_answer(client, village_clerk):
    unknown = _post(client, "no_such_user", "wrong-password-1", ip="10.4.0.1")
    wrong = _post(client, "village_clerk", "wrong-password-1", ip="10.4.0.2")
    assert unknown.status_code == wrong.status_code == 200
    assert unknown.context["form"].non_field_errors() == wrong.context["form"].non_field_errors()
    for _ in range(4):
        unknown = _post(client, "no_such_user", "wrong-password-1", ip="10.4.0.1")
        wrong = _post(client, "village_clerk", "wrong-password-1", ip="10.4.0.2")
    assert unknown.status_code == wrong.status_code == 429
    assert unknown.content == wrong.content


def test_failures_and_lockout_are_audited_with_the_address(client, village_clerk):
    for _ in range(5):
        _post(client, "village_clerk", "wrong-password-1", ip="10.5.0.7")
    failed = AuditEvent.objects.filter(action="login_failed", username="village_clerk")
    assert failed.count() == 5
    assert set(failed.values_list("ip_address", flat=True)) == {"10.5.0.7"}
    lockout = AuditEvent.objects.get(action="lockout")
    assert lockout.ip_address == "10.5.0.7" and lockout.result == AuditEvent.Result.DENIED


@override_settings(PORTAL_PROXY_COUNT=1)
def test_lockout_uses_the_forwarded_address_behind_the_proxy(client, village_clerk):
    for _ in range(5):
        client.post(
            LOGIN,
            {"username": f"x{_}", "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
    # another client behind the same proxy is not locked
    ok = client.post(
        LOGIN,
        {"username": "village_clerk", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.10",
    )
    assert ok.status_code == 302
    assert AccessAttempt.objects.filter(ip_address="203.0.113.9").exists()


def test_login_is_rate_limited_per_address(client, village_clerk):
    with override_settings(PORTAL_LOGIN_RATE="3/10m", AXES_ENABLED=False):
        for _ in range(3):
            assert _post(client, "someone", "wrong", ip="10.6.0.1").status_code == 200
        limited = _post(client, "someone", "wrong", ip="10.6.0.1")
        assert limited.status_code == 429
        assert "请求过于频繁" in limited.content.decode()
        assert _post(client, "village_clerk", PASSWORD, ip="10.6.0.2").status_code == 302
    assert AuditEvent.objects.filter(action="rate_limited", ip_address="10.6.0.1").exists()
