"""Clerk pages: /station/veterans/import/ (preview → confirm), its template and report, /export/."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from services.models import AuditEvent
from veterans.importing.registry import HEADERS
from veterans.models import Veteran
from veterans.tests.factories import VeteranFactory
from veterans.tests.io_helpers import csv_bytes, row, xlsx_bytes

pytestmark = pytest.mark.django_db
FULL_ID = re.compile(r"\d{17}[\dX]")
IMPORT = "/station/veterans/import/"
TEMPLATE = "/station/veterans/import/template/"
EXPORT = "/station/veterans/export/"


@pytest.fixture(autouse=True)
def _staging(settings, tmp_path):
    settings.PORTAL_IMPORT_STAGING_DIR = str(tmp_path / "staging")


def _upload(client, data: bytes, name="名单.xlsx"):
    return client.post(IMPORT, {"action": "preview", "file": SimpleUploadedFile(name, data)})


def test_urls_are_the_contract():
    assert reverse("veterans:import") == IMPORT
    assert reverse("veterans:import_template") == TEMPLATE
    assert reverse("veterans:export") == EXPORT


@pytest.mark.parametrize(
    "url", [IMPORT, TEMPLATE, EXPORT, "/station/veterans/import/report/abcdefghijklmnopqrstuvwxyz/"]
)
def test_login_required(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_roles_without_the_permission_are_refused(client_for, county_stats_viewer, auditor):
    for user in (county_stats_viewer, auditor):
        c = client_for(user)
        assert c.get(IMPORT).status_code == 403
        assert c.get(EXPORT).status_code == 403
        assert c.get(TEMPLATE).status_code == 403


def test_preview_then_confirm(client_for, village_clerk):
    c = client_for(village_clerk)
    assert "上传并预检" in c.get(IMPORT).content.decode()
    response = _upload(c, xlsx_bytes([row(1), row(2)]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "预检通过" in html and "确认导入 2 名退役军人" in html
    assert Veteran.objects.count() == 0
    token = response.context["token"]
    response = c.post(IMPORT, {"action": "confirm", "token": token})
    assert response.status_code == 302 and response["Location"] == reverse("veterans:list")
    assert Veteran.objects.count() == 2
    assert AuditEvent.objects.filter(action="veteran_import").count() == 2  # the preview and the import
    # the batch is spent
    assert c.post(IMPORT, {"action": "confirm", "token": token}).status_code == 404


def test_bad_file_shows_the_report_masked_and_offers_it_as_xlsx(client_for, village_clerk):
    c = client_for(village_clerk)
    bad = row(3, 服务站代码="130903001001")
    response = _upload(c, csv_bytes([row(1), row(2, 手机号码="13x"), bad]), name="名单.csv")
    html = response.content.decode()
    assert "导入失败" in html and "第3行" in html and "第4行" in html and "不在您的辖区范围内" in html
    assert "确认导入" not in html
    assert not FULL_ID.search(html)
    token = response.context["token"]
    report = c.get(f"/station/veterans/import/report/{token}/")
    assert report.status_code == 200
    assert report["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(report.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("行号", "列", "值", "原因") and len(rows) == 3
    # a report that failed cannot be confirmed
    assert c.post(IMPORT, {"action": "confirm", "token": token}).status_code == 404
    assert Veteran.objects.count() == 0


def test_another_user_cannot_use_my_batch(client_for, village_clerk, township_clerk):
    response = _upload(client_for(village_clerk), xlsx_bytes([row(1)]))
    token = response.context["token"]
    other = client_for(township_clerk)
    assert other.post(IMPORT, {"action": "confirm", "token": token}).status_code == 404
    assert other.get(f"/station/veterans/import/report/{token}/").status_code == 404
    assert other.post(IMPORT, {"action": "confirm", "token": "../../etc/passwd"}).status_code == 404
    assert Veteran.objects.count() == 0


def test_macro_file_refused_on_the_page(client_for, village_clerk):
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(xlsx_bytes([row(1)])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in src.infolist():
            z.writestr(info.filename, src.read(info.filename))
        z.writestr("xl/vbaProject.bin", b"macro")
    html = _upload(client_for(village_clerk), out.getvalue()).content.decode()
    assert "宏" in html and "确认导入" not in html


def test_template_download(client_for, village_clerk):
    response = client_for(village_clerk).get(TEMPLATE)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    assert next(wb.worksheets[0].iter_rows(values_only=True)) == HEADERS


def test_export_scoped_masked_and_filtered(world, client_for, village_clerk, other_village_clerk):
    mine = VeteranFactory(station=world["villageA1a"], status="active")
    VeteranFactory(station=world["villageA1a"], status="deceased")
    VeteranFactory(station=world["villageB1a"])
    response = client_for(village_clerk).get(EXPORT, {"status": "active"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == HEADERS and len(rows) == 2
    assert rows[1][1] == mine.masked_id_number
    assert not any(FULL_ID.search(str(v)) for r in rows for v in r if v)
    text = client_for(village_clerk).get(EXPORT, {"format": "csv"}).content.decode("utf-8-sig")
    assert text.count("\n") == 3 and not FULL_ID.search(text)
    other = client_for(other_village_clerk).get(EXPORT, {"format": "csv"}).content.decode("utf-8-sig")
    assert mine.name not in other and other.count("\n") == 2
    event = AuditEvent.objects.filter(action="veteran_export").first()
    assert event.detail["rows"] == 1 and event.username == "other_village_clerk"


def test_export_with_a_station_outside_the_subtree_ignores_it(world, client_for, village_clerk):
    VeteranFactory(station=world["villageA1a"])
    VeteranFactory(station=world["villageB1a"])
    text = client_for(village_clerk).get(EXPORT, {"format": "csv", "station": world["villageB1a"].code}).content
    assert text.decode("utf-8-sig").count("\n") == 2  # header + own veteran only
