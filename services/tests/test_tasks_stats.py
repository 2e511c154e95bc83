"""The monthly statistics task, its lock, its fan-out, the command and a real worker on Redis."""

import threading
from contextlib import contextmanager

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from services import stats
from services.models import MonthlyStatistic
from services.tasks import compute_monthly_statistics, compute_monthly_statistics_fanout
from services.tests import stats_fixtures
from services.tests.stats_fixtures import EXPECTED, MONTH, row_values

pytestmark = pytest.mark.django_db
stats_world = stats_fixtures.stats_world  # fixture shared by the statistics tests


def _snapshot(month=MONTH):
    return {s.station_id: row_values(s) for s in MonthlyStatistic.objects.filter(month=month)}


@contextmanager
def lock_held_elsewhere():
    """Another run (another thread, its own database connection) holds the statistics lock."""
    taken, release, errors = threading.Event(), threading.Event(), []

    def hold():
        try:
            with stats.statistics_run_lock():
                taken.set()
                release.wait(20)
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)
            taken.set()
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert taken.wait(20)
    assert not errors, errors
    try:
        yield
    finally:
        release.set()
        thread.join(20)


def test_task_computes_the_month(stats_world):
    result = compute_monthly_statistics.delay(month="2026-10").get()
    assert result["status"] == "ok"
    assert result["month"] == "2026-10"
    assert result["stations"] == 14
    assert _snapshot()[stats_world["city"].code] == EXPECTED["city"]


@pytest.mark.parametrize("value", ["previous", "current"])
def test_task_accepts_beat_values(world, value):
    result = compute_monthly_statistics.delay(month=value).get()
    month = stats.parse_month(value)
    assert result["month"] == f"{month:%Y-%m}"
    assert MonthlyStatistic.objects.filter(month=month).count() == len(world)


def test_beat_schedule_uses_the_task():
    entries = {e["kwargs"]["month"]: e for e in settings.CELERY_BEAT_SCHEDULE.values() if "statistics" in e["task"]}
    assert set(entries) == {"previous", "current"}
    assert {e["task"] for e in entries.values()} == {compute_monthly_statistics.name}
    assert settings.CELERY_TASK_ACKS_LATE is True


def test_task_rejects_a_bad_month(world):
    with pytest.raises(ValueError, match="格式不正确"):
        compute_monthly_statistics.delay(month="2026-13").get()


@pytest.mark.django_db(transaction=True)
def test_second_run_reports_the_running_one(stats_world):
    stats.compute_month(MONTH, run_id="old")
    before = _snapshot()
    with lock_held_elsewhere():
        result = compute_monthly_statistics.delay(month="2026-10").get()
    assert result == {"status": "busy", "month": "2026-10", "message": "已有统计任务在运行"}
    assert _snapshot() == before
    assert set(MonthlyStatistic.objects.values_list("run_id", flat=True)) == {"old"}
    # the lock is free again
    assert compute_monthly_statistics.delay(month="2026-10").get()["status"] == "ok"


def test_failing_task_leaves_previous_rows(stats_world, settings):
    compute_monthly_statistics.delay(month="2026-10").get()
    before = _snapshot()
    settings.PORTAL_STATS_APPS = ("veterans", "services", "services.tests.stats_failing_provider")
    with pytest.raises(RuntimeError):
        compute_monthly_statistics.delay(month="2026-10").get()
    assert _snapshot() == before
    # and the lock was released by the failure
    settings.PORTAL_STATS_APPS = stats.STATS_APPS
    assert compute_monthly_statistics.delay(month="2026-10").get()["status"] == "ok"


def test_fanout_gives_the_same_rows(stats_world):
    compute_monthly_statistics.delay(month="2026-10").get()
    single = _snapshot()
    MonthlyStatistic.objects.all().delete()
    result = compute_monthly_statistics_fanout.delay(month="2026-10").get()
    assert result["status"] == "ok"
    assert result["partitions"] == 3  # two counties and the city station itself
    assert _snapshot() == single
    assert _snapshot()[stats_world["townshipA1"].code] == EXPECTED["townshipA1"]


def test_fanout_with_providers_without_subtree(stats_world, settings, tmp_path, monkeypatch):
    """A provider that does not accept ``subtree`` is asked for everything and filtered."""
    (tmp_path / "plainstats").mkdir()
    (tmp_path / "plainstats" / "__init__.py").write_text("")
    (tmp_path / "plainstats" / "services_stats.py").write_text(
        "from services.stats import monthly_metrics as full\n\n"
        "def monthly_metrics(*, month_start, month_end):\n"
        "    return full(month_start=month_start, month_end=month_end)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    settings.PORTAL_STATS_APPS = ("veterans", "plainstats.services_stats")
    stats.compute_month(MONTH)
    single = _snapshot()
    compute_monthly_statistics_fanout.delay(month="2026-10").get()
    assert _snapshot() == single
    assert single[stats_world["city"].code] == EXPECTED["city"]


# --- the command ----------------------------------------------------------------------------------
def test_command_runs_inline_and_prints_a_summary(stats_world, capsys):
    call_command("compute_monthly_stats", "--month", "2026-10")
    out = capsys.readouterr().out
    assert "2026-10 月度统计完成：14 个服务站" in out
    assert "在册人数：11" in out
    assert "帮扶援助金额（元）：1800.49" in out
    assert _snapshot()[stats_world["countyB"].code] == EXPECTED["countyB"]


@pytest.mark.parametrize("value", ["2026-13", "202610", "十月"])
def test_command_rejects_a_bad_month(world, value):
    with pytest.raises(CommandError, match="月份"):
        call_command("compute_monthly_stats", "--month", value)
    assert not MonthlyStatistic.objects.exists()


def test_command_async_enqueues(stats_world, capsys):
    call_command("compute_monthly_stats", "--month", "2026-10", "--async")
    assert "已提交 2026-10 月度统计任务" in capsys.readouterr().out
    assert MonthlyStatistic.objects.filter(month=MONTH).count() == 14  # eager in tests


def test_command_fanout(stats_world, capsys):
    call_command("compute_monthly_stats", "--month", "2026-10", "--fanout")
    assert "月度统计完成" in capsys.readouterr().out
    assert _snapshot()[stats_world["city"].code] == EXPECTED["city"]


@pytest.mark.django_db(transaction=True)
def test_command_reports_a_running_job(stats_world):
    with lock_held_elsewhere(), pytest.raises(CommandError, match="已有统计任务在运行"):
        call_command("compute_monthly_stats", "--month", "2026-10")


# --- a real worker on Redis (fixture real_celery in the root conftest) ---------------------------


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_task_on_a_real_worker(real_celery, stats_world):
    with start_worker(real_celery, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        result = compute_monthly_statistics.delay(month="2026-10")
        summary = result.get(timeout=60)
    assert summary["status"] == "ok"
    assert summary["run_id"] == result.id
    assert _snapshot() == {stats_world[k].code: v for k, v in EXPECTED.items()}
