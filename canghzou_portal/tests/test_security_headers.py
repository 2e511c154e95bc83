"""Security headers, `check --deploy` with production settings, and Redis outages."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.cache import cache
from django.test import override_settings

from conftest import PASSWORD

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]
CLOSED_REDIS = "redis://127.0.0.1:1/7"  # nothing listens on port 1


def test_security_headers_on_public_and_staff_pages(client, client_for, village_clerk):
    for c, url in ((client, "/"), (client, "/accounts/login/"), (client_for(village_clerk), "/station/")):
        response = c.get(url)
        assert response.status_code == 200, url
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        script_src = csp.split("script-src")[1].split(";")[0]
        assert "'self'" in script_src and "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_forms_carry_csrf_and_posts_without_it_are_refused(village_clerk):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert 'name="csrfmiddlewaretoken"' in strict.get("/accounts/login/").content.decode()
    refused = strict.post("/accounts/login/", {"username": "village_clerk", "password": PASSWORD})
    assert refused.status_code == 403


def _production_env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "canghzou_portal.settings.production",
            "SECRET_KEY": "x9!" + Fernet.generate_key().decode() + "-production-secret-0123456789",
            "ALLOWED_HOSTS": "tyjr.cangzhou.gov.cn",
            "CSRF_TRUSTED_ORIGINS": "https://tyjr.cangzhou.gov.cn",
            "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "BLIND_INDEX_KEY": Fernet.generate_key().decode(),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
            "REDIS_URL": "redis://127.0.0.1:6379/7",
            "PORTAL_PROXY_COUNT": "1",
        }
    )
    return env


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = subprocess.run(  # noqa: S603 - fixed command line
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secrets(tmp_path):
    env = _production_env(tmp_path)
    del env["FIELD_ENCRYPTION_KEY"]
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "FIELD_ENCRYPTION_KEY" in result.stderr


@pytest.mark.parametrize("command", [["check", "--deploy"], ["check"]])
def test_production_without_redis_is_a_check_error(tmp_path, command):
    """Issue 15, point 8: without Redis, rate limits and lookup limits would count per process."""
    env = _production_env(tmp_path)
    del env["REDIS_URL"]
    result = subprocess.run(  # noqa: S603 - fixed command line
        [sys.executable, "manage.py", *command], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "portal.E001" in result.stderr and "生产环境必须配置 REDIS_URL" in result.stderr


REDIS_DOWN_CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": CLOSED_REDIS,
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
    }
}


@override_settings(CACHES=REDIS_DOWN_CACHES, AXES_ENABLED=True)
def test_public_pages_portal_and_login_work_with_redis_down(client, client_for, village_clerk):
    from django.core.cache import caches

    caches._settings = None  # let the overridden CACHES take effect for the cache handler
    try:
        for url in ("/", "/stations/", "/jobs/"):
            assert client.get(url).status_code == 200, url
        response = client.post("/accounts/login/", {"username": "village_clerk", "password": PASSWORD})
        assert response.status_code == 302  # rate limit fails open, lockout counts in the database
        assert client.get("/station/").status_code == 200
        assert client.get("/station/veterans/").status_code == 200
    finally:
        caches._settings = None
        cache.close()


TASK_SCRIPT = """
import time, django
django.setup()
from canghzou_portal.task_queue import TaskQueueUnavailable, enqueue
from services.tasks import count_active_stations
started = time.monotonic()
try:
    enqueue(count_active_stations)
except TaskQueueUnavailable as exc:
    print("ERROR:", exc)
print("SECONDS:", round(time.monotonic() - started, 1))
"""


def test_task_enqueue_reports_a_clear_error_with_redis_down(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "canghzou_portal.settings.local",
            "REDIS_URL": CLOSED_REDIS,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        }
    )
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", TASK_SCRIPT], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "ERROR: 后台任务队列暂不可用" in result.stdout
    assert time.monotonic() - started < 60


def test_env_example_documents_every_variable_the_settings_read():
    import re

    used = set()
    for path in (BASE_DIR / "canghzou_portal" / "settings").glob("*.py"):
        used |= set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z0-9_]+)\"", path.read_text()))
    documented = set(re.findall(r"^([A-Z0-9_]+)=", (BASE_DIR / ".env.example").read_text(), re.M))
    assert used, "no env() calls found"
    assert used <= documented, f"undocumented in .env.example: {sorted(used - documented)}"
