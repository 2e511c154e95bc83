"""The audit trail: append-only, retention command, client address, the auditor's view and export."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import RequestFactory, override_settings
from django.utils import timezone
from openpyxl import load_workbook

from canghzou_portal.audit import audit, client_ip
from services import roles
from services.audit import purge_audit_events
from services.models import AuditEvent

pytestmark = pytest.mark.django_db


def _backdate(event: AuditEvent, days: int) -> None:
    """Test set-up only: the application itself can never change a row."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {connection.ops.quote_name('time')} = %s WHERE id = %s",  # noqa: S608
            [timezone.now() - dt.timedelta(days=days), event.pk],
        )


# --- append-only ------------------------------------------------------------------------------
def test_rows_cannot_be_changed_or_deleted():
    event = audit("login", username="someone")
    event.action = "logout"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "login"


def test_admin_offers_no_add_change_or_delete(client_for, auditor):
    event = audit("login", username="x")
    client = client_for(auditor)
    assert client.get("/admin/services/auditevent/").status_code == 200
    assert client.get("/admin/services/auditevent/add/").status_code == 403
    assert client.get(f"/admin/services/auditevent/{event.pk}/delete/").status_code == 403
    page = client.get(f"/admin/services/auditevent/{event.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content


# --- retention ------------------------------------------------------------------------------------
def test_purge_refuses_less_than_184_days():
    with pytest.raises(CommandError, match="至少保留 184 天"):
        call_command("purge_audit", "--older-than-days", "183")
    with pytest.raises(ValueError):
        purge_audit_events(older_than_days=30)


def test_purge_deletes_only_older_rows(capsys):
    old = audit("login", username="old")
    edge = audit("login", username="edge")
    new = audit("login", username="new")
    _backdate(old, 400)
    _backdate(edge, 180)
    call_command("purge_audit", "--older-than-days", "184")
    assert "已删除 1 条" in capsys.readouterr().out
    assert set(AuditEvent.objects.values_list("pk", flat=True)) == {edge.pk, new.pk}


# --- client address -------------------------------------------------------------------------------
def _request(remote="192.0.2.1", xff=None):
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **extra)


def test_forwarded_for_is_ignored_without_proxies():
    assert client_ip(_request(xff="203.0.113.5")) == "192.0.2.1"


@override_settings(PORTAL_PROXY_COUNT=1)
def test_one_proxy_takes_the_rightmost_entry():
    assert client_ip(_request(xff="6.6.6.6, 203.0.113.5")) == "203.0.113.5"  # the left one is spoofable


@override_settings(PORTAL_PROXY_COUNT=2)
def test_two_proxies_take_the_second_from_the_right():
    assert client_ip(_request(xff="6.6.6.6, 203.0.113.5, 10.0.0.2")) == "203.0.113.5"
    assert client_ip(_request(xff="203.0.113.5")) == "192.0.2.1"  # too few entries: the peer address
    assert client_ip(_request(xff="not-an-ip, 10.0.0.2")) == "192.0.2.1"


def test_login_and_failure_record_time_user_station_address(client, village_clerk):
    from conftest import PASSWORD

    client.post("/accounts/login/", {"username": "village_clerk", "password": "bad"}, REMOTE_ADDR="10.9.0.1")
    client.post("/accounts/login/", {"username": "village_clerk", "password": PASSWORD}, REMOTE_ADDR="10.9.0.1")
    failed = AuditEvent.objects.get(action="login_failed")
    assert failed.username == "village_clerk" and failed.result == "failure" and failed.ip_address == "10.9.0.1"
    login = AuditEvent.objects.get(action="login")
    assert login.user == village_clerk and login.station_code == village_clerk.station_id
    assert login.ip_address == "10.9.0.1" and login.time is not None


# --- the auditor's view ------------------------------------------------------------------------------
@pytest.fixture
def events(village_clerk, other_village_clerk):
    a = audit("login", user=village_clerk)
    b = audit("export", user=other_village_clerk, rows=12)
    c = audit("login_failed", result=AuditEvent.Result.FAILURE, username="ghost")
    _backdate(c, 10)
    return a, b, c


def test_auditor_lists_and_filters(client_for, auditor, events, django_assert_max_num_queries):
    client = client_for(auditor)
    with django_assert_max_num_queries(12):
        page = client.get("/station/audit/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "village_clerk" in text and "other_village_clerk" in text and "ghost" in text
    only_exports = client.get("/station/audit/", {"action": "export"}).context["page"].object_list
    assert [e.action for e in only_exports] == ["export"]
    by_user = client.get("/station/audit/", {"username": "ghost"}).context["page"].object_list
    assert [e.username for e in by_user] == ["ghost"]
    failures = client.get("/station/audit/", {"result": "failure"}).context["page"].object_list
    assert [e.action for e in failures] == ["login_failed"]
    today = timezone.localdate()
    recent = client.get("/station/audit/", {"date_from": today.isoformat(), "date_to": today.isoformat()})
    assert {e.username for e in recent.context["page"].object_list} >= {"village_clerk", "other_village_clerk"}
    assert "ghost" not in {e.username for e in recent.context["page"].object_list}
    bad = client.get("/station/audit/", {"date_from": "2026-12-01", "date_to": "2026-11-01"})
    assert "“截止日期”不能早于“起始日期”" in bad.content.decode()


def test_export_is_xlsx_and_audited(client_for, auditor, events):
    response = client_for(auditor).get("/station/audit/export/", {"action": "login", "username": "village_clerk"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(response.content)).active.values)
    assert rows[0][0] == "时间" and len(rows) == 2 and rows[1][1] == "village_clerk" and rows[1][4] == "登录"
    export = AuditEvent.objects.filter(action="export", username="auditor").get()
    assert export.detail["rows"] == 1 and export.detail["filters"] == {"action": "login", "username": "village_clerk"}


def test_county_auditor_reads_only_their_subtree(make_user, world, client_for, events):
    county_auditor = make_user(roles.ROLE_AUDITOR, world["countyB"], username="auditor_b", is_staff=True)
    client = client_for(county_auditor)
    names = {e.username for e in client.get("/station/audit/").context["page"].object_list}
    assert names == {"other_village_clerk", "auditor_b"}  # county B staff only (auditor_b's own login too)
    rows = list(load_workbook(BytesIO(client.get("/station/audit/export/").content)).active.values)
    assert {r[1] for r in rows[1:]} == {"other_village_clerk", "auditor_b"}


@pytest.mark.parametrize("who", ["sysadmin", "village_clerk", "city_bureau"])
def test_others_cannot_read_the_trail(request, client_for, who, events):
    client = client_for(request.getfixturevalue(who))
    assert client.get("/station/audit/").status_code == 403
    assert client.get("/station/audit/export/").status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get("/station/audit/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_admin_audit_list_is_limited_to_the_auditors_subtree(world, make_user, client):
    """The admin reads the audit trail through the same rule as the auditor's page."""
    from services.models import AuditEvent
    from services.roles import ROLE_AUDITOR

    inside = AuditEvent.objects.create(action="login", username="a", station_code=world["villageA1a"].code)
    outside = AuditEvent.objects.create(action="login", username="b", station_code=world["villageB1a"].code)
    auditor = make_user(ROLE_AUDITOR, world["countyA"], is_staff=True)
    client.force_login(auditor)
    page = client.get("/admin/services/auditevent/")
    assert page.status_code == 200
    ids = {obj.pk for obj in page.context["cl"].result_list}
    assert inside.pk in ids and outside.pk not in ids
    assert client.get(f"/admin/services/auditevent/{outside.pk}/change/").status_code == 404
