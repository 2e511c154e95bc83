"""Browser test: a county statistics viewer reads the monthly figures, drills down, exports."""

import io

import pytest
from openpyxl import load_workbook

from services import stats
from services.tests.stats_fixtures import MONTH, build_stats_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_viewer_reads_drills_down_and_exports(page, live_server, world, county_stats_viewer, login, screenshot):
    from conftest import PASSWORD

    build_stats_world(world)
    for back in range(12):
        stats.compute_month(stats.add_months(MONTH, -back))

    login(page, county_stats_viewer.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/station/")
    page.goto(f"{live_server.url}/station/stats/")
    assert page.locator("h1").inner_text().startswith("新华区退役军人服务中心")
    page.locator("#stats-trend canvas").first.wait_for(state="visible")
    assert page.locator("#stats-trend canvas").count() >= 1
    assert page.locator("#stats-cards").get_by_text("在册人数").is_visible()
    screenshot(page, "stats", readme=True)

    page.locator("#stats-children").get_by_role("link", name="新华区第1街道").click()
    page.wait_for_url("**/station/stats/?station=130902001000*")
    assert page.locator("h1").inner_text().startswith("新华区第1街道")
    assert page.locator("#stats-children").get_by_text("本级（直接登记）").is_visible()
    page.locator("#stats-trend canvas").first.wait_for(state="visible")

    with page.expect_download() as info:
        page.get_by_role("link", name="导出月报（xlsx）").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    assert "2026年10月" in download.suggested_filename
    ws = load_workbook(io.BytesIO(open(download.path(), "rb").read())).active  # noqa: SIM115
    names = [r[0] for r in ws.iter_rows(min_row=4, values_only=True) if r[0]]
    assert names[:4] == ["新华区1街道1社区", "新华区1街道2社区", "新华区第1街道（本级）", "合计"]
