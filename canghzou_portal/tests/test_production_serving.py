"""The production path, once per CI run (issue 15, point 9; point 3's access-log half):

collectstatic with the manifest storage (whitenoise's CompressedManifestStaticFilesStorage), then
gunicorn with the project's gunicorn.conf.py and production settings, serving the public home
page, the job board and the admin's login page, with their hashed static files. The access log
that gunicorn really wrote is then read: no query string, so a search for an ID or phone number
leaves no trace of it there.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.db import connection

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

BASE_DIR = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
SEARCHED_ID = "130902198001011236"
SEARCHED_PHONE = "13912345678"


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(tmp_path: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "GUNICORN_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "canghzou_portal.settings.production",
            "SECRET_KEY": "p!" + Fernet.generate_key().decode() + "-production-path-secret-0123456789",
            "ALLOWED_HOSTS": "127.0.0.1",
            "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "BLIND_INDEX_KEY": Fernet.generate_key().decode(),
            "DATABASE_URL": _database_url(),
            "DATABASE_POOL": "0",
            "REDIS_URL": settings.TEST_REDIS_URL,
            "PORTAL_PROXY_COUNT": "1",
            "STATIC_ROOT": str(tmp_path / "static"),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": "1",
            "GUNICORN_ACCESS_LOG": str(tmp_path / "access.log"),
            "GUNICORN_ERROR_LOG": str(tmp_path / "error.log"),
        }
    )
    return env


def _get(url: str) -> tuple[int, str, dict]:
    # The TLS-terminating proxy in front of gunicorn says https (SECURE_PROXY_SSL_HEADER).
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - our own local server
            return response.status, response.read().decode("utf-8", "replace"), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace"), dict(exc.headers)


@pytest.fixture(scope="module")
def production_server(django_db_setup, tmp_path_factory):
    """One collectstatic and one gunicorn for the module, against the test database."""
    tmp_path = tmp_path_factory.mktemp("production")
    if connection.vendor != "postgresql":
        pytest.skip("the production path runs against PostgreSQL (set DATABASE_URL)")
    if not (BASE_DIR / "static" / "vendor" / "bootstrap" / "bootstrap.min.css").exists():
        pytest.fail("static/vendor is missing: run `make assets` (make test does)")
    port = _free_port()
    env = _env(tmp_path, port)
    collect = subprocess.run(  # noqa: S603 - fixed command line
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collect.returncode == 0, collect.stdout + collect.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()
    server = subprocess.Popen(  # noqa: S603
        [str(GUNICORN), "-c", "gunicorn.conf.py", "canghzou_portal.wsgi"], cwd=BASE_DIR, env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            if server.poll() is not None:
                pytest.fail("gunicorn exited:\n" + (tmp_path / "error.log").read_text(errors="replace"))
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not start within 30 s")
        yield base, tmp_path
    finally:
        server.terminate()  # our own process, by its id; its workers close their database connections
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def test_collectstatic_then_gunicorn_serve_the_public_pages_and_the_admin(production_server):
    base, tmp_path = production_server
    pages = (
        ("/", "沧州市退役军人", "/static/vendor/bootstrap/bootstrap.min.", ".css"),
        ("/jobs/", "岗位", "/static/vendor/bootstrap/bootstrap.min.", ".css"),
        ("/admin/login/", "csrfmiddlewaretoken", "/static/admin/css/base.", ".css"),
    )
    for path, marker, asset, suffix in pages:
        status, body, headers = _get(base + path)
        assert status == 200, (path, status, body[:500], (tmp_path / "error.log").read_text(errors="replace"))
        assert marker in body, path
        assert "Strict-Transport-Security" in headers
        # the manifest storage's hashed name (base.<12 hex>.css), served by whitenoise for ever
        assert f'"{asset}' in body, (path, asset)
        digest = body.split(f'"{asset}', 1)[1].split('"', 1)[0].removesuffix(suffix)
        assert len(digest) == 12 and int(digest, 16) >= 0, (path, digest)
        asset_status, text, asset_headers = _get(f"{base}{asset}{digest}{suffix}")
        assert asset_status == 200 and text, (path, asset)
        assert "immutable" in asset_headers.get("Cache-Control", "")


def test_the_access_log_carries_no_query_strings(production_server):
    base, tmp_path = production_server
    for query in (f"?q={SEARCHED_ID}", f"?q={SEARCHED_PHONE}&county=130902000000"):
        status, _body, _headers = _get(f"{base}/jobs/{query}")
        assert status == 200
    _get(f"{base}/station/veterans/?q={SEARCHED_ID}")  # redirects to the login page
    log_file = tmp_path / "access.log"
    for _ in range(50):  # gunicorn writes the line after the response
        if log_file.exists() and '"GET /accounts/login/ ' in log_file.read_text():
            break
        time.sleep(0.1)
    log = log_file.read_text()
    assert '"GET /jobs/ HTTP/1.1" 200' in log, log
    assert '"GET /station/veterans/ HTTP/1.1" 302' in log, log
    assert SEARCHED_ID not in log and SEARCHED_PHONE not in log and "?" not in log, log
