"""Bounded loopback load test: the public job board and a clerk's pages together, while the
monthly statistics run happens. Goal: zero errors; figures go into docs/benchmarks.md.

    createdb … helper_bench (UTF-8, C.UTF-8 locale)
    DATABASE_URL=postgres://…/helper_bench .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://…/helper_bench .venv/bin/python manage.py seed_demo --veterans 20000
    DATABASE_URL=postgres://…/helper_bench .venv/bin/python bench/load_mixed.py [--seconds 30] [--clients 6] [--workers 2]

Starts gunicorn on 127.0.0.1 (local settings, DEBUG off), logs in a county clerk by creating a
session the normal way (Django's test client against the same database), then for ``--seconds``:
half the client threads browse the job board anonymously (list, search, page 2, a posting), the
other half browse the clerk's pages (dashboard, veteran list, a search, a veteran); meanwhile the
benchmark process runs ``services.stats.compute_month`` for last month back to back. Every answer
other than 200 counts as an error. Bounded: fixed threads, no think time, loopback only.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ["DJANGO_SETTINGS_MODULE"] = "load_mixed_settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.test import Client  # noqa: E402

from services import roles, stats  # noqa: E402
from services.models import Station, User  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clerk_session() -> tuple[str, list[int]]:
    """A session cookie of a county clerk, and some veteran ids in their county."""
    from veterans.models import Veteran

    county = Station.objects.filter(level="county").order_by("code").first()
    user, _ = User.objects.get_or_create(
        username="bench_clerk", defaults={"station": county, "full_name": "压测经办员", "is_staff": True}
    )
    user.groups.add(Group.objects.get(name=roles.ROLE_CLERK))
    client = Client()
    client.force_login(user)
    ids = list(Veteran.objects.for_user(user).values_list("pk", flat=True)[:200])
    return client.cookies[settings.SESSION_COOKIE_NAME].value, ids


def job_paths() -> list[str]:
    from employment.models import JobPosting

    ids = list(JobPosting.objects.public().values_list("pk", flat=True)[:100])
    paths = ["/jobs/", "/jobs/?q=" + quote("司机"), "/jobs/?page=2", "/stations/"]
    paths += [f"/jobs/{pk}/" for pk in ids[:20]]
    return paths


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {"job board": [], "clerk": []}
        self.errors: list[str] = []

    def add(self, kind: str, seconds: float, error: str | None):
        with self.lock:
            self.latencies[kind].append(seconds)
            if error:
                self.errors.append(error)


def worker(kind: str, port: int, paths: list[str], cookie: str | None, deadline: float, out: Stats, seed: int):
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": "127.0.0.1"}
    if cookie:
        headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={cookie}"
    while time.monotonic() < deadline:
        path = rng.choice(paths)
        started = time.perf_counter()
        error = None
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                error = f"{kind} {path} -> {response.status}"
        except Exception as exc:  # noqa: BLE001 - every failure counts
            error = f"{kind} {path} -> {exc!r}"
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        out.add(kind, time.perf_counter() - started, error)
    conn.close()


def stats_runs(deadline: float, durations: list[float], errors: list[str]):
    from django.db import connection

    month = (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            stats.compute_month(month)
            durations.append(time.perf_counter() - started)
        except Exception as exc:  # noqa: BLE001
            errors.append(f"statistics -> {exc!r}")
    connection.close()


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--clients", type=int, default=6, help="client threads (half job board, half clerk)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    args = parser.parse_args()

    cookie, veteran_ids = clerk_session()
    clerk_paths = [
        "/station/",
        "/station/veterans/",
        "/station/veterans/?q=" + quote("张"),
        "/station/veterans/?page=2",
    ]
    clerk_paths += [f"/station/veterans/{pk}/" for pk in veteran_ids[:20]]
    public_paths = job_paths()

    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "load_mixed_settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT)]),
    }
    server = subprocess.Popen(  # noqa: S603
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "canghzou_portal.wsgi",
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
                if c.getresponse().status in (200, 503):
                    break
            except OSError:
                time.sleep(0.2)
        # warm-up
        for path in public_paths[:3] + clerk_paths[:3]:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            c.request("GET", path, headers={"Host": "127.0.0.1", "Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"})
            c.getresponse().read()

        out = Stats()
        stat_durations: list[float] = []
        deadline = time.monotonic() + args.seconds
        threads = [threading.Thread(target=stats_runs, args=(deadline, stat_durations, out.errors))]
        for n in range(args.clients):
            kind = "job board" if n % 2 == 0 else "clerk"
            paths, ck = (public_paths, None) if kind == "job board" else (clerk_paths, cookie)
            threads.append(threading.Thread(target=worker, args=(kind, port, paths, ck, deadline, out, n)))
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    from veterans.models import Veteran

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
        f"{Veteran.objects.count()} veterans; gunicorn -w {args.workers}; {args.clients} client threads; "
        f"{elapsed:.0f} s"
    )
    for kind, values in out.latencies.items():
        print(
            f"{kind:10s} requests {len(values):6d}  {len(values) / elapsed:6.1f}/s  "
            f"p50 {pct(values, 0.5):6.0f} ms  p95 {pct(values, 0.95):6.0f} ms  max {pct(values, 1.0):6.0f} ms"
        )
    if stat_durations:
        print(f"statistics runs {len(stat_durations)}  median {statistics.median(stat_durations):.2f} s")
    print(f"errors: {len(out.errors)}")
    for e in out.errors[:20]:
        print("  ", e)
    return 1 if out.errors else 0


if __name__ == "__main__":
    sys.exit(main())
