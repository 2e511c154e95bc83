"""Production: secrets have no defaults; `manage.py check --deploy` is clean with these."""

from .base import *  # noqa: F403
from .base import env

# Production: demo accounts and demo data are refused (bootstrap_portal, seed_demo), and a missing
# REDIS_URL is a system-check error (canghzou_portal/checks.py).
PORTAL_PRODUCTION = True
DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY")
BLIND_INDEX_KEY = env("BLIND_INDEX_KEY")

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# Second factor for bureau staff, reviewers, administrators and superusers (docs/security.md).
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=True)
AXES_ENABLED = True
