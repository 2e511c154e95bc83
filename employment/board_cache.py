"""Cache of the public job board (Django cache: Redis when REDIS_URL is set).

Every key carries the *board version* and today's date (Asia/Shanghai):

* the version is replaced after every committed change of a posting or an employer
  (signals in ``employment.signals`` and the bulk actions call ``bump_board_version``),
  so a posting that stops being public is never served from the cache;
* the date makes every entry die at midnight, when ``JobPosting.objects.public()`` starts
  excluding postings whose ``expires_on`` was yesterday — before the daily task runs.

``JOB_BOARD_CACHE_SECONDS = 0`` in settings turns the cache off (the benchmark measures both).

Entries are also kept in a small per-process LRU in front of the shared cache: the version is
still read from the shared cache on every request (one round trip), so an invalidation by any
process is seen at once, and the page itself usually needs no second round trip.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)
VERSION_KEY = "jobs:board:version"
DEFAULT_SECONDS = 300
LOCAL_ENTRIES = 512

_local: OrderedDict[str, tuple[float, str]] = OrderedDict()
_local_lock = threading.Lock()


def cache_seconds() -> int:
    return int(getattr(settings, "JOB_BOARD_CACHE_SECONDS", DEFAULT_SECONDS))


def enabled() -> bool:
    return cache_seconds() > 0


_raw = {"client": None, "checked": False}


def _redis():
    """The raw Redis client behind django-redis, or None for other cache backends.

    The version is read on every board request; the raw client skips django-redis's key
    building and pickling (the round trip itself is the rest of the cost).
    """
    if not _raw["checked"]:
        _raw["checked"] = True
        if "django_redis" in settings.CACHES["default"]["BACKEND"]:
            from django_redis import get_redis_connection

            _raw["client"] = get_redis_connection("default")
    return _raw["client"]


def _raw_key() -> str:
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    return f"{prefix}:{VERSION_KEY}" if prefix else VERSION_KEY


def board_version() -> str:
    client = _redis()
    if client is not None:
        try:
            version = client.get(_raw_key())
            if version is None:
                client.set(_raw_key(), str(time.time_ns()), nx=True)
                version = client.get(_raw_key())
            return version.decode() if version is not None else str(time.time_ns())
        except Exception:  # noqa: BLE001 - Redis down: behave as a cache miss, never fail the page
            return str(time.time_ns())
    version = cache.get(VERSION_KEY)
    if version is None:
        version = str(time.time_ns())
        if not cache.add(VERSION_KEY, version, None):
            version = cache.get(VERSION_KEY) or version
    return str(version)


def _bump() -> None:
    client = _redis()
    if client is not None:
        try:
            client.set(_raw_key(), str(time.time_ns()))
        except Exception:  # noqa: BLE001
            # Cached pages then live until their TTL (JOB_BOARD_CACHE_SECONDS) or midnight.
            logger.exception("job board: could not bump the cache version")
        return
    cache.set(VERSION_KEY, str(time.time_ns()), None)


def bump_board_version() -> None:
    """Invalidate every cached board page once the current transaction commits.

    Bumping only after commit matters: a reader that saw the new version must also see the
    new rows, or it would store the old rows under the new version.
    """
    transaction.on_commit(_bump)


def make_key(kind: str, *parts) -> str:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"jobs:{kind}:{board_version()}:{timezone.localdate():%Y%m%d}:{digest}"


def fetch(key: str) -> str | None:
    now = time.monotonic()
    with _local_lock:
        hit = _local.get(key)
        if hit is not None and hit[0] > now:
            _local.move_to_end(key)
            return hit[1]
    value = cache.get(key)
    if value is not None:
        _remember(key, value)
    return value


def store(key: str, value: str) -> None:
    cache.set(key, value, cache_seconds())
    _remember(key, value)


def _remember(key: str, value: str) -> None:
    with _local_lock:
        _local[key] = (time.monotonic() + cache_seconds(), value)
        _local.move_to_end(key)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)


def get_or_render(kind: str, parts: tuple, render):
    """The cached string for ``parts``, or ``render()`` stored for next time."""
    if not enabled():
        return render()
    key = make_key(kind, *parts)
    value = fetch(key)
    if value is None:
        value = render()
        store(key, value)
    return value
