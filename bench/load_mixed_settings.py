"""Settings for bench/load_mixed.py only: the portal's settings with DEBUG off and no collectstatic."""

from canghzou_portal.settings.base import *  # noqa: F403
from canghzou_portal.settings.base import STORAGES

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# Loopback load from one address: the login rate limit is not what is measured here.
PORTAL_LOGIN_RATE = "100000/m"
