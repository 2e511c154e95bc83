"""The honors and employment metrics through the composer, checked at every tier by hand.

(Each app's own tests check its grouped queries; these check that the composer rolls them up.)
"""

import datetime
from zoneinfo import ZoneInfo

import pytest

from services import stats
from services.models import MonthlyStatistic

honors_factories = pytest.importorskip("honors.tests.factories")
employment_factories = pytest.importorskip("employment.tests.factories")
pytest.importorskip("honors.stats")
pytest.importorskip("employment.stats")

from employment.models import Application, TrainingKind  # noqa: E402
from honors.models import Award, HonorType  # noqa: E402
from veterans.tests.factories import VeteranFactory  # noqa: E402

pytestmark = pytest.mark.django_db
MONTH = datetime.date(2026, 10, 1)
D = datetime.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
APP_KEYS = (
    "commendations_delivered",
    "honors_awarded",
    "placements",
    "ventures_new",
    "training_school_enterprise",
    "training_enterprise",
    "jobs_published",
    "applications",
)


def _award(world, key, day, serial):
    household = honors_factories.HouseholdFactory(station=world[key])
    nomination = honors_factories.NominationFactory(household=household, station=world[key], status="approved")
    return Award.objects.create(
        nomination=nomination,
        honor_type=HonorType.objects.get(code=HonorType.JRJT),
        year=2026,
        serial=serial,
        certificate_number=f"CZ-JRJT-2026-{serial:04d}",
        awarded_on=day,
        household=household,
        recipient_name=f"{household.head_name}户",
        county_id=world[key].code[:6] + "000000",
        station=world[key],
    )


def _build(world):
    hf, ef = honors_factories, employment_factories
    # honors: deliveries at the serving member's hometown station, awards at the nominating station
    member_a = hf.ServingMemberFactory(hometown_station=world["villageA1a"])
    member_b = hf.ServingMemberFactory(hometown_station=world["townshipB1"])
    hf.DeliveryFactory(merit=hf.MeritFactory(serving_member=member_a), date=D(2026, 10, 1))
    hf.DeliveryFactory(merit=hf.MeritFactory(serving_member=member_a), date=D(2026, 10, 31))
    hf.DeliveryFactory(merit=hf.MeritFactory(serving_member=member_b), date=D(2026, 10, 15))
    hf.DeliveryFactory(merit=hf.MeritFactory(serving_member=member_b), date=D(2026, 11, 1))  # next month
    _award(world, "villageA1a", D(2026, 10, 10), 1)
    _award(world, "villageA2b", D(2026, 10, 20), 2)
    _award(world, "villageA2b", D(2026, 9, 30), 3)  # previous month
    # employment: at the veteran's station (postings at their county)
    vet_a1a = VeteranFactory(station=world["villageA1a"])
    vet_a1b = VeteranFactory(station=world["villageA1b"])
    vet_b1a = VeteranFactory(station=world["villageB1a"])
    ef.PlacementFactory(veteran=vet_b1a, start_date=D(2026, 10, 5))
    ef.PlacementFactory(veteran=vet_a1a, start_date=D(2026, 9, 5))  # previous month
    ef.VentureFactory(veteran=vet_a1b, start_date=D(2026, 10, 7))
    school = ef.TrainingProgrammeFactory(kind=TrainingKind.SCHOOL_ENTERPRISE)
    enterprise = ef.TrainingProgrammeFactory(kind=TrainingKind.ENTERPRISE_TRAINING)
    ef.EnrolmentFactory(programme=school, veteran=vet_a1a, completed=True, completed_on=D(2026, 10, 30))
    ef.EnrolmentFactory(programme=school, veteran=vet_a1b, completed=False)  # not completed
    ef.EnrolmentFactory(programme=enterprise, veteran=vet_b1a, completed=True, completed_on=D(2026, 10, 2))
    october = datetime.datetime(2026, 10, 12, 9, 0, tzinfo=SHANGHAI)
    posting_a = ef.JobPostingFactory(county=world["countyA"], published_at=october)
    ef.JobPostingFactory(county=world["countyB"], published_at=october.replace(month=11))  # next month
    app = ef.ApplicationFactory(posting=posting_a, veteran=vet_a1b)
    unmatched = ef.ApplicationFactory(posting=posting_a, stated_county=world["countyB"])
    Application.objects.filter(pk__in=[app.pk, unmatched.pk]).update(created_at=october)


def _expect(**values):
    return {key: values.get(key, 0) for key in APP_KEYS}


EXPECTED = {
    "city": _expect(
        commendations_delivered=3,
        honors_awarded=2,
        placements=1,
        ventures_new=1,
        training_school_enterprise=1,
        training_enterprise=1,
        jobs_published=1,
        applications=2,
    ),
    "countyA": _expect(
        commendations_delivered=2,
        honors_awarded=2,
        ventures_new=1,
        training_school_enterprise=1,
        jobs_published=1,
        applications=1,
    ),
    "townshipA1": _expect(
        commendations_delivered=2, honors_awarded=1, ventures_new=1, training_school_enterprise=1, applications=1
    ),
    "villageA1a": _expect(commendations_delivered=2, honors_awarded=1, training_school_enterprise=1),
    "villageA1b": _expect(ventures_new=1, applications=1),
    "townshipA2": _expect(honors_awarded=1),
    "villageA2a": _expect(),
    "villageA2b": _expect(honors_awarded=1),
    "countyB": _expect(commendations_delivered=1, placements=1, training_enterprise=1, applications=1),
    "townshipB1": _expect(commendations_delivered=1, placements=1, training_enterprise=1),
    "villageB1a": _expect(placements=1, training_enterprise=1),
    "villageB1b": _expect(),
    "townshipB2": _expect(),
    "villageB2a": _expect(),
    "villageB2b": _expect(),
}


def test_honors_and_employment_metrics_at_every_tier(world):
    _build(world)
    summary = stats.compute_month(MONTH)
    assert summary["providers"] == ["veterans", "services", "honors", "employment"]
    rows = {s.station_id: s for s in MonthlyStatistic.objects.filter(month=MONTH)}
    for key, expected in EXPECTED.items():
        assert {k: getattr(rows[world[key].code], k) for k in APP_KEYS} == expected, key
