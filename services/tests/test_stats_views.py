"""/station/stats/, its xlsx export and the statistics admin: figures, jurisdiction, validation."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from services import roles, stats
from services.models import AuditEvent, MonthlyStatistic
from services.tests import stats_fixtures
from services.tests.stats_fixtures import MONTH

pytestmark = pytest.mark.django_db
stats_world = stats_fixtures.stats_world  # fixture shared by the statistics tests
URL = "/station/stats/"
EXPORT = "/station/stats/export/"


@pytest.fixture
def computed(stats_world):
    stats.compute_month(MONTH)
    stats.compute_month(stats.add_months(MONTH, -1))
    return stats_world


def test_county_viewer_sees_figures_children_and_trend(computed, county_stats_viewer, client_for):
    response = client_for(county_stats_viewer).get(URL, {"month": "2026-10"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "新华区退役军人服务中心 · 月度统计" in html
    assert [c["station"].code for c in response.context["children"]] == ["130902001000", "130902002000"]
    cards = dict(response.context["cards"])
    assert cards["在册人数"] == "8" and cards["就业率（%）"] == "60.0%" and cards["帮扶援助金额（元）"] == "1,700.50"
    trend = response.context["trend_data"]
    assert trend["months"][0] == "2025-11" and trend["months"][-1] == "2026-10"
    total = next(s for s in trend["series"] if s["key"] == "veterans_total")
    assert total["data"][-1] == 8 and total["data"][-2] is not None and total["data"][0] is None
    assert trend["rate"]["data"][-1] == 60.0
    assert 'id="stats-trend-data"' in html and "vendor/echarts/echarts.min.js" in html and "js/stats.js" in html
    assert "onclick" not in html and "onload" not in html


def test_default_month_is_the_latest_computed(computed, county_stats_viewer, client_for):
    response = client_for(county_stats_viewer).get(URL)
    assert response.context["month"] == MONTH


def test_drill_down_inside_the_subtree(computed, county_stats_viewer, client_for):
    client = client_for(county_stats_viewer)
    response = client.get(URL, {"station": "130902001000", "month": "2026-10"})
    assert response.status_code == 200
    assert [c["station"].code for c in response.context["children"]] == ["130902001001", "130902001002"]
    # the township records one veteran and an aid case itself: the 本级 row carries them
    own = response.context["own"]
    assert own is not None and own[0] == "1"
    village = client.get(URL, {"station": "130902001001", "month": "2026-10"})
    assert village.status_code == 200 and "本站为村级服务站" in village.content.decode()


@pytest.mark.parametrize("code", ["130903000000", "130903001001", "130900000000", "999999999999", "abc"])
def test_stations_outside_the_subtree_are_404(computed, county_stats_viewer, client_for, code):
    client = client_for(county_stats_viewer)
    assert client.get(URL, {"station": code}).status_code == 404
    assert client.get(EXPORT, {"station": code, "month": "2026-10"}).status_code == 404


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "10-2026", "abc", "2099-01"])
def test_bad_month_is_a_chinese_error(computed, county_stats_viewer, client_for, month):
    response = client_for(county_stats_viewer).get(URL, {"month": month})
    assert response.status_code == 400
    assert "统计月份" in response.content.decode()
    assert client_for(county_stats_viewer).get(EXPORT, {"month": month}).status_code == 400


def test_sorting_by_a_metric(computed, city_bureau, client_for):
    client = client_for(city_bureau)
    desc = client.get(URL, {"month": "2026-10", "sort": "-veterans_total"})
    assert [c["station"].code for c in desc.context["children"]] == ["130902000000", "130903000000"]
    asc = client.get(URL, {"month": "2026-10", "sort": "veterans_total"})
    assert [c["station"].code for c in asc.context["children"]] == ["130903000000", "130902000000"]
    sorted_col = next(c for c in asc.context["columns"] if c["key"] == "veterans_total")
    assert sorted_col["state"] == "asc" and "sort=-veterans_total" in sorted_col["url"]
    by_consultations = client.get(URL, {"month": "2026-10", "sort": "-service_consultations"})
    assert [c["station"].code for c in by_consultations.context["children"]] == ["130903000000", "130902000000"]


@pytest.mark.parametrize("sort", ["password", "-station__name", "veterans_total;drop"])
def test_bad_sort_is_refused(computed, city_bureau, client_for, sort):
    response = client_for(city_bureau).get(URL, {"month": "2026-10", "sort": sort})
    assert response.status_code == 400
    assert "排序字段" in response.content.decode()


def test_month_not_yet_computed(stats_world, county_stats_viewer, client_for):
    response = client_for(county_stats_viewer).get(URL, {"month": "2026-10"})
    assert response.status_code == 200
    assert "的统计尚未生成" in response.content.decode()
    assert client_for(county_stats_viewer).get(EXPORT, {"month": "2026-10"}).status_code == 404


@pytest.mark.parametrize("role", [roles.ROLE_CLERK, roles.ROLE_REVIEWER, roles.ROLE_BUREAU, roles.ROLE_STATS])
def test_business_roles_may_read(computed, make_user, client_for, role):
    user = make_user(role, computed["townshipA1"])
    assert client_for(user).get(URL, {"month": "2026-10"}).status_code == 200


@pytest.mark.parametrize("role", [roles.ROLE_AUDITOR, roles.ROLE_SYSADMIN, roles.ROLE_EMPLOYER, None])
def test_other_roles_are_refused(computed, make_user, client_for, role):
    user = make_user(role, computed["countyA"])
    assert client_for(user).get(URL).status_code == 403
    assert client_for(user).get(EXPORT, {"month": "2026-10"}).status_code == 403


def test_anonymous_goes_to_login(client):
    assert client.get(URL).status_code == 302
    assert client.get(EXPORT).status_code == 302


def test_constant_queries(computed, city_bureau, county_stats_viewer, client_for, django_assert_max_num_queries):
    counts = []
    # a city user drilling into a county (2 children) and a county user into a township
    for user, params in (
        (city_bureau, {"station": "130902000000"}),
        (county_stats_viewer, {"station": "130902001000"}),
    ):
        client = client_for(user)
        client.get(URL, {"month": "2026-10", **params})  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, {"month": "2026-10", **params}).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    client = client_for(city_bureau)
    client.get(URL, {"month": "2026-10"})
    with django_assert_max_num_queries(12):
        client.get(URL, {"month": "2026-10"})


def test_export_xlsx(computed, county_stats_viewer, client_for):
    response = client_for(county_stats_viewer).get(EXPORT, {"month": "2026-10"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "新华区退役军人服务中心 2026年10月 退役军人服务工作月报"
    header = rows[2]
    assert header[:4] == ["服务站", "区划代码", "层级", "在册人数"]
    body = {r[0]: dict(zip(header, r, strict=False)) for r in rows[3:] if r[0]}
    assert body["新华区第1街道"]["在册人数"] == 6
    assert body["新华区第2街道"]["在册人数"] == 2
    assert body["合计"]["在册人数"] == 8
    assert body["合计"]["就业率（%）"] == 60.0
    assert body["合计"]["帮扶援助金额（元）"] == 1700.5
    event = AuditEvent.objects.get(action="stats_export")
    assert event.username == county_stats_viewer.username
    assert event.detail["month"] == "2026-10"


def test_export_for_a_drill_down_station(computed, county_stats_viewer, client_for):
    response = client_for(county_stats_viewer).get(EXPORT, {"station": "130902001000", "month": "2026-10"})
    ws = load_workbook(io.BytesIO(response.content)).active
    names = [r[0] for r in ws.iter_rows(min_row=4, values_only=True) if r[0]]
    assert names[:4] == ["新华区1街道1社区", "新华区1街道2社区", "新华区第1街道（本级）", "合计"]


# --- admin ---------------------------------------------------------------------------------------
ADMIN = "/admin/services/monthlystatistic/"


def test_admin_list_is_read_only_and_scoped(computed, city_bureau, county_clerk, client_for):
    response = client_for(city_bureau).get(ADMIN, {"month": "2026-10", "station__level__exact": "county"})
    assert response.status_code == 200
    shown = {r.station_id for r in response.context["cl"].result_list}
    assert shown == {"130902000000", "130903000000"}
    assert not response.context["has_add_permission"]
    clerk = client_for(county_clerk).get(ADMIN, {"month": "2026-10"})
    assert clerk.status_code == 200
    assert {r.station_id[:6] for r in clerk.context["cl"].result_list} == {"130902"}


def test_admin_other_subtree_is_404(computed, county_clerk, client_for):
    other = MonthlyStatistic.objects.get(station_id="130903000000", month=MONTH)
    assert client_for(county_clerk).get(f"{ADMIN}{other.pk}/change/").status_code == 404
    own = MonthlyStatistic.objects.get(station_id="130902000000", month=MONTH)
    page = client_for(county_clerk).get(f"{ADMIN}{own.pk}/change/")
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert client_for(county_clerk).post(f"{ADMIN}{own.pk}/delete/").status_code == 403


def test_trend_chart_has_a_table_alternative(computed, county_stats_viewer, client_for):
    """The ECharts trend is a picture; the same twelve months are also a table (issue 23)."""
    html = client_for(county_stats_viewer).get(URL, {"month": "2026-10"}).content.decode()
    table = html[html.index('<details class="mb-4" id="stats-trend-table">') : html.index("</details>")]
    assert "趋势数据表" in table and "<caption" in table
    assert '<th scope="col">月份</th>' in table and '<th scope="col" class="text-end">就业率（%）</th>' in table
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th>', table)
    assert rows[0] == "2025年11月" and rows[-1] == "2026年10月" and len(rows) == 12
    last = table[table.index("2026年10月") :]
    assert '<td class="text-end">8</td>' in last and '<td class="text-end">60.0%</td>' in last
    assert 'aria-label="近12个月主要指标趋势图，数据见下方“趋势数据表”"' in html
