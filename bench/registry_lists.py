"""Benchmark: the registry's list pages at scale (admin change list and clerk list).

    DATABASE_URL=postgres://…/bench_db .venv/bin/python bench/registry_lists.py

On a database filled by ``seed_demo --veterans 300000``: for a city bureau user and a county
clerk, times the admin veteran change list and the clerk list (first page, a later page, a
filter, a name search) through Django's test client, and counts their SQL queries. Prints a
Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "canghzou_portal.settings.local")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from services import roles  # noqa: E402
from services.models import Station, User  # noqa: E402
from veterans.models import Veteran  # noqa: E402


def user(username: str, role: str, station: Station) -> User:
    account, _ = User.objects.get_or_create(username=username, defaults={"station": station, "is_staff": True})
    account.groups.set([Group.objects.get(name=role)])
    return account


def measure(client: Client, url: str, repeat: int = 7) -> tuple[float, int, int]:
    client.get(url)  # warm
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), len(queries.captured_queries), response.status_code


def main() -> None:
    total = Veteran.objects.count()
    city = Station.objects.get(level="city")
    county = Station.objects.get(code="130921000000")
    in_county = Veteran.objects.in_subtree(county.code).count()
    bureau = user("bench_bureau", roles.ROLE_BUREAU, city)
    clerk = user("bench_county_clerk", roles.ROLE_CLERK, county)
    name = Veteran.objects.in_subtree(county.code).values_list("name", flat=True).first()
    cases = [
        (bureau, "admin change list, page 1", "/admin/veterans/veteran/"),
        (bureau, "admin change list, page 50", "/admin/veterans/veteran/?p=49"),
        (bureau, "admin, filter employment status", "/admin/veterans/veteran/?employment_status__exact=unemployed"),
        (bureau, "admin, search by name", f"/admin/veterans/veteran/?q={name}"),
        (clerk, "clerk list, page 1", "/station/veterans/"),
        (clerk, "clerk list, page 20", "/station/veterans/?page=20"),
        (clerk, "clerk list, filter status", "/station/veterans/?status=active&employment_status=unemployed"),
        (clerk, "clerk list, search by name", f"/station/veterans/?q={name}"),
        (bureau, "clerk list as city bureau, page 1", "/station/veterans/"),
    ]
    print(f"veterans: {total:,} in all, {in_county:,} in 沧县 (the county clerk's subtree)\n")
    print("| page | user | median ms | SQL queries | status |")
    print("|---|---|---:|---:|---:|")
    for account, label, url in cases:
        client = Client()
        client.force_login(account)
        ms, queries, status = measure(client, url)
        who = "city bureau" if account == bureau else "county clerk"
        print(f"| {label} | {who} | {ms:.1f} | {queries} | {status} |")


if __name__ == "__main__":
    main()
