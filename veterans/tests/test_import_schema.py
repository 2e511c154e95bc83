"""The engine with a schema of its own (the way other domains plug in their spreadsheets):
households by head name and station — cells, per-row rules, uniques within the file, checks
against the database, all-or-nothing write, audit, staging bound to the schema."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import RequestFactory
from openpyxl import Workbook

from canghzou_portal.scoping import user_can_reach_code
from services.models import AuditEvent
from veterans.importing import REGISTRY, CellError, Column, Row, Schema, parse_cell, run_import, template_workbook
from veterans.importing import reading as r
from veterans.importing.staging import confirm_staged, preview_upload
from veterans.models import Household

pytestmark = pytest.mark.django_db


class HouseholdSchema(Schema):
    key = "households"
    title = "家庭户"
    unit = "户"
    audit_action = "household_import"
    columns = (
        Column("户主姓名", "head_name", required=True, max_length=50),
        Column("服务站代码", "station", r.STATION, required=True),
        Column("家庭住址", "address", max_length=200),
        Column("人口", "size", r.INT),
    )
    unique = ("head_name",)

    def prepare(self, *, user, write):
        from services.models import Station

        return {s.code for s in Station.objects.all() if user_can_reach_code(user, s.code)}

    def check_row(self, row: Row, ctx):
        if row.values["station"] not in ctx:
            row.error("station", "服务站不在您的辖区范围内")
        if row.values.get("size") is not None and row.values["size"] < 1:
            row.error("size", "人口至少为1")
        return Household(
            head_name=row.values["head_name"], station_id=row.values["station"], address=row.values.get("address", "")
        )

    def check_batch(self, rows, ctx):
        taken = set(
            Household.objects.filter(head_name__in=[row.values["head_name"] for row in rows]).values_list(
                "head_name", flat=True
            )
        )
        for row in rows:
            if row.values["head_name"] in taken:
                row.error("head_name", "该户已登记")

    def write(self, prepared, ctx, *, user, reason):
        Household.objects.bulk_create(prepared)
        return len(prepared)


HOUSEHOLDS = HouseholdSchema()


def _xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["户主姓名", "服务站代码", "家庭住址", "人口"])
    for values in rows:
        ws.append(list(values))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _run(data, user, dry_run=False):
    return run_import(schema=HOUSEHOLDS, file_obj=io.BytesIO(data), filename="户.xlsx", user=user, dry_run=dry_run)


def test_a_good_file_is_written_whole_and_audited(world, village_clerk):
    report = _run(
        _xlsx([("刘光荣", "130902001001", "新华路1号", 4), ("孙远方", "130902001001", "", "")]), village_clerk
    )
    assert report.ok, report.as_text()
    assert report.created == 2 and report.summary() == "导入成功：共新增2户。"
    assert set(Household.objects.values_list("head_name", flat=True)) == {"刘光荣", "孙远方"}
    assert AuditEvent.objects.get(action="household_import").detail["created"] == 2


def test_one_bad_row_saves_nothing_and_every_problem_is_named(world, village_clerk):
    Household.objects.create(head_name="已登记", station=world["villageA1a"])
    rows = [
        ("刘光荣", "130902001001", "", 4),
        ("孙远方", "130903001001", "", 3),  # another county
        ("刘光荣", "130902001001", "", 2),  # twice in the file
        ("王五", "1309", "", 0),  # a bad code: the row's own rules (size) wait for good cells
        ("", "130902001001", "", "x"),
        ("已登记", "130902001001", "", 1),
    ]
    report = _run(_xlsx(rows), village_clerk)
    assert not report.ok and Household.objects.count() == 1
    assert [(e.row, e.column, e.reason) for e in report.errors] == [
        (3, "服务站代码", "服务站不在您的辖区范围内"),
        (4, "户主姓名", "与第2行的户主姓名重复"),
        (5, "服务站代码", "服务站代码应为12位数字的统计用区划代码"),
        (6, "户主姓名", "必填项，不能为空"),
        (6, "人口", "应为整数"),
        (7, "户主姓名", "该户已登记"),
    ]


def test_dry_run_checks_and_saves_nothing(world, village_clerk):
    report = _run(_xlsx([("刘光荣", "130902001001", "", 4)]), village_clerk, dry_run=True)
    assert report.ok and report.created == 0 and not Household.objects.exists()


def test_the_template_has_the_schemas_columns():
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(template_workbook(HOUSEHOLDS))).active
    assert sheet.title == "家庭户"
    assert [c.value for c in sheet[1]] == ["户主姓名", "服务站代码", "家庭住址", "人口"]


def test_staged_batches_belong_to_their_schema(world, village_clerk, settings, tmp_path):
    settings.PORTAL_IMPORT_STAGING_DIR = str(tmp_path / "staging")
    request = RequestFactory().post("/")
    request.user = village_clerk
    upload = SimpleUploadedFile("户.xlsx", _xlsx([("刘光荣", "130902001001", "", 4)]))
    report, token = preview_upload(request, upload, schema=HOUSEHOLDS)
    assert report.ok
    with pytest.raises(Http404):
        confirm_staged(request, token, schema=REGISTRY)
    assert confirm_staged(request, token, schema=HOUSEHOLDS).created == 1


@pytest.mark.parametrize(
    ("kind", "cell", "value"),
    [
        (r.INT, "12", 12),
        (r.INT, 3.0, 3),
        (r.DECIMAL, "38.30421", Decimal("38.30421")),
        (r.DECIMAL, "1,200.50", Decimal("1200.50")),
    ],
)
def test_number_cells(kind, cell, value):
    assert parse_cell(Column("数", "n", kind), cell) == value


def test_bad_number_cells():
    with pytest.raises(CellError, match="整数"):
        parse_cell(Column("数", "n", r.INT), "1.5")
    with pytest.raises(CellError, match="数字"):
        parse_cell(Column("数", "n", r.DECIMAL), "约三十")
    with pytest.raises(CellError, match="数字"):
        parse_cell(Column("数", "n", r.DECIMAL), "NaN")
