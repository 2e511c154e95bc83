"""Limits on misses of public lookups (issue 15, point 5), for any lookup that answers "found" or
"not found" to the public: the job application status, a placement candidate's points, a 优待证
check at the counter.

A lookup by a *key* (an application number, a certificate number, an ID number) that misses is
counted twice: against the key, from every address together (someone guessing the secret that
goes with one key from many addresses), and against the client address, for every key together
(someone trying many keys). When either count reaches its limit the lookup is refused — without
being performed, so a blocked key answers nothing even to the right secret — until the window ends.

Counters live in Redis (``settings.PORTAL_LIMITS_REDIS_URL``, by default ``REDIS_URL``): one key per
counter, created with the window as its expiry at the first miss, then INCR. Without Redis (the embedded default), or
while Redis does not answer, they live in the database (``services.LookupMiss``, one row per miss,
counted over the window), so the limit never switches off; rows older than two days are deleted as
new misses are written. A Redis outage is remembered for 30 seconds so that requests do not wait for
the connect timeout each time. Misses recorded in the database during an outage are not carried over
into Redis when it comes back (the window bounds what that loses).

Keys and addresses are stored only as keyed hashes (HMAC-SHA256 with SECRET_KEY).

Usage::

    STATUS = LookupLimit("jobs-status", key_misses=5, address_misses=20)
    refused = STATUS.blocked(key=number, address=client_ip(request))   # None, "key" or "address"
    if refused: ... answer 429 with STATUS.message(refused)
    found = do_the_lookup()
    if found is None:
        reached = STATUS.miss(key=number, address=client_ip(request))  # e.g. ("key",): audit it once
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

logger = logging.getLogger(__name__)

KEY = "key"
ADDRESS = "address"
DB_RETENTION = timedelta(days=2)  # longer than any window
REDIS_RETRY_AFTER = 30.0  # seconds to keep using the database after Redis failed
_redis_state: dict = {"url": None, "client": None, "down_until": 0.0}


@dataclass(frozen=True)
class LookupLimit:
    name: str
    key_misses: int
    address_misses: int
    key_window: timedelta = timedelta(hours=24)
    address_window: timedelta = timedelta(hours=1)

    # --- the two calls --------------------------------------------------------------------
    def blocked(self, *, key: str, address: str | None) -> str | None:
        """Which limit is reached: ``"key"``, ``"address"`` or None."""
        for kind, value, limit, window in self._counters(key, address):
            if limit and _count(self.name, kind, _digest(self.name, kind, value), window) >= limit:
                return kind
        return None

    def miss(self, *, key: str, address: str | None) -> tuple[str, ...]:
        """Count one miss; returns the kinds whose limit this very miss reached (for the audit
        trail: reaching a limit is recorded once, not every refused try after it)."""
        reached = []
        for kind, value, limit, window in self._counters(key, address):
            if not limit:
                continue
            if _add(self.name, kind, _digest(self.name, kind, value), window) == limit:
                reached.append(kind)
        return tuple(reached)

    def message(self, kind: str) -> str:
        if kind == KEY:
            hours = int(self.key_window.total_seconds() // 3600)
            return f"该编号查询错误次数过多，已暂停查询 {hours} 小时。如需帮助，请联系所在服务站。"
        minutes = int(self.address_window.total_seconds() // 60)
        return f"查询错误次数过多，请 {minutes} 分钟后再试。"

    def _counters(self, key: str, address: str | None):
        yield KEY, key or "", self.key_misses, self.key_window
        if address:
            yield ADDRESS, address, self.address_misses, self.address_window


def _digest(name: str, kind: str, value: str) -> str:
    return salted_hmac(f"portal.lookup-limit.{name}.{kind}", value).hexdigest()[:40]


# --- storage: Redis, or the database ---------------------------------------------------------------
def _redis():
    """A client for the limits' Redis, or None (not configured, or failed in the last 30 s)."""
    url = getattr(settings, "PORTAL_LIMITS_REDIS_URL", settings.REDIS_URL)
    if not url:
        return None
    if _redis_state["url"] != url:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        _redis_state.update(url=url, client=client, down_until=0.0)
    if time.monotonic() < _redis_state["down_until"]:
        return None
    return _redis_state["client"]


def _redis_failed(exc: Exception) -> None:
    _redis_state["down_until"] = time.monotonic() + REDIS_RETRY_AFTER
    logger.warning("lookup limits: Redis unavailable (%s), counting in the database", type(exc).__name__)


def _redis_key(name: str, kind: str, digest: str) -> str:
    return f"cz:limit:{name}:{kind}:{digest}"


def _count(name: str, kind: str, digest: str, window: timedelta) -> int:
    client = _redis()
    if client is not None:
        import redis

        try:
            return int(client.get(_redis_key(name, kind, digest)) or 0)
        except redis.RedisError as exc:
            _redis_failed(exc)
    return _db_count(name, kind, digest, window)


def _add(name: str, kind: str, digest: str, window: timedelta) -> int:
    client = _redis()
    if client is not None:
        import redis

        key = _redis_key(name, kind, digest)
        try:
            pipe = client.pipeline()
            pipe.set(key, 0, ex=int(window.total_seconds()), nx=True)  # the window starts at the first miss
            pipe.incr(key)  # keeps the expiry
            _created, count = pipe.execute()
            return int(count)
        except redis.RedisError as exc:
            _redis_failed(exc)
    return _db_add(name, kind, digest, window)


def _db_count(name: str, kind: str, digest: str, window: timedelta) -> int:
    from services.models import LookupMiss

    since = timezone.now() - window
    return LookupMiss.objects.filter(name=name, kind=kind, digest=digest, at__gte=since).count()


def _db_add(name: str, kind: str, digest: str, window: timedelta) -> int:
    from services.models import LookupMiss

    now = timezone.now()
    LookupMiss.objects.filter(at__lt=now - DB_RETENTION).delete()
    LookupMiss.objects.create(name=name, kind=kind, digest=digest, at=now)
    return _db_count(name, kind, digest, window)


def reset_redis_state() -> None:
    """Forget the client and any remembered outage (tests that switch the Redis URL)."""
    _redis_state.update(url=None, client=None, down_until=0.0)
