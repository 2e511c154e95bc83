"""The data steps of migration 0009: existing fairs last one day; existing ventures get their
lead founder among the founders and a status history that starts with their first status."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from .factories import make_credit_code, make_id_number

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

BEFORE = [("employment", "0008_employer_identity_on_organization")]
AFTER = [("employment", "0009_training_fairs_ventures_records")]


def _apps(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def test_existing_fairs_and_ventures_are_carried_over():
    try:
        old = _apps(BEFORE)
        Station = old.get_model("services", "Station")
        city = Station.objects.create(code="130900000000", name="沧州市", level="city")
        county = Station.objects.create(code="130921000000", name="沧县", level="county", parent=city)
        day = datetime.date(2025, 4, 1)
        fair = old.get_model("employment", "JobFair").objects.create(
            title="春风行动", kind="onsite", date=day, county=county, attendance=300, hires=12
        )
        veteran = old.get_model("veterans", "Veteran").objects.create(
            name="王建军",
            id_number=make_id_number("130921", "19850101", 7),
            id_number_hash="h1",
            birth_date=datetime.date(1985, 1, 1),
            gender="M",
            station=county,
            category="soldier",
            registered_on=day,
        )
        venture = old.get_model("employment", "Venture").objects.create(
            veteran=veteran, business_name="老兵超市", credit_code=make_credit_code(9), start_date=day
        )
        new = _apps(AFTER)
        assert new.get_model("employment", "JobFair").objects.get(pk=fair.pk).end_date == day
        founder = new.get_model("employment", "VentureFounder").objects.get(venture_id=venture.pk)
        assert founder.veteran_id == veteran.pk and founder.is_lead
        change = new.get_model("employment", "VentureStatusChange").objects.get(venture_id=venture.pk)
        assert (change.from_status, change.to_status, change.date) == ("", "operating", day)
        _apps(BEFORE)  # and back (the typed-in totals return empty)
    finally:
        _apps(MigrationExecutor(connection).loader.graph.leaf_nodes())
