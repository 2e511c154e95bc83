import datetime
import importlib
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from canghzou_portal import codes
from services import stats
from services.models import METRIC_KEYS, MonthlyStatistic, Station
from services.tests import stats_fixtures
from services.tests.stats_fixtures import EXPECTED, MONTH, row_values

pytestmark = pytest.mark.django_db
stats_world = stats_fixtures.stats_world  # fixture shared by the statistics tests


def _rows(month=MONTH):
    return {s.station_id: s for s in MonthlyStatistic.objects.filter(month=month)}


def test_every_metric_at_every_tier(stats_world):
    summary = stats.compute_month(MONTH, run_id="run-1")
    rows = _rows()
    # every active station has a row; the inactive village has none
    assert set(rows) == {stats_world[k].code for k in EXPECTED}
    assert summary["stations"] == len(EXPECTED) == 14
    for key, expected in EXPECTED.items():
        assert row_values(rows[stats_world[key].code]) == expected, key
    assert {r.run_id for r in rows.values()} == {"run-1"}
    assert summary["city"]["veterans_total"] == 11
    assert summary["city"]["service_aid_amount"] == "1800.49"


def test_other_months_are_separate(stats_world):
    stats.compute_month(datetime.date(2026, 11, 1))
    nov = _rows(datetime.date(2026, 11, 1))
    city = nov[stats_world["city"].code]
    # v7 registered 2026-11-02 (new); v4 moved out on 2026-11-10 (no longer 在册)
    assert city.veterans_new == 1
    assert city.veterans_total == 11 + 1 - 1
    assert city.service_aid_count == 1 and city.service_aid_amount == Decimal("200.00")
    assert not _rows()  # October untouched


def test_rerun_gives_identical_rows(stats_world):
    stats.compute_month(MONTH, run_id="first")
    first = {code: row_values(r) for code, r in _rows().items()}
    stats.compute_month(MONTH, run_id="second")
    second_rows = _rows()
    assert {code: row_values(r) for code, r in second_rows.items()} == first
    assert {r.run_id for r in second_rows.values()} == {"second"}
    assert MonthlyStatistic.objects.count() == len(first)


def test_failing_provider_leaves_previous_rows(stats_world, settings):
    stats.compute_month(MONTH, run_id="good")
    before = {code: (row_values(r), r.run_id, r.computed_at) for code, r in _rows().items()}
    settings.PORTAL_STATS_APPS = ("veterans", "services", "services.tests.stats_failing_provider")
    with pytest.raises(RuntimeError):
        stats.compute_month(MONTH, run_id="bad")
    after = {code: (row_values(r), r.run_id, r.computed_at) for code, r in _rows().items()}
    assert after == before


def test_failing_write_leaves_previous_rows(stats_world):
    """A failure after the delete (a row that cannot be stored) rolls the delete back too."""
    stats.compute_month(MONTH, run_id="good")
    before = {code: row_values(r) for code, r in _rows().items()}
    figures = stats.roll_up({}, stats.active_station_codes())
    figures[stats_world["villageB2a"].code]["veterans_total"] = -1  # breaks the CHECK constraint
    with pytest.raises(IntegrityError):
        with stats.statistics_run_lock():
            stats.write_month(MONTH, figures, run_id="bad")
    assert {code: row_values(r) for code, r in _rows().items()} == before


def test_missing_apps_are_skipped(stats_world, settings):
    settings.PORTAL_STATS_APPS = ("veterans", "services", "no_such_app", "canghzou_portal.codes")
    summary = stats.compute_month(MONTH)
    assert summary["providers"] == ["veterans", "services"]
    assert summary["skipped"] == ["no_such_app", "canghzou_portal.codes"]
    assert row_values(_rows()[stats_world["city"].code]) == EXPECTED["city"]


def test_default_apps_order_and_contract():
    assert stats.STATS_APPS == ("veterans", "services", "honors", "employment")
    found = stats.discover_providers()
    assert [p.name for p in found.found][:2] == ["veterans", "services"]
    assert [p.name for p in found.found] + found.skipped == list(stats.STATS_APPS)


def test_unknown_metric_key_is_refused(stats_world, settings, tmp_path, monkeypatch):
    module = tmp_path / "bad_stats_provider.py"
    module.write_text(
        "def monthly_metrics(*, month_start, month_end):\n    return {'130900000000': {'employment_rate': 5}}\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    settings.PORTAL_STATS_APPS = ("bad_stats_provider.x",)
    with pytest.raises(ValueError, match="employment_rate"):
        stats.collect_metrics(stats.Providers(found=[_provider("bad_stats_provider")]), MONTH)


def _provider(module_name):
    module = importlib.import_module(module_name)
    return stats.Provider(name=module_name, func=module.monthly_metrics, accepts_subtree=False)


def test_query_count_does_not_depend_on_station_count(stats_world):
    with CaptureQueriesContext(connection) as small:
        stats.compute_month(MONTH)
    township = stats_world["townshipB2"]
    Station.objects.bulk_create(
        Station(code=f"{township.code[:9]}{n:03d}", name=f"新村{n}", level=codes.VILLAGE, parent=township)
        for n in range(10, 30)
    )
    with CaptureQueriesContext(connection) as large:
        summary = stats.compute_month(MONTH)
    assert summary["stations"] == 14 + 20
    assert len(large.captured_queries) == len(small.captured_queries)
    # a few grouped queries per provider + stations + lock + delete + insert
    assert len(small.captured_queries) <= 20


@pytest.mark.parametrize(
    ("employed", "employable", "rate"),
    [(0, 0, "0.0"), (5, 7, "71.4"), (2, 3, "66.7"), (1, 8, "12.5"), (1, 16, "6.3"), (3, 3, "100.0")],
)
def test_employment_rate(employed, employable, rate):
    assert stats.employment_rate(employed, employable) == Decimal(rate)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-10", datetime.date(2026, 10, 1)),
        ("previous", datetime.date(2026, 2, 1)),
        ("current", datetime.date(2026, 3, 1)),
        (None, datetime.date(2026, 2, 1)),
        (datetime.date(2026, 5, 17), datetime.date(2026, 5, 1)),
    ],
)
def test_parse_month(value, expected):
    assert stats.parse_month(value, today=datetime.date(2026, 3, 15)) == expected


def test_parse_month_previous_across_year():
    assert stats.parse_month("previous", today=datetime.date(2027, 1, 1)) == datetime.date(2026, 12, 1)


@pytest.mark.parametrize("value", ["2026-13", "2026-1", "26-10", "2026/10", "abc", "2026-10-01", "1999-12"])
def test_parse_month_rejects(value):
    with pytest.raises(ValueError, match="月份"):
        stats.parse_month(value)


def test_roll_up_is_additive_and_derives_rate():
    raw = {
        "130902001001": {"veterans_employable": 2, "veterans_employed": 1, "service_aid_amount": Decimal("1.10")},
        "130902001000": {"veterans_employable": 2, "veterans_employed": 2, "service_aid_amount": Decimal("2.20")},
    }
    codes_ = ["130900000000", "130902000000", "130902001000", "130902001001"]
    result = stats.roll_up(raw, codes_)
    assert result["130902001001"]["employment_rate"] == Decimal("50.0")
    assert result["130902001000"]["veterans_employable"] == 4
    assert result["130900000000"]["service_aid_amount"] == Decimal("3.30")
    assert result["130900000000"]["employment_rate"] == Decimal("75.0")
    assert set(result["130900000000"]) == set(METRIC_KEYS)


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--month", "2099-05"], "晚于本月"), (["--month", "2026-13"], "格式不正确")],
)
def test_compute_command_refuses_bad_or_future_months(db, args, message):
    from django.core.management import CommandError, call_command

    from services.models import MonthlyStatistic

    with pytest.raises(CommandError, match=message):
        call_command("compute_monthly_stats", *args)
    assert not MonthlyStatistic.objects.exists()


def test_rotate_command_refuses_a_batch_size_below_one(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="正整数"):
        call_command("rotate_encryption_key", "--batch-size", "0")
