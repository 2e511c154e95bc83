"""Settings shared by every environment. Values come from the environment (django-environ).

See .env.example for every variable.
"""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me-0123456789abcdef")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "canghzou_portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "import_export",
    "simple_history",
    "django_celery_results",
    # our apps; services first: it holds the user model and the station network
    "services",
    "veterans",
    "honors",
    "employment",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "canghzou_portal.urls"
WSGI_APPLICATION = "canghzou_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "services.context_processors.portal",
                "canghzou_portal.care_mode.context",
            ],
            # the shared place list and map (canghzou_portal/geo.py): {% load places %}
            "libraries": {"places": "canghzou_portal.templatetags.places"},
        },
    },
]

# --- database -------------------------------------------------------------
# Embedded default: SQLite next to the project. Set DATABASE_URL for PostgreSQL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's built-in psycopg 3 pool; CONN_MAX_AGE must be 0 with it.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})
    if env.bool("DATABASE_POOL", default=True):
        DATABASES["default"]["OPTIONS"]["pool"] = {"min_size": 2, "max_size": 10, "timeout": 10}
    DATABASES["default"].setdefault("TEST", {})["TEMPLATE"] = "template0"
else:
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "services.User"
# The station model (the jurisdiction's tree) and the audit trail's table: the core
# (canghzou_portal.scoping, .audit, .approval) names them through these, importing no app.
PORTAL_STATION_MODEL = "services.Station"
PORTAL_AUDIT_MODEL = "services.AuditEvent"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "services.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "services.validators.CharacterClassesValidator"},
]

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/station/"
LOGOUT_REDIRECT_URL = "/"

# --- language and time ------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# The portal's own translations: Chinese for the strings Django's zh-hans catalogue lacks (the admin's
# screen-reader table headers, …). Compiled .mo files are committed (compilemessages needs gettext).
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates as 2026年12月2日 everywhere ``{{ value|date }}`` / ``formats.date_format`` is used (public pages):
# pinned here rather than left to whatever Django's zh_Hans locale says.
FORMAT_MODULE_PATH = ["canghzou_portal.formats"]

# --- static files -------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

# --- Redis: cache, Celery broker and results --------------------------------
REDIS_URL = env("REDIS_URL", default="")
# Counters of canghzou_portal/lookup_limit.py (empty = in the database).
PORTAL_LIMITS_REDIS_URL = REDIS_URL
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "cz",
            "OPTIONS": {
                # A Redis outage degrades to cache misses instead of errors.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
            },
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = "django-db"
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "django-db"
    # No broker configured: run tasks in-process.
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
DJANGO_REDIS_IGNORE_EXCEPTIONS = True

CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_RESULT_EXTENDED = True
CELERY_BEAT_SCHEDULE = {
    "monthly-statistics-previous-month": {
        "task": "services.tasks.compute_monthly_statistics",
        "schedule": crontab(minute=30, hour=1, day_of_month=1),
        "kwargs": {"month": "previous"},
    },
    "monthly-statistics-running-month": {
        "task": "services.tasks.compute_monthly_statistics",
        "schedule": crontab(minute=0, hour=2),
        "kwargs": {"month": "current"},
    },
    "expire-job-postings": {
        "task": "employment.tasks.expire_postings",
        "schedule": crontab(minute=5, hour=0),
    },
}

# --- forms and UI -------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- import / export ------------------------------------------------------------
IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES = True
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Largest spreadsheet accepted for import (bytes).
PORTAL_IMPORT_MAX_BYTES = env.int("PORTAL_IMPORT_MAX_BYTES", default=30 * 1024 * 1024)
# Where a previewed import file waits for "确认导入" (private, swept after a day). Several web
# nodes must share it; empty = a directory under the system's temp dir.
PORTAL_IMPORT_STAGING_DIR = env("PORTAL_IMPORT_STAGING_DIR", default="")
# Imports from this many rows are checked by forked worker processes (0 = one per CPU; 1 = none).
PORTAL_IMPORT_PARALLEL_MIN_ROWS = env.int("PORTAL_IMPORT_PARALLEL_MIN_ROWS", default=20000)
PORTAL_IMPORT_WORKERS = env.int("PORTAL_IMPORT_WORKERS", default=0)

# --- sessions and security ------------------------------------------------------
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Key for encrypting ID and phone numbers at rest, and for their blind index.
# Production requires real values (see .env.example); a dev key keeps `make run` zero-config.
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY", default="ZGV2LW9ubHktZmllbGQta2V5LWRvLW5vdC11c2UtISE=")
BLIND_INDEX_KEY = env("BLIND_INDEX_KEY", default="dev-only-blind-index-key")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# True only in settings/production.py: no demo accounts or data, Redis required.
PORTAL_PRODUCTION = False

PORTAL_NAME = "沧州市退役军人服务平台"
# The home page's sections: callables (request) -> dict of context, one per app that shows one.
PORTAL_HOME_CONTEXT = ["services.views.home_context", "employment.views.home_context"]
PORTAL_BUREAU = "沧州市退役军人事务局"

# --- security (issue 9; docs/security.md) ------------------------------------------------------
# Added as one block so the lists above stay easy to edit for everyone.
from datetime import timedelta  # noqa: E402

from csp.constants import NONCE, NONE, SELF  # noqa: E402

INSTALLED_APPS += [
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "django_ratelimit",
]


def _insert_after(items: list[str], anchor: str, new: list[str]) -> list[str]:
    at = items.index(anchor) + 1
    return items[:at] + new + items[at:]


MIDDLEWARE = _insert_after(
    MIDDLEWARE,
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    [
        "django_otp.middleware.OTPMiddleware",
        "canghzou_portal.middleware.RequestContextMiddleware",
        "canghzou_portal.middleware.LoginRateLimitMiddleware",
        "canghzou_portal.middleware.SessionTimeoutMiddleware",
        "canghzou_portal.middleware.OTPRequiredMiddleware",
    ],
)
MIDDLEWARE = _insert_after(
    MIDDLEWARE, "django.middleware.security.SecurityMiddleware", ["csp.middleware.CSPMiddleware"]
)
MIDDLEWARE += [
    "django_ratelimit.middleware.RatelimitMiddleware",
    "axes.middleware.AxesMiddleware",  # must stay last (django-axes)
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # must stay first (django-axes)
    "django.contrib.auth.backends.ModelBackend",
]

# Client address: X-Forwarded-For is trusted only behind this many reverse proxies (0 = ignore it).
PORTAL_PROXY_COUNT = env.int("PORTAL_PROXY_COUNT", default=0)

# Lockout (django-axes 8.3.1, counters in the database so a Redis outage does not switch it off;
# docs/security.md §2). Each failure counts if it comes within 30 minutes of the previous one from
# the same account and address; a lock lasts 30 minutes. Limits per rule (services/lockout.py):
#   one account from one address               5
#   one account from all addresses together    PORTAL_LOCKOUT_ACCOUNT_LIMIT (50)
#   one address for all accounts together      PORTAL_LOCKOUT_ADDRESS_LIMIT (100; 0 = off)
# The login rate limit below (per address) comes on top.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_HANDLER = "services.lockout.TieredLockoutHandler"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
PORTAL_LOCKOUT_RULES = [
    (("username", "ip_address"), AXES_FAILURE_LIMIT),
    (("username",), env.int("PORTAL_LOCKOUT_ACCOUNT_LIMIT", default=50)),
    (("ip_address",), env.int("PORTAL_LOCKOUT_ADDRESS_LIMIT", default=100)),
]
AXES_LOCKOUT_PARAMETERS = "services.lockout.lockout_parameters"  # derived from PORTAL_LOCKOUT_RULES
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the lock ends 30 minutes after the 5th failure
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_CLIENT_IP_CALLABLE = "canghzou_portal.audit.client_ip_for_axes"
AXES_SENSITIVE_PARAMETERS = ["username", "password", "token"]
AXES_VERBOSE = False

# Sessions: database-backed (logout deletes the row); 15 minutes idle, 12 hours absolute.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=15 * 60)
SESSION_ABSOLUTE_TIMEOUT = 12 * 60 * 60
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_COOKIE_SAMESITE = "Lax"

# Second factor: TOTP for these roles and superusers, when OTP_REQUIRED (on in production).
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=False)
OTP_REQUIRED_ROLES = ["系统管理员", "市局工作人员", "审核员"]
OTP_TOTP_ISSUER = "沧州市退役军人服务平台"
# Nobody, not even an administrator, reads another account's TOTP secret in the admin.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Enrolment needs a code issued by a system administrator (services/otp.py): valid this many hours,
# void after this many wrong entries; redeemed, it lets this browser session bind a device for
# this many minutes.
OTP_ENROLMENT_CODE_HOURS = 24
OTP_ENROLMENT_MAX_TRIES = 5
OTP_ENROLMENT_SESSION_MINUTES = 30

# Rate limits (django-ratelimit): the shared 429 page; logins per client address.
RATELIMIT_VIEW = "canghzou_portal.views.ratelimited"
RATELIMIT_IP_META_KEY = "canghzou_portal.audit.client_ip_for_axes"
RATELIMIT_FAIL_OPEN = True  # Redis down: forms keep working; the lockout keeps counting in the database
PORTAL_LOGIN_RATE = env("PORTAL_LOGIN_RATE", default="20/10m")
if CACHES["default"]["BACKEND"] != "django_redis.cache.RedisCache":
    # A single development process shares its in-memory cache; production uses Redis.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# Public lookups by a number (canghzou_portal/lookup_limit.py; Redis, or the database without it).
# /jobs/applications/status/: misses per application number from all addresses within 24 hours,
# per client address for all numbers within one hour.
JOB_STATUS_MISSES_PER_NUMBER = env.int("JOB_STATUS_MISSES_PER_NUMBER", default=5)
JOB_STATUS_MISSES_PER_ADDRESS = env.int("JOB_STATUS_MISSES_PER_ADDRESS", default=20)

# Celery: with the broker down, publishing fails within seconds instead of retrying for long.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}

# Content Security Policy (django-csp 4): scripts and styles from our own static files only;
# an inline <script> needs nonce="{{ request.csp_nonce }}". Inline style attributes are allowed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Maps (canghzou_portal/geo.py, static/js/places.js): a tile server the bureau runs or licenses, e.g.
# 天地图 (CGCS2000 ≈ WGS-84, the datum the portal stores). Unset: place lists without a map.
MAP_TILE_URL = env("MAP_TILE_URL", default="")
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION", default="")
MAP_MAX_ZOOM = env.int("MAP_MAX_ZOOM", default=18)
MAP_TILE_SUBDOMAINS = env("MAP_TILE_SUBDOMAINS", default="abc")  # what {s} in the URL stands for (天地图: 01234567)
if MAP_TILE_URL:
    from canghzou_portal.geo import tile_source as _tile_source

    if _tile_source(MAP_TILE_URL):  # the tiles are images from that host
        CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(_tile_source(MAP_TILE_URL))

# Every handler masks ID and mobile numbers (canghzou_portal/log_filters.py).
LOGGING["filters"] = {"mask_personal_data": {"()": "canghzou_portal.log_filters.MaskPersonalDataFilter"}}
for _handler in LOGGING["handlers"].values():
    _handler.setdefault("filters", []).append("mask_personal_data")

# --- the provincial platform's API (issue 22; docs/api.md) -------------------------------------
# Read-only JSON under /api/v1/ (Django REST framework), OpenAPI schema by drf-spectacular, keys of
# partner systems by djangorestframework-api-key (the key model and the views live in employment/).
INSTALLED_APPS += ["rest_framework", "drf_spectacular", "rest_framework_api_key"]
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # no sessions or passwords on the API: a partner key (checked by the views' permission) or nothing
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],  # deny by default
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "沧州市退役军人就业岗位开放接口",
    "DESCRIPTION": "供合作平台（如河北省退役军人网上招聘平台）读取沧州市公开招聘岗位和招聘会信息的只读接口。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "PartnerApiKey": {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": "合作平台接口密钥，格式：Api-Key <密钥>（由市局工作人员在管理后台创建）",
            }
        }
    },
    "SECURITY": [{"PartnerApiKey": []}],
    "ENUM_NAME_OVERRIDES": {},
}
# Requests a minute for a new partner key (each key has its own limit, set in the admin).
PARTNER_API_DEFAULT_RATE = env.int("PARTNER_API_DEFAULT_RATE", default=60)
