"""Job-board load benchmark: /jobs/ (cache off and on) against a bare Django view.

Same gunicorn configuration for every run; load from wrk (Debian package, installed if missing
and we are root) with a Lua script rotating through a mix of pages, Chinese keywords and filters.

    DATABASE_URL=postgres://…/db_with_seed_demo_300k REDIS_URL=redis://127.0.0.1:6379/5 \
        .venv/bin/python bench/jobboard/run.py [--duration 20] [--connections 8] [--workers 2]

Prints a Markdown table (throughput, p50/p95/p99, ratios) and writes bench/jobboard/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
KEYWORDS = ["保安", "司机", "焊工", "仓储", "电工", "厨师", "物流", "沧州", "退役军人", "无人机", "维修", "叉车"]


def django_setup():
    sys.path[:0] = [str(ROOT), str(HERE)]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobboard_settings")
    import django

    django.setup()


def url_mix() -> list[str]:
    from employment.models import JobCategory, JobPosting
    from employment.selectors import county_choices

    counties = [code for code, _ in county_choices()]
    urls = [f"/jobs/?page={p}" if p > 1 else "/jobs/" for p in range(1, 11)]
    urls += ["/jobs/?" + urlencode({"q": k}) for k in KEYWORDS]
    urls += ["/jobs/?" + urlencode({"q": k, "page": 2}) for k in KEYWORDS[:4]]
    urls += ["/jobs/?" + urlencode({"county": c}) for c in counties[:10]]
    urls += ["/jobs/?" + urlencode({"category": c}) for c in list(JobCategory.values)[:8]]
    urls += ["/jobs/?min_salary=5000", "/jobs/?min_salary=8000", "/jobs/?partner=1", "/jobs/?partner=1&page=3"]
    urls += [
        "/jobs/?" + urlencode({"q": k, "county": c, "min_salary": 4000})
        for k, c in zip(KEYWORDS[:6], counties[:6], strict=False)
    ]
    urls += [
        f"/jobs/{pk}/" for pk in JobPosting.objects.public().order_by("-published_at").values_list("pk", flat=True)[:10]
    ]
    return urls


def lua_script(paths: list[str]) -> str:
    quoted = ",\n".join(json.dumps(p) for p in paths)
    return f"""
paths = {{ {quoted} }}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d errors=%d non2xx=%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() == 0:
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "wrk"],
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        return shutil.which("wrk")
    sys.exit("wrk is not installed: apt-get install wrk")


def start_gunicorn(port: int, workers: int, cache_seconds: int) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jobboard_settings", "JOB_BOARD_CACHE_SECONDS": str(cache_seconds)}
    cmd = [
        str(ROOT / ".venv/bin/gunicorn"), "canghzou_portal.wsgi:application",
        "--chdir", str(ROOT), "--pythonpath", f"{ROOT},{HERE}",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "sync",
        "--log-level", "warning", "--timeout", "60",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, start_new_session=True)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/bare/", timeout=1).read()  # noqa: S310
            return proc
        except OSError:
            time.sleep(0.2)
    stop(proc)
    sys.exit("gunicorn did not start")


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


def run_wrk(wrk: str, port: int, paths: list[str], duration: int, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(lua_script(paths))
    base = f"http://127.0.0.1:{port}"
    # warm-up (fills caches, opens pool connections), then the measured run
    subprocess.run([wrk, "-t2", f"-c{connections}", "-d3s", "-s", fh.name, base], capture_output=True, check=True)
    out = subprocess.run(
        [wrk, "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", fh.name, base],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    os.unlink(fh.name)
    m = dict(re.findall(r"(\w+)=(\d+)", out.split("RESULT", 1)[1]))
    m = {k: int(v) for k, v in m.items()}
    m["rps"] = m["requests"] / (m["duration_us"] / 1e6)
    return m


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    django_setup()
    from employment.models import JobPosting

    wrk = ensure_wrk()
    paths = url_mix()
    public = JobPosting.objects.public().count()
    total = JobPosting.objects.count()
    from django.core.cache import cache

    cache.clear()
    results = {}
    proc = start_gunicorn(args.port, args.workers, cache_seconds=0)
    try:
        results["bare"] = run_wrk(wrk, args.port, ["/bench/bare/"], args.duration, args.connections)
        results["board_uncached"] = run_wrk(wrk, args.port, paths, args.duration, args.connections)
    finally:
        stop(proc)
    proc = start_gunicorn(args.port, args.workers, cache_seconds=300)
    try:
        results["board_cached"] = run_wrk(wrk, args.port, paths, args.duration, args.connections)
    finally:
        stop(proc)
    meta = {
        "postings_total": total,
        "postings_public": public,
        "urls_in_mix": len(paths),
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "workers": args.workers,
        "connections": args.connections,
        "duration_s": args.duration,
    }
    (HERE / "results.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2))
    bare = results["bare"]["rps"]
    print(f"postings: {total} total, {public} public; {len(paths)} URLs in the mix")
    print("| run | req/s | ratio to bare | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        print(
            f"| {name} | {r['rps']:.0f} | {r['rps'] / bare:.0%} | {r['p50_us'] / 1000:.1f} | "
            f"{r['p95_us'] / 1000:.1f} | {r['p99_us'] / 1000:.1f} | {r['errors'] + r['non2xx']} |"
        )


if __name__ == "__main__":
    main()
