"""Celery application, wired the way Celery's Django guide describes.

With REDIS_URL unset, settings turn on ``task_always_eager`` so tasks run in-process.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "canghzou_portal.settings.local")

app = Celery("canghzou_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
