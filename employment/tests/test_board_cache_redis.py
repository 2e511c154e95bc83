"""The board cache on a real Redis (the production backend): invalidation on change."""

import pytest
from django.conf import settings as django_settings

from employment import actions, board_cache

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_cache(settings):
    import redis

    try:
        redis.Redis.from_url(django_settings.TEST_REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("Redis 不可用")
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": django_settings.TEST_REDIS_URL,
            "KEY_PREFIX": "cz-test-jobs",
        }
    }
    settings.JOB_BOARD_CACHE_SECONDS = 300
    board_cache._raw.update(client=None, checked=False)
    board_cache._local.clear()
    yield
    from django.core.cache import cache

    cache.delete_pattern("jobs:*")  # only this test's prefix; never FLUSHDB a shared Redis
    board_cache._redis().delete(board_cache._raw_key())
    board_cache._raw.update(client=None, checked=False)
    board_cache._local.clear()


def test_closed_posting_never_served_from_redis_cache(
    redis_cache, client, posting_a, employer_user, django_capture_on_commit_callbacks, django_assert_num_queries
):
    assert board_cache._redis() is not None
    assert posting_a.title in client.get("/jobs/").content.decode()
    assert client.get(f"/jobs/{posting_a.pk}/").status_code == 200
    with django_assert_num_queries(0):  # served from the cache
        assert posting_a.title in client.get("/jobs/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        actions.posting_close(posting=posting_a, user=employer_user)
    assert posting_a.title not in client.get("/jobs/").content.decode()
    assert client.get(f"/jobs/{posting_a.pk}/").status_code == 404
