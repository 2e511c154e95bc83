import datetime

import pytest

from honors import stats
from honors.models import Award, HonorType

from .factories import DeliveryFactory, HouseholdFactory, MeritFactory, NominationFactory, ServingMemberFactory

pytestmark = pytest.mark.django_db


def _award(world, station_key, awarded_on, serial):
    household = HouseholdFactory(station=world[station_key])
    n = NominationFactory(household=household, station=world[station_key], status="approved")
    return Award.objects.create(
        nomination=n,
        honor_type=HonorType.objects.get(code=HonorType.JRJT),
        year=2026,
        serial=serial,
        certificate_number=f"CZ-JRJT-2026-{serial:04d}",
        awarded_on=awarded_on,
        household=household,
        recipient_name=f"{household.head_name}户",
        county_id=world[station_key].code[:6] + "000000",
        station=world[station_key],
    )


def test_monthly_metrics_grouped_by_station(world, django_assert_num_queries):
    member_a = ServingMemberFactory(hometown_station=world["villageA1a"])
    member_b = ServingMemberFactory(hometown_station=world["townshipB1"])
    DeliveryFactory(merit=MeritFactory(serving_member=member_a), date=datetime.date(2026, 8, 1))
    DeliveryFactory(merit=MeritFactory(serving_member=member_a), date=datetime.date(2026, 8, 31))
    DeliveryFactory(merit=MeritFactory(serving_member=member_b), date=datetime.date(2026, 8, 15))
    DeliveryFactory(merit=MeritFactory(serving_member=member_b), date=datetime.date(2026, 9, 1))  # next month
    DeliveryFactory(merit=MeritFactory(serving_member=member_b), date=datetime.date(2025, 8, 15))  # last year
    _award(world, "villageA1a", datetime.date(2026, 8, 10), 1)
    _award(world, "villageA1a", datetime.date(2026, 7, 31), 2)
    _award(world, "villageB2b", datetime.date(2026, 8, 20), 3)
    with django_assert_num_queries(2):
        result = stats.monthly_metrics(month_start=datetime.date(2026, 8, 1), month_end=datetime.date(2026, 8, 31))
    assert result == {
        "130902001001": {"commendations_delivered": 2, "honors_awarded": 1},
        "130903001000": {"commendations_delivered": 1},
        "130903002002": {"honors_awarded": 1},
    }
