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


def write_script(paths: list[str]) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(lua_script(paths))
    return fh.name


def run_wrk(wrk: str, port: int, script: str, duration: int, connections: int) -> dict:
    out = subprocess.run(
        [wrk, "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", script, f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    m = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", out.split("RESULT", 1)[1])}
    m["rps"] = m["requests"] / (m["duration_us"] / 1e6)
    return m


def median(values):
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def measure_pair(wrk, port, bare_script, board_script, args) -> tuple[dict, dict]:
    """Alternate bare and board rounds on the same server, so a change in the machine's load
    (it is shared) hits both sides alike; report the medians."""
    for script in (bare_script, board_script):  # warm-up: caches, pool connections
        run_wrk(wrk, port, script, 3, args.connections)
    rounds = {"bare": [], "board": []}
    for _ in range(args.rounds):
        rounds["bare"].append(run_wrk(wrk, port, bare_script, args.duration, args.connections))
        rounds["board"].append(run_wrk(wrk, port, board_script, args.duration, args.connections))
    ratios = [b["rps"] / a["rps"] for a, b in zip(rounds["bare"], rounds["board"], strict=True)]
    out = []
    for name in ("bare", "board"):
        runs = rounds[name]
        out.append(
            {
                "rps": median([r["rps"] for r in runs]),
                "p50_us": median([r["p50_us"] for r in runs]),
                "p95_us": median([r["p95_us"] for r in runs]),
                "p99_us": median([r["p99_us"] for r in runs]),
                "errors": sum(r["errors"] + r["non2xx"] for r in runs),
                "rounds_rps": [round(r["rps"]) for r in runs],
            }
        )
    out[1]["ratio"] = median(ratios)
    out[1]["round_ratios"] = [round(r, 3) for r in ratios]
    return out[0], out[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10, help="seconds per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
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
    bare_script, board_script = write_script(["/bench/bare/"]), write_script(paths)
    results = {}
    try:
        for label, seconds in (("uncached", 0), ("cached", 300)):
            proc = start_gunicorn(args.port, args.workers, cache_seconds=seconds)
            try:
                results[f"bare ({label} server)"], results[f"board {label}"] = measure_pair(
                    wrk, args.port, bare_script, board_script, args
                )
            finally:
                stop(proc)
    finally:
        os.unlink(bare_script)
        os.unlink(board_script)
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
        "rounds": args.rounds,
        "load_average_after": os.getloadavg(),
    }
    (HERE / "results.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2))
    print(f"postings: {total} total, {public} public; {len(paths)} URLs in the mix; {args.workers} workers")
    print(
        "| run | req/s (median) | ratio to bare (median of rounds) | p50 ms | p95 ms | p99 ms | errors | rounds req/s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for label in ("uncached", "cached"):
        for name in (f"bare ({label} server)", f"board {label}"):
            r = results[name]
            ratio = f"{r['ratio']:.0%} {[f'{x:.0%}' for x in r['round_ratios']]}" if "ratio" in r else "100%"
            print(
                f"| {name} | {r['rps']:.0f} | {ratio} | {r['p50_us'] / 1000:.1f} | "
                f"{r['p95_us'] / 1000:.1f} | {r['p99_us'] / 1000:.1f} | {r['errors']} | {r['rounds_rps']} |"
            )


if __name__ == "__main__":
    main()
