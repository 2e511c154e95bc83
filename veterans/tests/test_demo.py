"""seed_demo's registry part: valid, plausible, deterministic."""

from __future__ import annotations

import datetime
import random

import pytest

from services.management.commands.seed_demo import DemoContext
from veterans import demo
from veterans.models import Household, HouseholdMember, Veteran, _add_years

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 29)


def _ctx(n: int, seed: int = 1) -> DemoContext:
    return DemoContext(rng=random.Random(seed), veterans=n, seed=seed, today=TODAY)


def test_seed_creates_valid_plausible_veterans(world):
    ctx = _ctx(400)
    counts = demo.seed(ctx)
    assert counts["退役军人"] == 400 == Veteran.objects.count()
    assert len(ctx.data["veteran_ids"]) == 400
    assert counts["家庭户"] == Household.objects.count() > 0
    assert HouseholdMember.objects.filter(relation="self").count() == counts["家庭户"]
    for vet in Veteran.objects.select_related("station"):
        assert vet.rule_errors() == {}, (vet.pk, vet.rule_errors())
        assert vet.station.level == "village"
        assert vet.id_number[:6] == vet.station_id[:6]
        assert 1945 <= vet.birth_date.year <= 2003
        assert 17 <= vet.age_on(vet.enlistment_date) <= 22 or vet.enlistment_date <= vet.discharge_date
        assert vet.discharge_date <= TODAY and vet.registered_on <= TODAY
        if vet.is_party_member:
            assert vet.party_join_date >= _add_years(vet.birth_date, 18)
        assert vet.history.count() == 1
    assert Veteran.objects.filter(is_party_member=True).exists()
    assert Veteran.objects.values("category").distinct().count() >= 3


def test_seed_is_deterministic(world):
    demo.seed(_ctx(120, seed=5))
    first = list(Veteran.objects.order_by("id").values_list("name", "id_number_hash", "station_id", "discharge_date"))
    HouseholdMember.objects.all().delete()
    Veteran.history.all().delete()
    Veteran.objects.all().delete()
    Household.objects.all().delete()
    demo.seed(_ctx(120, seed=5))
    again = list(Veteran.objects.order_by("id").values_list("name", "id_number_hash", "station_id", "discharge_date"))
    assert first == again


def test_seed_skips_when_veterans_exist(world):
    demo.seed(_ctx(10))
    ctx = _ctx(10)
    counts = demo.seed(ctx)
    assert Veteran.objects.count() == 10 and len(ctx.data["veteran_ids"]) == 10
    assert list(counts.values()) == [10]


def test_zero_veterans(world):
    assert demo.seed(_ctx(0)) == {"退役军人": 0}
