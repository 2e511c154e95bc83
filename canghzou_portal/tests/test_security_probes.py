"""Jurisdiction probing leaves a trace (issue 15, point 7): out-of-scope 404s are audited, without
flooding; an export records the station that was asked for."""

from __future__ import annotations

import logging

import pytest

from services.models import AuditEvent
from veterans.tests.factories import VeteranFactory

pytestmark = pytest.mark.django_db


def _probes():
    return AuditEvent.objects.filter(action="out_of_scope").order_by("id")


def test_an_out_of_scope_detail_page_is_a_404_and_audited(world, client_for, village_clerk):
    theirs = VeteranFactory(station=world["villageB1a"], name="李卫东")
    c = client_for(village_clerk)
    response = c.get(f"/station/veterans/{theirs.pk}/")
    assert response.status_code == 404
    event = _probes().get()
    assert event.username == "village_clerk" and event.result == AuditEvent.Result.DENIED
    assert event.detail == {
        "model": "veterans.Veteran",
        "id": str(theirs.pk),
        "target_station": world["villageB1a"].code,
        "path": f"/station/veterans/{theirs.pk}/",
    }
    assert "李卫东" not in f"{event.object_repr} {event.detail}"  # the auditor of a county must not read it
    for _ in range(3):  # reloading the page adds nothing
        assert c.get(f"/station/veterans/{theirs.pk}/").status_code == 404
        assert c.get(f"/station/veterans/{theirs.pk}/edit/").status_code == 404
    assert _probes().count() == 1


def test_a_missing_object_or_a_garbage_id_is_not_a_probe(world, client_for, village_clerk):
    c = client_for(village_clerk)
    assert c.get("/station/veterans/999999/").status_code == 404
    assert c.get("/station/stats/?station=abc").status_code in (400, 404)
    assert not _probes().exists()


def test_walking_ids_is_recorded_up_to_the_hourly_cap_then_logged(world, client_for, village_clerk, settings, caplog):
    settings.PORTAL_PROBE_AUDIT_LIMIT = 5
    theirs = [VeteranFactory(station=world["villageB2b"]) for _ in range(8)]
    c = client_for(village_clerk)
    with caplog.at_level(logging.WARNING, logger="portal.security"):
        for vet in theirs:
            assert c.get(f"/station/veterans/{vet.pk}/").status_code == 404
    rows = list(_probes())
    assert len(rows) == 5
    assert rows[-1].detail["more_not_recorded"] is True and "more_not_recorded" not in rows[0].detail
    not_audited = [r for r in caplog.records if "not audited" in r.getMessage()]
    assert len(not_audited) == 3
    assert all(str(vet.pk) in caplog.text for vet in theirs[5:])


def test_another_user_has_a_cap_of_their_own(world, client_for, village_clerk, other_village_clerk, settings):
    settings.PORTAL_PROBE_AUDIT_LIMIT = 1
    mine = VeteranFactory(station=world["villageA1a"])
    theirs = VeteranFactory(station=world["villageB1a"])
    client_for(village_clerk).get(f"/station/veterans/{theirs.pk}/")
    client_for(other_village_clerk).get(f"/station/veterans/{mine.pk}/")
    assert set(_probes().values_list("username", flat=True)) == {"village_clerk", "other_village_clerk"}


def test_the_admin_change_page_of_an_out_of_scope_object_is_audited(world, client_for, county_clerk):
    theirs = VeteranFactory(station=world["villageB1a"])
    response = client_for(county_clerk).get(f"/admin/veterans/veteran/{theirs.pk}/change/")
    assert response.status_code == 404
    assert _probes().get().detail["path"] == f"/admin/veterans/veteran/{theirs.pk}/change/"


def test_a_station_page_out_of_scope_is_audited(world, client_for, village_clerk):
    assert client_for(village_clerk).get("/station/stats/?station=130903000000").status_code == 404
    event = _probes().get()
    assert event.detail["model"] == "services.Station" and event.detail["target_station"] == "130903000000"


# --- the export records what was asked for ------------------------------------------------------
def _export_event():
    return AuditEvent.objects.filter(action="veteran_export").latest("id")


def test_an_export_with_an_out_of_scope_station_records_it(world, client_for, village_clerk):
    VeteranFactory(station=world["villageA1a"])
    VeteranFactory(station=world["villageB1a"])
    response = client_for(village_clerk).get(
        "/station/veterans/export/", {"format": "csv", "station": world["villageB1a"].code}
    )
    assert response.content.decode("utf-8-sig").count("\n") == 2  # header + own veteran only
    detail = _export_event().detail
    assert detail["station"] == ""
    assert detail["station_requested"] == world["villageB1a"].code
    assert detail["station_refused"] == "不存在或不在辖区范围内"


def test_an_export_of_one_station_records_the_station(world, client_for, county_clerk):
    VeteranFactory(station=world["villageA1a"])
    client_for(county_clerk).get("/station/veterans/export/", {"format": "csv", "station": world["townshipA1"].code})
    detail = _export_event().detail
    assert detail["station"] == world["townshipA1"].code and "station_refused" not in detail


def test_an_admin_export_records_the_county_asked_for(world, client_for, county_clerk):
    client_for(county_clerk).get("/admin/veterans/veteran/export/", {"fmt": "csv", "county": "130903000000"})
    assert _export_event().detail["county_requested"] == "130903000000"
