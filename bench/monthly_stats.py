"""Benchmark: the monthly statistics job against one hand-written SQL aggregation.

    DATABASE_URL=postgres://…/bench_db .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://…/bench_db .venv/bin/python manage.py seed_demo --veterans 300000
    DATABASE_URL=postgres://…/bench_db .venv/bin/python bench/monthly_stats.py [--month YYYY-MM] [--repeat 3]

1. times ``services.stats.compute_month`` for the whole city (every app's grouped queries, the
   roll-up in Python, and the replacement of the month's ~6,300 rows in one transaction), and
   counts its SQL queries;
2. times ONE hand-written PostgreSQL statement over the same tables that computes the same
   figures for every station of every tier (per-station aggregates of each table, UNION ALL,
   then a roll-up to the ancestors' codes) — it computes but writes nothing;
3. checks that both give the same figures, and prints the ratio (target: job ≤ 3 × SQL).

Best of ``--repeat`` runs each (after one warm-up run of each). PostgreSQL only.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "canghzou_portal.settings.local")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from services import stats  # noqa: E402
from services.models import METRIC_KEYS, MonthlyStatistic, ServiceRecord, Station  # noqa: E402
from veterans.choices import EMPLOYED_STATUSES, NOT_IN_LABOUR_FORCE  # noqa: E402
from veterans.models import Veteran  # noqa: E402
from veterans.stats import WORKING_AGE_LIMIT, WORKING_AGE_MIN, years_before  # noqa: E402

KEYS = [k for k in METRIC_KEYS if k != "employment_rate"]

HAND_SQL = """
WITH per_station (code, {keys}) AS (
    SELECT station_id,
           COUNT(*) FILTER (WHERE {in_register}),
           COUNT(*) FILTER (WHERE registered_on >= %(start)s),
           COUNT(*) FILTER (WHERE {employable}),
           COUNT(*) FILTER (WHERE {employable} AND employment_status IN ({employed})),
           0, 0, 0, 0, 0, 0, 0, 0::numeric, 0, 0, 0, 0
      FROM veterans_veteran WHERE registered_on <= %(end)s GROUP BY station_id
    UNION ALL
    SELECT station_id, 0, 0, 0, 0, 0, 0, 0, 0,
           COUNT(*) FILTER (WHERE kind = 'visit'),
           COUNT(*) FILTER (WHERE kind = 'consultation'),
           COUNT(*) FILTER (WHERE kind = 'aid'),
           COALESCE(SUM(aid_amount) FILTER (WHERE kind = 'aid'), 0),
           0, 0, 0, 0
      FROM services_servicerecord WHERE date BETWEEN %(start)s AND %(end)s GROUP BY station_id
    UNION ALL
    SELECT sm.hometown_station_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, COUNT(*), 0, 0, 0
      FROM honors_commendationdelivery d
      JOIN honors_merit m ON m.id = d.merit_id
      JOIN honors_servingmember sm ON sm.id = m.serving_member_id
     WHERE d.date BETWEEN %(start)s AND %(end)s GROUP BY sm.hometown_station_id
    UNION ALL
    SELECT station_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, COUNT(*), 0, 0
      FROM honors_award WHERE awarded_on BETWEEN %(start)s AND %(end)s GROUP BY station_id
    UNION ALL
    SELECT v.station_id, 0, 0, 0, 0, COUNT(*), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
      FROM employment_placement p JOIN veterans_veteran v ON v.id = p.veteran_id
     WHERE p.start_date BETWEEN %(start)s AND %(end)s GROUP BY v.station_id
    UNION ALL
    SELECT v.station_id, 0, 0, 0, 0, 0, COUNT(DISTINCT f.veteran_id), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
      FROM employment_venturefounder f
      JOIN employment_venture x ON x.id = f.venture_id
      JOIN veterans_veteran v ON v.id = f.veteran_id
     WHERE x.start_date BETWEEN %(start)s AND %(end)s GROUP BY v.station_id
    UNION ALL
    SELECT v.station_id, 0, 0, 0, 0, 0, 0,
           COUNT(*) FILTER (WHERE t.kind = 'school_enterprise'),
           COUNT(*) FILTER (WHERE t.kind = 'enterprise_training'),
           0, 0, 0, 0, 0, 0, 0, 0
      FROM employment_enrolment e
      JOIN employment_trainingprogramme t ON t.id = e.programme_id
      JOIN veterans_veteran v ON v.id = e.veteran_id
     WHERE e.completed AND e.completed_on BETWEEN %(start)s AND %(end)s
       AND t.kind IN ('school_enterprise', 'enterprise_training')
     GROUP BY v.station_id
    UNION ALL
    SELECT county_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, COUNT(*), 0
      FROM employment_jobposting
     WHERE (published_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN %(start)s AND %(end)s GROUP BY county_id
    UNION ALL
    SELECT COALESCE(v.station_id, a.stated_county_id), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, COUNT(*)
      FROM employment_application a LEFT JOIN veterans_veteran v ON v.id = a.veteran_id
     WHERE (a.created_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN %(start)s AND %(end)s
     GROUP BY COALESCE(v.station_id, a.stated_county_id)
)
SELECT target, {sums}
  FROM per_station
  CROSS JOIN LATERAL (
      SELECT DISTINCT t FROM (VALUES (rpad(left(code, 4), 12, '0')), (rpad(left(code, 6), 12, '0')),
                                     (rpad(left(code, 9), 12, '0')), (code)) AS prefixes (t)
  ) AS ancestors (target)
 GROUP BY target
"""


def hand_sql(month: date) -> tuple[str, dict]:
    start, end = stats.month_bounds(month)
    in_register = "(registered_on <= %(end)s AND (status = 'active' OR status_date > %(end)s))"
    employable = (
        f"({in_register} AND birth_date > %(oldest)s AND birth_date <= %(youngest)s"
        f" AND employment_status NOT IN ({', '.join(repr(str(s)) for s in NOT_IN_LABOUR_FORCE)}))"
    )
    sql = HAND_SQL.format(
        keys=", ".join(KEYS),
        in_register=in_register,
        employable=employable,
        employed=", ".join(repr(str(s)) for s in EMPLOYED_STATUSES),
        sums=", ".join(f"SUM({k})" for k in KEYS),
    )
    params = {
        "start": start,
        "end": end,
        "oldest": years_before(end, WORKING_AGE_LIMIT),
        "youngest": years_before(end, WORKING_AGE_MIN),
    }
    return sql, params


def run_sql(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def best(fn, repeat: int) -> tuple[float, list[float], object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), times, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", default="previous", help="YYYY-MM, previous (default) or current")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("This benchmark needs PostgreSQL (set DATABASE_URL).")
        return 2
    month = stats.parse_month(args.month)
    sql, params = hand_sql(month)

    counts = {
        "stations": Station.objects.filter(is_active=True).count(),
        "veterans": Veteran.objects.count(),
        "service_records": ServiceRecord.objects.count(),
    }
    # warm-up (caches, plans), then measure
    stats.compute_month(month)
    run_sql(sql, params)
    with CaptureQueriesContext(connection) as ctx:
        stats.compute_month(month)
    job_best, job_times, _ = best(lambda: stats.compute_month(month), args.repeat)
    sql_best, sql_times, rows = best(lambda: run_sql(sql, params), args.repeat)

    # the same figures? (the SQL has a row for every station that has any figure)
    stored = {s.station_id: s for s in MonthlyStatistic.objects.filter(month=month)}
    mismatches = 0
    for target, *values in rows:
        row = stored.get(target)
        if row is None:  # an inactive station: no row of its own
            continue
        for key, value in zip(KEYS, values, strict=True):
            if Decimal(value) != Decimal(getattr(row, key)):
                mismatches += 1
    ratio = job_best / sql_best if sql_best else float("inf")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, {connection.vendor}")
    print(f"data: {counts['stations']} active stations, {counts['veterans']} veterans, ")
    print(f"      {counts['service_records']} service records; month {month:%Y-%m}; {timezone.now():%Y-%m-%d}")
    print(f"job  compute_month: best {job_best:.3f} s  (runs {', '.join(f'{t:.3f}' for t in job_times)})")
    print(f"job  SQL queries per run: {len(ctx.captured_queries)} (independent of the number of stations)")
    print(f"SQL  one hand-written statement: best {sql_best:.3f} s  (runs {', '.join(f'{t:.3f}' for t in sql_times)})")
    print(f"SQL  rows (stations with figures, every tier): {len(rows)}")
    print(f"same figures: {'yes' if mismatches == 0 else f'NO, {mismatches} differences'}")
    print(
        f"ratio job / SQL: {ratio:.2f}×  (target ≤ 3×, median ratio {statistics.median(job_times) / statistics.median(sql_times):.2f}×)"
    )
    return 0 if mismatches == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
