"""Celery tasks of the service network. Tasks stay thin: they call a service function.

``acks_late`` and ``reject_on_worker_lost`` are set globally (settings): a task whose worker
dies is delivered again, so every task here is idempotent.
"""

from __future__ import annotations

import logging

from celery import chord, shared_task

logger = logging.getLogger(__name__)


@shared_task(name="services.tasks.count_active_stations")
def count_active_stations() -> int:
    """A small real task (used by the worker test and operations checks)."""
    from .models import Station

    return Station.objects.active().count()


def _busy(month) -> dict:
    from .stats import BUSY_MESSAGE

    logger.warning("monthly statistics %s: %s", month, BUSY_MESSAGE)
    return {"status": "busy", "month": f"{month:%Y-%m}", "message": BUSY_MESSAGE}


@shared_task(name="services.tasks.compute_monthly_statistics", bind=True)
def compute_monthly_statistics(self, month: str = "previous") -> dict:
    """Compute one month's statistics for every station ("YYYY-MM", "previous" or "current").

    A re-run replaces the month's rows in one transaction; a failed run leaves the old rows.
    If another run holds the lock, returns ``{"status": "busy", "message": "已有统计任务在运行"}``.
    """
    from . import stats

    target = stats.parse_month(month)
    try:
        return stats.compute_month(target, run_id=self.request.id or None)
    except stats.StatisticsBusy:
        return _busy(target)


@shared_task(name="services.tasks.compute_statistics_partition")
def compute_statistics_partition(month: str, low: str, high: str) -> dict:
    """One county's raw figures for the fan-out (reads only; no lock needed)."""
    from . import stats

    return stats.collect_partition(stats.parse_month(month), (low, high))


@shared_task(
    name="services.tasks.store_statistics_partitions",
    bind=True,
    max_retries=20,
)
def store_statistics_partitions(self, parts: list[dict], month: str) -> dict:
    """The chord's callback: roll up and write. Retries later while another run holds the lock."""
    from . import stats

    target = stats.parse_month(month)
    try:
        return stats.store_partitions(target, parts, run_id=self.request.id or None)
    except stats.StatisticsBusy as exc:
        if self.request.is_eager:
            return _busy(target)
        raise self.retry(exc=exc, countdown=30) from exc


@shared_task(name="services.tasks.compute_monthly_statistics_fanout")
def compute_monthly_statistics_fanout(month: str = "previous"):
    """The same result as ``compute_monthly_statistics``, spread over workers: one chord
    header task per county, then one callback that rolls up and writes in one transaction."""
    from . import stats

    target = stats.parse_month(month)
    iso = f"{target:%Y-%m}"
    header = [compute_statistics_partition.s(iso, low, high) for low, high in stats.partitions()]
    result = chord(header)(store_statistics_partitions.s(iso))
    if result.ready():  # eager mode runs everything at once
        return result.get(disable_sync_subtasks=False)
    return {"status": "queued", "month": iso, "partitions": len(header), "callback_id": result.id}
