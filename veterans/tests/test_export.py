"""Exports: jurisdiction, masking, formula escaping, the audit trail and the round trip."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.conf import settings
from openpyxl import load_workbook

from canghzou_portal.access import system_actor
from canghzou_portal.exports import escape_formula
from services.models import AuditEvent
from veterans.importing import REGISTRY, run_export, run_import
from veterans.importing.registry import HEADERS
from veterans.models import Veteran
from veterans.resources import VeteranResource
from veterans.tests.factories import VeteranFactory

pytestmark = pytest.mark.django_db
FULL_ID = re.compile(r"\d{17}[\dX]")


def _rows_xlsx(data: bytes) -> list[tuple]:
    wb = load_workbook(io.BytesIO(data), read_only=True)
    return list(wb.worksheets[0].iter_rows(values_only=True))


def _export(user, file_format="xlsx", **kw) -> bytes:
    out = io.BytesIO()
    run_export(user=user, out=out, file_format=file_format, **kw)
    return out.getvalue()


@pytest.fixture
def two_counties(world):
    mine = VeteranFactory(station=world["villageA1a"], name="王建国", skills='=HYPERLINK("http://x")')
    other = VeteranFactory(station=world["villageB1a"], name="李卫东")
    return mine, other


def test_setting_is_on():
    assert settings.IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT is True


def test_clerk_export_is_scoped_and_masked(two_counties, village_clerk):
    mine, other = two_counties
    rows = _rows_xlsx(_export(village_clerk))
    assert rows[0] == HEADERS
    assert len(rows) == 2
    record = dict(zip(HEADERS, rows[1], strict=True))
    assert record["姓名"] == "王建国"
    assert record["身份证号"] == mine.masked_id_number
    assert record["手机号码"] == mine.masked_phone
    assert record["服务站代码"] == mine.station_id
    assert not any(FULL_ID.search(str(v)) for r in rows for v in r if v)
    assert "李卫东" not in str(rows)
    event = AuditEvent.objects.get(action="veteran_export")
    assert event.detail["rows"] == 1 and event.detail["full_pii"] is False and len(event.detail["file_sha256"]) == 64


def test_csv_export_masked_too(two_counties, village_clerk):
    text = _export(village_clerk, "csv").decode("utf-8-sig")
    assert not FULL_ID.search(text)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(HEADERS) and len(rows) == 2


def test_other_subtree_sees_none_of_mine(two_counties, other_village_clerk):
    rows = _rows_xlsx(_export(other_village_clerk))
    assert [r[0] for r in rows[1:]] == ["李卫东"]


def test_full_numbers_only_with_the_permission(two_counties, city_bureau):
    mine, _ = two_counties
    assert city_bureau.has_perm("veterans.view_full_pii")
    rows = _rows_xlsx(_export(city_bureau))
    ids = {dict(zip(HEADERS, r, strict=True))["身份证号"] for r in rows[1:]}
    assert mine.id_number in ids and len(rows) == 3


def test_formula_like_cells_are_neutralised(world, village_clerk):
    VeteranFactory(
        station=world["villageA1a"],
        name="+张三",
        skills="=1+2",
        employer_name="@SUM(A1)",
        current_address="-2+3",
        household_address="\t=cmd",
    )
    rows = _rows_xlsx(_export(village_clerk))
    record = dict(zip(HEADERS, rows[1], strict=True))
    assert record["姓名"] == "'+张三"
    assert record["专业技能"] == "'=1+2"
    assert record["工作单位"] == "'@SUM(A1)"
    assert record["现居住地址"] == "'-2+3"
    assert record["户籍地址"] == "'\t=cmd"
    # the xlsx holds them as text cells, never as formulas
    raw = load_workbook(io.BytesIO(_export(village_clerk)))
    assert all(c.data_type != "f" for r in raw.worksheets[0].iter_rows() for c in r)
    text = _export(village_clerk, "csv").decode("utf-8-sig")
    assert ",'=1+2," in text and ",'+张三," in text.replace("\r\n", ",")


def test_escape_helper():
    assert escape_formula("=A1") == "'=A1"
    assert escape_formula("张三") == "张三"
    assert escape_formula(5) == 5


def test_resource_masks_unless_full(world):
    vet = VeteranFactory(station=world["villageA1a"])
    masked = VeteranResource(full_pii=False).export(Veteran.objects.all())
    full = VeteranResource(full_pii=True).export(Veteran.objects.all())
    assert masked.headers[:2] == ["姓名", "身份证号"]
    assert masked.dict[0]["身份证号"] == vet.masked_id_number
    assert full.dict[0]["身份证号"] == vet.id_number
    assert masked.dict[0]["服务站代码"] == vet.station_id
    assert masked.dict[0]["人员类别"] == "退役士兵"


def test_round_trip_through_the_command_line(world, tmp_path):
    from django.core.management import call_command

    VeteranFactory(
        station=world["villageA1a"],
        is_party_member=True,
        party_join_date=datetime.date(2001, 7, 1),
        disability_grade=6,
        care_category="disabled",
        skills="=危险内容",
        is_hardship=True,
        preferential_card_number="HB2025001",
        preferential_card_date=datetime.date(2025, 8, 1),
    )
    VeteranFactory.create_batch(5, station=world["villageB2b"], phone="")
    fields = [c for c in ("name", "id_number", "phone", "station_id", "birth_date", "gender", "ethnicity",
                          "household_address", "current_address", "service_branch", "enlistment_date",
                          "discharge_date", "last_rank", "category", "placement", "is_party_member",
                          "party_join_date", "education", "skills", "disability_grade", "care_category",
                          "is_hardship", "employment_status", "employer_name", "preferential_card_number",
                          "preferential_card_date", "status", "status_date", "registered_on")]  # fmt: skip
    before = sorted(tuple(getattr(v, f) for f in fields) for v in Veteran.objects.all())
    for suffix in ("xlsx", "csv"):
        out = tmp_path / f"all.{suffix}"
        call_command("export_veterans", str(out), stdout=io.StringIO())
        Veteran.history.all().delete()
        Veteran.objects.all().delete()  # "another database"
        with out.open("rb") as fh:
            report = run_import(
                schema=REGISTRY,
                file_obj=fh,
                filename=out.name,
                user=system_actor("import_veterans"),
                dry_run=False,
            )
        assert report.ok, report.as_text()
        after = sorted(tuple(getattr(v, f) for f in fields) for v in Veteran.objects.all())
        assert after == before


def test_export_command_station_subtree(world, tmp_path):
    from django.core.management import call_command

    VeteranFactory(station=world["villageA1a"])
    VeteranFactory(station=world["villageB1a"])
    out = tmp_path / "a.xlsx"
    stdout = io.StringIO()
    call_command("export_veterans", str(out), station=world["countyA"].code, stdout=stdout)
    assert "1名" in stdout.getvalue()
    rows = _rows_xlsx(out.read_bytes())
    assert len(rows) == 2 and FULL_ID.fullmatch(rows[1][1])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["out.txt"], ".xlsx 或 .csv"),
        (["/no/such/dir/out.xlsx"], "目录不存在"),
        (["{tmp}/o.xlsx", "--station", "12"], "12位"),
        (["{tmp}/o.xlsx", "--station", "130999999999"], "不存在"),
    ],
)
def test_export_command_bad_arguments(world, tmp_path, args, message):
    from django.core.management import CommandError, call_command

    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("export_veterans", *args)


def test_admin_export_with_bad_filters_exports_nothing(client_for, city_bureau):
    response = client_for(city_bureau).get("/admin/veterans/veteran/export/", {"registered_on__gte": "notadate"})
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="veteran_export").exists()
