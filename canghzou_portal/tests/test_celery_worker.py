"""The Celery path with a real worker on the local Redis."""

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from canghzou_portal.celery import app
from services.models import Station
from services.tasks import count_active_stations


@pytest.fixture
def redis_celery_app():
    url = settings.TEST_REDIS_URL
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        if "REDIS_URL" in __import__("os").environ:
            raise
        pytest.skip("本机 Redis 不可用（未设置 REDIS_URL）")
    old = {k: app.conf.get(k) for k in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    try:
        yield app
    finally:
        app.conf.update(old)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_task_runs_on_real_worker(redis_celery_app, world):
    Station.objects.filter(code=world["villageB1b"].code).update(is_active=False)
    with start_worker(redis_celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        result = count_active_stations.delay()
        assert result.get(timeout=30) == len(world) - 1
