"""Local development: `make run`. DEBUG is still off unless DEBUG=1."""

from .base import *  # noqa: F403

# No collectstatic locally: serve static files from the source folders, unhashed.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
