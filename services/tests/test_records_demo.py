"""services.demo.seed: realistic, deterministic service data for seed_demo."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest
from django.db.models import Count, F

from services import demo
from services.management.commands.seed_demo import DemoContext
from services.models import PublicWelfarePost, ServiceRecord, Station, StationEvaluation
from veterans.tests.factories import VeteranFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 29)


@pytest.fixture
def veterans(world):
    keys = ("villageA1a", "villageA1b", "villageA2a", "villageB1a", "villageB2b")
    return [
        VeteranFactory(
            station=world[keys[i % len(keys)]], registered_on=datetime.date(2020, 1, 1), is_hardship=i % 4 == 0
        )
        for i in range(60)
    ]


def _run(seed=7):
    ctx = DemoContext(rng=random.Random(seed), veterans=60, seed=seed, today=TODAY)
    return demo.seed(ctx)


def _snapshot():
    return (
        list(
            ServiceRecord.objects.order_by("id").values_list("veteran_id", "station_id", "kind", "date", "aid_amount")
        ),
        list(PublicWelfarePost.objects.order_by("id").values_list("veteran_id", "start_date", "end_date")),
        list(StationEvaluation.objects.order_by("id").values_list("station_id", "year", "stars")),
    )


def test_seed_counts_and_rules(veterans):
    counts = _run()
    records = ServiceRecord.objects.all()
    n = records.count()
    assert counts["服务记录"] == n
    assert 60 * 6 * 0.6 < n < 60 * 6 * 1.4  # about 3 per veteran per year over two years
    assert not records.filter(date__gt=TODAY).exists()
    assert not records.filter(date__lt=TODAY - datetime.timedelta(days=730)).exists()
    aid = records.filter(kind=ServiceRecord.Kind.AID)
    assert aid.exists()
    assert not aid.filter(aid_amount__isnull=True).exists()
    assert all(Decimal(200) <= a <= Decimal(5000) for a in aid.values_list("aid_amount", flat=True))
    assert not records.exclude(kind=ServiceRecord.Kind.AID).filter(aid_amount__isnull=False).exists()
    assert not records.filter(kind=ServiceRecord.Kind.RIGHTS, status="closed", outcome="").exists()
    assert not records.filter(status="closed", closed_at__isnull=True).exists()
    assert set(records.values_list("kind", flat=True)) == set(ServiceRecord.Kind.values)
    # every record sits at the veteran's station or its township
    for record in records.select_related("veteran")[:200]:
        assert record.station_id in (record.veteran.station_id, record.veteran.station_id[:9] + "000")
    # at most one active post per veteran
    active = PublicWelfarePost.objects.filter(end_date__isnull=True).values("veteran").annotate(n=Count("id"))
    assert all(row["n"] == 1 for row in active)
    assert not PublicWelfarePost.objects.filter(end_date__lt=F("start_date")).exists()


def test_star_rating_follows_latest_evaluation(veterans):
    _run()
    assert StationEvaluation.objects.filter(station__level="county").count() == 2 * 2  # both counties, two years
    for station in Station.objects.filter(evaluations__isnull=False).distinct():
        latest = station.evaluations.order_by("-year").first()
        assert station.star_rating == latest.stars
    assert not Station.objects.filter(level="city", evaluations__isnull=False).exists()


def test_deterministic_and_idempotent(veterans):
    _run(seed=11)
    first = _snapshot()
    again = _run(seed=11)
    assert "已有服务记录（未重复生成）" in again
    assert _snapshot() == first
    ServiceRecord.objects.all().delete()
    PublicWelfarePost.objects.all().delete()
    StationEvaluation.objects.all().delete()
    _run(seed=11)
    assert _snapshot() == first
