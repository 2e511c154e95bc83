"""Sessions: new key at login, logout ends the server session, 15 minutes idle, 12 hours absolute."""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from canghzou_portal.middleware import SESSION_LAST_ACTIVITY, SESSION_LOGIN_TIME
from conftest import PASSWORD
from services.models import AuditEvent

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str) -> None:
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302


def _set_session(client: Client, **values) -> None:
    session = client.session
    for key, value in values.items():
        session[key] = value
    session.save()


def test_login_issues_a_new_session_key(village_clerk):
    client = Client()
    session = client.session  # an anonymous session exists before login
    session["visited"] = True
    session.save()
    before = session.session_key
    _login(client, "village_clerk")
    after = client.cookies["sessionid"].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert Session.objects.filter(session_key=after).exists()


def test_logout_ends_the_session_on_the_server(village_clerk):
    client = Client()
    _login(client, "village_clerk")
    key = client.cookies["sessionid"].value
    assert client.get("/station/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    # replaying the old cookie gets nowhere
    replay = Client()
    replay.cookies["sessionid"] = key
    response = replay.get("/station/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert AuditEvent.objects.filter(action="logout", username="village_clerk").exists()


def test_idle_for_more_than_fifteen_minutes_logs_out(village_clerk):
    client = Client()
    _login(client, "village_clerk")
    key = client.cookies["sessionid"].value
    now = int(time.time())
    _set_session(client, **{SESSION_LAST_ACTIVITY: now - 14 * 60})
    assert client.get("/station/").status_code == 200  # 14 minutes idle: still in
    _set_session(client, **{SESSION_LAST_ACTIVITY: now - 15 * 60 - 5})
    response = client.get("/station/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=%2Fstation%2F&expired=1")
    assert not Session.objects.filter(session_key=key).exists()
    assert AuditEvent.objects.filter(action="session_expired", username="village_clerk", detail__reason="idle").exists()
    assert "登录已超时" in client.get(response["Location"]).content.decode()


def test_twelve_hours_after_login_logs_out_even_when_active(village_clerk):
    client = Client()
    _login(client, "village_clerk")
    now = int(time.time())
    _set_session(client, **{SESSION_LOGIN_TIME: now - 12 * 3600 + 60, SESSION_LAST_ACTIVITY: now})
    assert client.get("/station/").status_code == 200
    _set_session(client, **{SESSION_LOGIN_TIME: now - 12 * 3600 - 1, SESSION_LAST_ACTIVITY: now})
    response = client.get("/station/")
    assert response.status_code == 302 and "expired=1" in response["Location"]
    assert AuditEvent.objects.filter(action="session_expired", detail__reason="absolute").exists()


def test_activity_moves_the_idle_deadline(village_clerk):
    client = Client()
    _login(client, "village_clerk")
    now = int(time.time())
    _set_session(client, **{SESSION_LAST_ACTIVITY: now - 10 * 60})
    assert client.get("/station/").status_code == 200
    assert client.session[SESSION_LAST_ACTIVITY] >= now


def test_session_cookie_settings(settings):
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    assert settings.SESSION_IDLE_TIMEOUT == 15 * 60
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
