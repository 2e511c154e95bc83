"""Celery tasks of the employment app (they only call actions)."""

from celery import shared_task

from .actions import postings_expire_overdue


@shared_task(name="employment.tasks.expire_postings")
def expire_postings() -> int:
    """Daily (beat, 00:05 Asia/Shanghai): mark overdue published postings expired. Idempotent."""
    return postings_expire_overdue()
