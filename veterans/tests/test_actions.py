"""Writes of the registry: register, optimistic-locked update, transfer, PII reveal."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from services.models import AuditEvent
from veterans import actions, choices
from veterans.models import Veteran, VeteranTransfer
from veterans.tests.factories import HouseholdFactory, VeteranFactory, make_id_number

pytestmark = pytest.mark.django_db


def _data(station, **overrides):
    data = {
        "station": station,
        "name": "刘备",
        "id_number": make_id_number("130902", "19820202", 77),
        "phone": "13800001111",
        "category": choices.Category.SOLDIER,
        "enlistment_date": datetime.date(2000, 12, 1),
        "discharge_date": datetime.date(2002, 12, 1),
    }
    data.update(overrides)
    return data


# --- register ---------------------------------------------------------------------------


def test_register_saves_with_creator_history_and_defaults(world, village_clerk):
    v = actions.veteran_register(user=village_clerk, data=_data(world["villageA1a"]))
    v.refresh_from_db()
    assert (v.created_by, v.version, v.gender, v.birth_date) == (village_clerk, 1, "M", datetime.date(1982, 2, 2))
    assert v.registered_on is not None
    record = v.history.get()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+",
        village_clerk,
        "信息采集登记",
    )


def test_register_refuses_station_outside_scope(world, village_clerk):
    with pytest.raises(PermissionDenied):
        actions.veteran_register(user=village_clerk, data=_data(world["villageA1b"]))
    assert not Veteran.objects.exists()


def test_register_refuses_household_outside_scope(world, village_clerk):
    other = HouseholdFactory(station=world["villageB1a"])
    with pytest.raises(PermissionDenied):
        actions.veteran_register(user=village_clerk, data=_data(world["villageA1a"], household=other))
    assert not Veteran.objects.exists()


def test_register_needs_the_permission(world, county_reviewer):
    with pytest.raises(PermissionDenied):
        actions.veteran_register(user=county_reviewer, data=_data(world["villageA1a"]))


def test_register_refuses_inactive_station(world, village_clerk):
    world["villageA1a"].is_active = False
    world["villageA1a"].save()
    with pytest.raises(ValidationError) as exc:
        actions.veteran_register(user=village_clerk, data=_data(world["villageA1a"]))
    assert "已停用" in exc.value.message_dict["station"][0]


def test_register_refuses_fields_it_does_not_own(world, village_clerk):
    with pytest.raises(ValidationError):
        actions.veteran_register(user=village_clerk, data=_data(world["villageA1a"], version=7))
    with pytest.raises(ValidationError):
        actions.veteran_register(user=village_clerk, data=_data(world["villageA1a"], created_by=village_clerk))


def test_register_runs_every_model_rule_and_saves_nothing_on_error(world, village_clerk):
    bad = _data(world["villageA1a"], id_number=make_id_number("130902", "19820202", 77)[:17] + "0")
    with pytest.raises(ValidationError) as exc:
        actions.veteran_register(user=village_clerk, data=bad)
    assert "校验位" in exc.value.message_dict["id_number"][0]
    assert not Veteran.objects.exists()


def test_register_refuses_a_duplicate(world, village_clerk):
    held = VeteranFactory(station=world["villageB1a"])
    with pytest.raises(ValidationError) as exc:
        actions.veteran_register(user=village_clerk, data=_data(world["villageA1a"], id_number=held.id_number))
    assert exc.value.message_dict["id_number"] == ["该身份证号已在“运河区1街道1社区”登记，不能重复登记"]


# --- update (optimistic locking) --------------------------------------------------------


def test_update_increments_version_and_records_history(world, village_clerk):
    v = VeteranFactory(station=world["villageA1a"], skills="")
    updated = actions.veteran_update(user=village_clerk, veteran=v, data={"skills": "驾驶"}, version=1)
    assert (updated.skills, updated.version) == ("驾驶", 2)
    latest = updated.history.order_by("-history_date", "-history_id").first()
    assert (latest.history_user, latest.history_change_reason, latest.skills) == (village_clerk, "修改信息", "驾驶")


def test_second_update_from_the_same_version_is_refused(world, village_clerk, township_clerk):
    v = VeteranFactory(station=world["villageA1a"], skills="")
    first_copy = Veteran.objects.get(pk=v.pk)
    second_copy = Veteran.objects.get(pk=v.pk)
    actions.veteran_update(user=village_clerk, veteran=first_copy, data={"skills": "电工"}, version=1)
    with pytest.raises(ValidationError) as exc:
        actions.veteran_update(user=township_clerk, veteran=second_copy, data={"skills": "焊工"}, version=1)
    assert exc.value.messages == [actions.STALE_MESSAGE]
    v.refresh_from_db()
    assert (v.skills, v.version) == ("电工", 2)
    assert v.history.count() == 2


def test_update_with_fresh_version_after_a_refusal_succeeds(world, village_clerk):
    v = VeteranFactory(station=world["villageA1a"])
    actions.veteran_update(user=village_clerk, veteran=v, data={"skills": "电工"}, version=1)
    again = actions.veteran_update(user=village_clerk, veteran=v, data={"skills": "钳工"}, version=2)
    assert again.version == 3


def test_update_cannot_change_the_station(world, township_clerk):
    v = VeteranFactory(station=world["villageA1a"])
    with pytest.raises(ValidationError) as exc:
        actions.veteran_update(user=township_clerk, veteran=v, data={"station": world["villageA1b"]}, version=1)
    assert "请使用“迁移”办理" in exc.value.message_dict["station"][0]
    same = actions.veteran_update(user=township_clerk, veteran=v, data={"station": world["villageA1a"]}, version=1)
    assert same.station == world["villageA1a"]


def test_update_refuses_other_subtree_and_missing_permission(world, other_village_clerk, county_reviewer):
    v = VeteranFactory(station=world["villageA1a"])
    with pytest.raises(PermissionDenied):
        actions.veteran_update(user=other_village_clerk, veteran=v, data={"skills": "x"}, version=1)
    with pytest.raises(PermissionDenied):
        actions.veteran_update(user=county_reviewer, veteran=v, data={"skills": "x"}, version=1)


def test_update_validates_and_keeps_old_data_on_error(world, village_clerk):
    v = VeteranFactory(station=world["villageA1a"])
    with pytest.raises(ValidationError) as exc:
        actions.veteran_update(
            user=village_clerk,
            veteran=v,
            data={"discharge_date": v.enlistment_date - datetime.timedelta(days=1)},
            version=1,
        )
    assert exc.value.message_dict["discharge_date"] == ["退役时间不能早于入伍时间"]
    v.refresh_from_db()
    assert v.version == 1


def test_update_refuses_unknown_fields(world, village_clerk):
    v = VeteranFactory(station=world["villageA1a"])
    with pytest.raises(ValidationError):
        actions.veteran_update(user=village_clerk, veteran=v, data={"version": 99}, version=1)


# --- transfer ---------------------------------------------------------------------------


def test_transfer_records_and_moves_in_one_go(world, village_clerk):
    v = VeteranFactory(station=world["villageA1a"], registered_on=datetime.date(2024, 1, 1))
    t = actions.veteran_transfer(
        user=village_clerk, veteran=v, to_station=world["townshipB2"], date=datetime.date(2026, 11, 1), reason="随子女"
    )
    v.refresh_from_db()
    assert v.station == world["townshipB2"] and v.version == 2
    assert (t.from_station, t.to_station, t.date, t.created_by) == (
        world["villageA1a"],
        world["townshipB2"],
        datetime.date(2026, 11, 1),
        village_clerk,
    )
    latest = v.history.order_by("-history_date", "-history_id").first()
    assert latest.history_change_reason == "迁移：新华区1街道1社区 → 运河区第2街道"
    assert latest.history_user == village_clerk
    event = AuditEvent.objects.get(action="veteran_transfer")
    assert event.detail["from_station"] == "130902001001" and event.detail["to_station"] == "130903002000"


def test_transfer_source_must_be_in_scope(world, other_village_clerk):
    v = VeteranFactory(station=world["villageA1a"])
    with pytest.raises(PermissionDenied):
        actions.veteran_transfer(
            user=other_village_clerk, veteran=v, to_station=world["villageB1a"], date=datetime.date(2026, 11, 1)
        )
    assert not VeteranTransfer.objects.exists()


def test_transfer_needs_the_permission(world, county_reviewer):
    v = VeteranFactory(station=world["villageA1a"])
    with pytest.raises(PermissionDenied):
        actions.veteran_transfer(
            user=county_reviewer, veteran=v, to_station=world["villageB1a"], date=datetime.date(2026, 11, 1)
        )


def test_transfer_refuses_county_target_and_same_station(world, village_clerk):
    v = VeteranFactory(station=world["villageA1a"])
    for target in (world["countyB"], world["villageA1a"]):
        with pytest.raises(ValidationError) as exc:
            actions.veteran_transfer(user=village_clerk, veteran=v, to_station=target, date=datetime.date(2026, 11, 1))
        assert "to_station" in exc.value.message_dict
    assert not VeteranTransfer.objects.exists()
    v.refresh_from_db()
    assert v.station == world["villageA1a"] and v.version == 1


# --- reveal -----------------------------------------------------------------------------


def test_reveal_returns_numbers_and_audits(world, city_bureau):
    v = VeteranFactory(station=world["villageA1a"], phone="13822223333")
    revealed = actions.veteran_reveal_pii(user=city_bureau, veteran=v)
    assert revealed == {"id_number": v.id_number, "phone": "13822223333"}
    event = AuditEvent.objects.get(action="pii_reveal")
    assert event.user == city_bureau and event.object_id == str(v.pk)


def test_reveal_refused_without_permission(world, village_clerk):
    v = VeteranFactory(station=world["villageA1a"])
    with pytest.raises(PermissionDenied):
        actions.veteran_reveal_pii(user=village_clerk, veteran=v)
    assert not AuditEvent.objects.filter(action="pii_reveal").exists()


def test_deceased_veteran_cannot_be_transferred(world, village_clerk):
    v = VeteranFactory(station=world["villageA1a"], status=choices.RegistryStatus.DECEASED)
    with pytest.raises(ValidationError) as exc:
        actions.veteran_transfer(
            user=village_clerk, veteran=v, to_station=world["villageB1a"], date=datetime.date(2026, 11, 1)
        )
    assert exc.value.messages == ["该退役军人已故，不能办理迁移"]


def test_status_change_dates_itself_when_no_date_given(world, village_clerk):
    v = VeteranFactory(station=world["villageA1a"])
    updated = actions.veteran_update(
        user=village_clerk, veteran=v, data={"status": choices.RegistryStatus.DECEASED}, version=1
    )
    assert updated.status_date is not None
    dated = VeteranFactory(station=world["villageA1a"])
    kept = actions.veteran_update(
        user=village_clerk,
        veteran=dated,
        data={"status": choices.RegistryStatus.MOVED_OUT, "status_date": datetime.date(2026, 10, 1)},
        version=1,
    )
    assert kept.status_date == datetime.date(2026, 10, 1)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_updates_on_postgresql_second_waits_then_is_refused(world, village_clerk, township_clerk):
    """Two saves from the same version at the same moment: the row lock makes the second see version 2."""
    import threading
    import time

    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT … FOR UPDATE) need PostgreSQL")
    v = VeteranFactory(station=world["villageA1a"], skills="")
    first_holds_lock = threading.Event()
    outcome: dict[str, object] = {}

    def first():
        try:
            with transaction.atomic():
                actions.veteran_update(user=village_clerk, veteran=v, data={"skills": "电工"}, version=1)
                first_holds_lock.set()
                time.sleep(0.5)  # the second save starts while this transaction is still open
        finally:
            connections.close_all()

    def second():
        first_holds_lock.wait(5)
        try:
            actions.veteran_update(user=township_clerk, veteran=v, data={"skills": "焊工"}, version=1)
            outcome["second"] = "saved"
        except ValidationError as exc:
            outcome["second"] = exc.messages
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert outcome["second"] == [actions.STALE_MESSAGE]
    v.refresh_from_db()
    assert (v.skills, v.version) == ("电工", 2)
