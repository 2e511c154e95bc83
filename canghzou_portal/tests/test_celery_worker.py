"""The Celery path with a real worker on the local Redis (fixture ``real_celery`` in conftest)."""

import pytest
from celery.contrib.testing.worker import start_worker

from services.models import Station
from services.tasks import count_active_stations


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_task_runs_on_real_worker(real_celery, world):
    Station.objects.filter(code=world["villageB1b"].code).update(is_active=False)
    with start_worker(real_celery, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        result = count_active_stations.delay()
        assert result.get(timeout=30) == len(world) - 1
