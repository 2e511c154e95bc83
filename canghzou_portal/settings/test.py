"""Settings for pytest. DATABASE_URL / REDIS_URL come from the environment as in CI."""

from .base import *  # noqa: F403
from .base import env

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests use an in-process cache unless a test opts into Redis explicitly.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
# One test process shares its in-memory cache, which is all django-ratelimit needs here.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = "cache+memory://"
TEST_REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/15")
# Lookup limits count in the test database (rolled back per test); the Redis tests opt in.
PORTAL_LIMITS_REDIS_URL = ""
MEDIA_ROOT = BASE_DIR / ".test-media"
# django-axes refuses authenticate() without a request, which Client.login() does; the lockout
# tests switch it on with override_settings(AXES_ENABLED=True) (canghzou_portal/tests/test_security_lockout.py).
AXES_ENABLED = False
# Every test client logs in from 127.0.0.1: the per-address login rate limit would add up across a
# whole run. test_security_lockout.py::test_login_is_rate_limited_per_address sets a low rate itself.
PORTAL_LOGIN_RATE = "100000/m"
