import datetime
import random
from types import SimpleNamespace

import pytest

from honors import demo
from honors.models import Award, AwardCounter, CommendationDelivery, Merit, Nomination, NominationStatus, ServingMember

from .factories import HouseholdFactory, VeteranFactory

pytestmark = pytest.mark.django_db


def _ctx(seed=7, veterans=3000):
    return SimpleNamespace(
        rng=random.Random(seed), veterans=veterans, seed=seed, today=datetime.date(2026, 11, 29), data={}
    )


def _snapshot():
    return (
        list(
            Nomination.objects.order_by("id").values_list(
                "status", "honor_type__code", "year", "household_id", "veteran_id"
            )
        ),
        list(Award.objects.order_by("id").values_list("certificate_number", "recipient_name", "awarded_on")),
        list(CommendationDelivery.objects.order_by("id").values_list("date", "merit__kind")),
    )


def _wipe():
    CommendationDelivery.objects.all().delete()
    Merit.objects.all().delete()
    ServingMember.objects.all().delete()
    Award.objects.all().delete()
    AwardCounter.objects.all().delete()
    Nomination.objects.all().delete()


def test_seed_every_state_and_deterministic(world, village_clerk, county_reviewer, city_reviewer):
    for i in range(40):
        station = world["villageA1a" if i % 2 else "villageB2b"]
        VeteranFactory(
            station=station,
            is_party_member=i % 3 == 0,
            party_join_date=datetime.date(1970, 1, 1) if i % 3 == 0 else None,
        )
        HouseholdFactory(station=station)
    counts = demo.seed(_ctx())
    assert counts["颁授荣誉"] == Award.objects.count() > 0
    assert set(Nomination.objects.values_list("status", flat=True)) == set(NominationStatus.values)
    assert counts["送达喜报"] >= 5 and Merit.objects.filter(delivery__isnull=True).exists()
    # the demo reviewers find work in their queues
    assert Nomination.objects.filter(status="submitted", station=village_clerk.station).exists()
    # counters continue after the seeded serials
    for counter in AwardCounter.objects.all():
        assert counter.last_serial == Award.objects.filter(honor_type=counter.honor_type, year=counter.year).count()
    first = _snapshot()
    assert demo.seed(_ctx())["已有荣誉数据（未重复生成）"] > 0  # idempotent
    _wipe()
    demo.seed(_ctx())
    assert _snapshot()[1:] == first[1:]
    assert [row[:3] for row in _snapshot()[0]] == [row[:3] for row in first[0]]
