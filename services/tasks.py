"""Celery tasks of the service network. Tasks stay thin: they call a service function."""

from celery import shared_task


@shared_task(name="services.tasks.count_active_stations")
def count_active_stations() -> int:
    """A small real task (used by the worker test and operations checks)."""
    from .models import Station

    return Station.objects.active().count()
