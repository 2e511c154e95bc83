"""Settings for the job-board load benchmark only (never used in production).

Production-like: DEBUG off, the same middleware, database pool and Redis cache as the portal;
adds ``/bench/bare/`` (jobboard_urls) beside the real URLs. ``JOB_BOARD_CACHE_SECONDS`` comes
from the environment so one run measures the board with its cache off and one with it on.
"""

import os

from canghzou_portal.settings.base import *  # noqa: F403
from canghzou_portal.settings.base import STORAGES

DEBUG = False
ROOT_URLCONF = "jobboard_urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
JOB_BOARD_CACHE_SECONDS = int(os.environ.get("JOB_BOARD_CACHE_SECONDS", "300"))
# No collectstatic in the benchmark: plain static storage (identical for both views).
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
