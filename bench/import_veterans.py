"""Benchmark: the veteran import (100,000 rows from .xlsx, validated) against PostgreSQL COPY.

    DATABASE_URL=postgres://…/scratch_db .venv/bin/python bench/import_veterans.py [--rows 100000] [--workers N]

1. generates N valid rows across the active village stations (deterministic) and writes an .xlsx
   in the import template's columns;
2. times ``veterans.importing.run_import`` on that file (read, every rule checked, duplicates and
   stations checked, encrypted, written with a history row each) — inside a transaction that is
   rolled back afterwards, so the database is left as it was;
3. times PostgreSQL's COPY loading the same rows into the registry: the rows exactly as the import
   stored them (encrypted numbers, blind indexes) into ``veterans_veteran`` itself, with its indexes
   and constraints (history not included), rolled back — the target's yardstick;
4. for reference, times COPY of the file's rows as plain text/date columns into a scratch table
   with no index at all;
5. prints rows/s and the ratios (target: import ≥ 1/20 of COPY's rate).

Use a scratch database: the rows must not clash with veterans already registered there.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "canghzou_portal.settings.local")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from stdnum.cn import ric  # noqa: E402

from canghzou_portal.access import system_actor  # noqa: E402
from services.loading import DEFAULT_FILE, load_stations  # noqa: E402
from services.models import Station  # noqa: E402
from veterans.demo import id_area  # noqa: E402
from veterans.importing import REGISTRY, run_import  # noqa: E402
from veterans.importing.registry import HEADERS  # noqa: E402
from veterans.models import _add_years  # noqa: E402

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌海波辉鹏"


class Rollback(Exception):
    pass


def vacuum() -> None:
    """Clear the dead rows a rolled-back run leaves behind, so every timed step starts alike."""
    from veterans.models import Veteran

    with connection.cursor() as cursor:
        for model in (Veteran, Veteran.history.model):
            cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")


def generate_rows(n: int, seed: int = 7) -> list[list]:
    rng = random.Random(seed)
    villages = list(Station.objects.filter(level="village", is_active=True).values_list("code", flat=True))
    if not villages:
        raise SystemExit("no active village stations: run `manage.py load_stations` first")
    rows = []
    for i in range(n):
        code = villages[rng.randrange(len(villages))]
        # Unique numbers: (birth date, sequence) walks deterministically; bench IDs use 900-999.
        birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=i // 100)
        first17 = f"{id_area(code)}{birth:%Y%m%d}{900 + i % 100:03d}"
        number = first17 + ric.calc_check_digit(first17 + "X")
        enlist = _add_years(birth, rng.randint(17, 22))
        discharge = _add_years(enlist, rng.randint(2, 16))
        party = rng.random() < 0.3
        rows.append([
            SURNAMES[rng.randrange(len(SURNAMES))] + GIVEN[rng.randrange(len(GIVEN))] + GIVEN[rng.randrange(len(GIVEN))],
            number, "", None, "汉族", f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
            "河北省沧州市", "河北省沧州市", code, "陆军", enlist, discharge, "下士", "退役士兵", "自主就业",
            "是" if party else "否", discharge if party else None, "高中/中专", "", None, "无", "否",
            rng.choice(["已就业", "未就业", "灵活就业"]), "", "", None, "在册", None, datetime.date(2025, 6, 1),
        ])  # fmt: skip
    return rows


def write_xlsx(rows: list[list]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("退役军人信息")
    ws.append(list(HEADERS))
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def time_import(data: bytes) -> tuple[float, object, list[tuple]]:
    """Time the import (inside a transaction that is rolled back afterwards) and return the rows
    it stored, exactly as stored (encrypted numbers, blind indexes, ids)."""
    from veterans.models import Veteran

    table = Veteran._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608 - the model's table
        before = cursor.fetchone()[0]
    stored: list[tuple] = []
    started = time.perf_counter()
    try:
        with transaction.atomic():
            report = run_import(schema=REGISTRY, file_obj=io.BytesIO(data), filename="bench.xlsx",
                                user=system_actor("bench"), dry_run=False)  # fmt: skip
            elapsed = time.perf_counter() - started
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT * FROM {table} WHERE id > %s ORDER BY id", [before])  # noqa: S608
                stored = cursor.fetchall()
            raise Rollback
    except Rollback:
        pass
    return elapsed, report, stored


def time_registry_copy(stored: list[tuple]) -> float:
    """COPY of the same rows, in the form the registry stores them, into the registry's own table
    (its indexes, its unique constraint, its foreign keys checked at commit), rolled back."""
    from veterans.models import Veteran

    table = Veteran._meta.db_table
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.cursor
            started = time.perf_counter()
            with raw.copy(f"COPY {table} FROM STDIN") as copy:
                for r in stored:
                    copy.write_row(r)
            raw.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign-key checks, as at commit
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    return elapsed


def time_copy(rows: list[list]) -> float:
    columns = ", ".join(f'"c{i}" {"date" if isinstance(rows[0][i], datetime.date) else "text"}'
                        for i in range(len(HEADERS)))  # fmt: skip
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor
        raw.execute("DROP TABLE IF EXISTS bench_veteran_copy")
        raw.execute(f"CREATE TABLE bench_veteran_copy ({columns})")
        connection.commit() if not connection.get_autocommit() else None
        started = time.perf_counter()
        with raw.copy("COPY bench_veteran_copy FROM STDIN") as copy:
            for r in rows:
                copy.write_row(r)
        elapsed = time.perf_counter() - started
        raw.execute("DROP TABLE bench_veteran_copy")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=0,
                        help="processes checking rows (0: one per CPU; 1: all in this process)")  # fmt: skip
    parser.add_argument("--cache", type=Path, help="keep the generated .xlsx here and reuse it on later runs")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("set DATABASE_URL to a PostgreSQL scratch database")
    from django.conf import settings

    settings.PORTAL_IMPORT_WORKERS = args.workers
    if not Station.objects.exists():
        load_stations(DEFAULT_FILE)
    t = time.perf_counter()
    rows = generate_rows(args.rows)
    cached = args.cache and args.cache.with_name(f"{args.cache.stem}-{args.rows}{args.cache.suffix or '.xlsx'}")
    if cached and cached.exists():
        data = cached.read_bytes()
    else:
        data = write_xlsx(rows)
        if cached:
            cached.write_bytes(data)
    print(f"generated {args.rows} rows, xlsx {len(data) / 1e6:.1f} MB in {time.perf_counter() - t:.1f} s")
    vacuum()
    import_s, report, stored = time_import(data)
    if not report.ok:
        print(report.as_text(limit=20))
        raise SystemExit(1)
    vacuum()
    registry_s = time_registry_copy(stored)
    copy_s = time_copy(rows)
    import_rate = args.rows / import_s
    registry_rate = args.rows / registry_s
    copy_rate = args.rows / copy_s
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f}, Python {platform.python_version()}, PostgreSQL {pg}"
    )
    print(f"import (xlsx, validated, encrypted, with history): {import_s:.2f} s = {import_rate:,.0f} rows/s")
    print(f"  phases (s): {report.timings}, checked by {report.workers} process(es)")
    print(f"COPY of the same rows into the registry table:    {registry_s:.2f} s = {registry_rate:,.0f} rows/s")
    print(f"  ratio import/COPY: 1/{registry_rate / import_rate:.1f} (target: 1/20 or better)")
    print(f"COPY of the file's rows into a bare text table:   {copy_s:.2f} s = {copy_rate:,.0f} rows/s")
    print(f"  ratio import/bare COPY: 1/{copy_rate / import_rate:.1f}")


if __name__ == "__main__":
    main()
