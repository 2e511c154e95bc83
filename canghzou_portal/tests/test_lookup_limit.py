"""canghzou_portal.lookup_limit: misses counted per key and per address, in Redis or — without it,
or while it is down — in the database (issue 15, point 5)."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
import redis
from django.test import override_settings

from canghzou_portal import lookup_limit
from canghzou_portal.lookup_limit import LookupLimit
from services.models import LookupMiss

pytestmark = pytest.mark.django_db

CLOSED_REDIS = "redis://127.0.0.1:1/7"  # nothing listens on port 1


@pytest.fixture(autouse=True)
def _fresh_state():
    lookup_limit.reset_redis_state()
    yield
    lookup_limit.reset_redis_state()


def _limit(**kw) -> LookupLimit:
    # A name of its own per test: Redis keys never meet another test's.
    return LookupLimit(f"t-{uuid.uuid4().hex[:12]}", **{"key_misses": 3, "address_misses": 5, **kw})


def _exercise(limit: LookupLimit) -> None:
    for n in range(3):  # three addresses, one number
        assert limit.blocked(key="A1", address=f"10.0.0.{n}") is None
        limit.miss(key="A1", address=f"10.0.0.{n}")
    assert limit.blocked(key="A1", address="10.0.0.99") == "key"  # from any address now
    assert limit.blocked(key="A2", address="10.0.0.99") is None  # another number is not affected
    for n in range(5):  # one address, five numbers
        limit.miss(key=f"B{n}", address="10.9.9.9")
    assert limit.blocked(key="B-new", address="10.9.9.9") == "address"
    assert limit.blocked(key="B-new", address="10.9.9.8") is None


def test_counts_in_the_database_without_redis():
    limit = _limit()
    _exercise(limit)
    rows = LookupMiss.objects.filter(name=limit.name)
    assert rows.count() == 3 * 2 + 5 * 2
    stored = " ".join(f"{r.digest} {r.kind}" for r in rows)
    assert "A1" not in stored and "10.0.0" not in stored  # keyed hashes only


def test_counts_in_redis_when_configured(settings):
    settings.PORTAL_LIMITS_REDIS_URL = settings.TEST_REDIS_URL
    limit = _limit()
    client = redis.Redis.from_url(settings.TEST_REDIS_URL)
    try:
        _exercise(limit)
        keys = client.keys(f"cz:limit:{limit.name}:*")
        assert len(keys) == 1 + 3 + 5 + 1  # A1, three addresses, B0-B4, 10.9.9.9
        ttl = client.ttl(next(k for k in keys if b":key:" in k))
        assert timedelta(hours=23) < timedelta(seconds=ttl) <= timedelta(hours=24)
        assert not LookupMiss.objects.exists()
    finally:
        for key in client.keys(f"cz:limit:{limit.name}:*"):
            client.delete(key)


def test_redis_down_falls_back_to_the_database_and_does_not_wait_each_time(settings):
    settings.PORTAL_LIMITS_REDIS_URL = CLOSED_REDIS
    limit = _limit()
    _exercise(limit)  # the limit holds although Redis does not answer
    assert LookupMiss.objects.filter(name=limit.name).count() == 16
    started = time.monotonic()
    for _ in range(20):
        limit.blocked(key="A1", address="10.0.0.1")
    assert time.monotonic() - started < 2  # the outage is remembered: no connect timeout per call


def test_the_window_ends_in_the_database():
    limit = _limit(key_window=timedelta(hours=1))
    for n in range(3):
        limit.miss(key="A1", address=f"10.0.0.{n}")
    assert limit.blocked(key="A1", address="10.0.1.1") == "key"
    LookupMiss.objects.filter(name=limit.name).update(at=lookup_limit.timezone.now() - timedelta(minutes=61))
    assert limit.blocked(key="A1", address="10.0.1.1") is None


def test_old_rows_are_deleted_as_new_misses_come():
    limit = _limit()
    limit.miss(key="A1", address="10.0.0.1")
    LookupMiss.objects.update(at=lookup_limit.timezone.now() - timedelta(days=3))
    limit.miss(key="A2", address="10.0.0.2")
    assert LookupMiss.objects.count() == 2  # the two new rows only


def test_miss_reports_the_limit_it_reached_once():
    limit = _limit()
    reached = [limit.miss(key="A1", address=f"10.0.0.{n}") for n in range(4)]
    assert reached == [(), (), ("key",), ()]
    both = _limit(key_misses=1, address_misses=1)
    assert both.miss(key="A9", address="10.0.0.9") == ("key", "address")


@override_settings(PORTAL_LIMITS_REDIS_URL="")
def test_messages_are_chinese():
    limit = _limit()
    assert "24 小时" in limit.message("key") and "60 分钟" in limit.message("address")
