"""Backup and restore (scripts/backup.sh, scripts/restore.sh) exercised on a scratch PostgreSQL database."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from canghzou_portal.audit import audit
from veterans.tests.factories import VeteranFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

BASH = shutil.which("bash") or "/bin/bash"
SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
TABLES = ("services_station", "services_user", "veterans_veteran", "veterans_historicalveteran", "services_auditevent")


def _url(name: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgresql://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def _counts(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}  # noqa: S608


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture
def scratch_db():
    if connection.vendor != "postgresql":
        pytest.skip("backup/restore needs PostgreSQL (set DATABASE_URL)")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore not installed")
    name = f"{connection.settings_dict['NAME']}_restore_scratch"
    _admin(f'DROP DATABASE IF EXISTS "{name}"')
    _admin(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'")
    yield _url(name)
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_then_restore_into_a_scratch_database(scratch_db, world, village_clerk, tmp_path):
    veteran = VeteranFactory(station=world["villageA1a"])
    audit("export", user=village_clerk, rows=1)
    source = _url(connection.settings_dict["NAME"])
    env = {**os.environ, "DATABASE_URL": source}
    backup = subprocess.run(  # noqa: S603
        [BASH, str(SCRIPTS / "backup.sh"), str(tmp_path)], env=env, capture_output=True, text=True, timeout=300
    )
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip().splitlines()[-1])
    assert dump.exists() and (dump.stat().st_mode & 0o077) == 0
    assert Path(f"{dump}.sha256").exists()

    restore = subprocess.run(  # noqa: S603
        [BASH, str(SCRIPTS / "restore.sh"), str(dump)],
        env={**os.environ, "TARGET_DATABASE_URL": scratch_db},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert restore.returncode == 0, restore.stderr
    assert _counts(scratch_db) == _counts(source)
    import psycopg

    with psycopg.connect(scratch_db) as conn:
        token = conn.execute("SELECT id_number FROM veterans_veteran WHERE id = %s", [veteran.pk]).fetchone()[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM veterans_veteran WHERE id = %s", [veteran.pk])
        assert cursor.fetchone()[0] == token  # ciphertext restored as is; the key decrypts it

    # restoring twice (over existing objects) works too, and a damaged dump is refused
    again = subprocess.run(  # noqa: S603
        [BASH, str(SCRIPTS / "restore.sh"), str(dump)],
        env={**os.environ, "TARGET_DATABASE_URL": scratch_db},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    with dump.open("r+b") as fh:
        fh.seek(200)
        fh.write(b"corrupt!")
    damaged = subprocess.run(  # noqa: S603
        [BASH, str(SCRIPTS / "restore.sh"), str(dump)],
        env={**os.environ, "TARGET_DATABASE_URL": scratch_db},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert damaged.returncode != 0
    assert _counts(scratch_db) == _counts(source)  # the target is unchanged
