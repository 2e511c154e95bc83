"""The import engine: all-or-nothing, the report, duplicates, jurisdiction, upload safety."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest

from canghzou_portal.access import system_actor
from services.models import AuditEvent, Station
from veterans.importing import REGISTRY, ImportReport, read_upload, run_import, template_workbook
from veterans.importing.registry import HEADERS
from veterans.models import Veteran
from veterans.tests.factories import VeteranFactory
from veterans.tests.io_helpers import csv_bytes, id_for, row, xlsx_bytes

pytestmark = pytest.mark.django_db


def _run(data: bytes, user, *, dry_run=False, filename="名单.xlsx") -> ImportReport:
    return run_import(schema=REGISTRY, file_obj=io.BytesIO(data), filename=filename, user=user, dry_run=dry_run)


def test_good_xlsx_imports_everything_with_history_and_derived_fields(village_clerk):
    rows = [row(i) for i in range(30)]
    report = _run(xlsx_bytes(rows), village_clerk)
    assert report.ok, report.as_text()
    assert report.created == 30 == Veteran.objects.count()
    vet = Veteran.objects.by_id_number(rows[3]["身份证号"]).get()
    assert vet.id_number == rows[3]["身份证号"]
    assert vet.phone == rows[3]["手机号码"]
    assert vet.birth_date == datetime.date(1960, 1, 1)
    assert vet.gender == "M"
    assert vet.name_initials
    assert vet.created_by == village_clerk
    assert vet.service_branch == "army" and vet.category == "soldier" and vet.employment_status == "employed"
    history = vet.history.get()
    assert history.history_type == "+" and history.history_user == village_clerk
    event = AuditEvent.objects.get(action="veteran_import")
    assert event.detail["rows"] == 30 and len(event.detail["file_sha256"]) == 64
    assert rows[3]["身份证号"] not in str(event.detail)


def test_csv_utf8_and_gbk(village_clerk):
    report = _run(csv_bytes([row(1), row(2)]), village_clerk, filename="a.csv")
    assert report.ok, report.as_text()
    assert report.file_format == "csv"
    report = _run(csv_bytes([row(3)], encoding="gbk"), village_clerk, filename="b.csv")
    assert report.ok, report.as_text()
    assert Veteran.objects.count() == 3


def test_dry_run_saves_nothing(village_clerk):
    report = _run(xlsx_bytes([row(i) for i in range(5)]), village_clerk, dry_run=True)
    assert report.ok and report.created == 0 and report.total_rows == 5
    assert "预检通过" in report.summary()
    assert Veteran.objects.count() == 0


def test_one_bad_row_near_the_end_of_5000_saves_nothing(village_clerk):
    rows = [row(i) for i in range(5000)]
    bad = rows[4990]["身份证号"]
    rows[4990]["身份证号"] = bad[:17] + ("0" if bad[17] != "0" else "1")
    report = _run(xlsx_bytes(rows), village_clerk)
    assert not report.ok
    assert Veteran.objects.count() == 0
    assert report.total_rows == 5000
    [error] = report.errors
    assert error.row == 4992  # header is row 1, first data row is 2
    assert error.column == "身份证号"
    assert error.value == bad[:6] + "********" + bad[14:17] + error.value[-1]
    assert bad[6:14] not in error.value  # masked
    assert "校验位" in error.reason
    assert "第4992行“身份证号”列" in report.as_text()
    assert AuditEvent.objects.get(action="veteran_import").result == "failure"


def test_every_bad_row_is_listed_with_column_and_reason(village_clerk):
    rows = [row(i) for i in range(6)]
    rows[1]["手机号码"] = "12345"
    rows[2]["退役时间"] = datetime.date(1970, 1, 1)
    rows[2]["入伍时间"] = datetime.date(1980, 1, 1)
    rows[3]["人员类别"] = "将军"
    rows[4]["入党时间"] = datetime.date(1961, 1, 1)
    rows[5]["姓名"] = ""
    rows[0]["入伍时间"] = "2001-13-45"
    report = _run(xlsx_bytes(rows), village_clerk)
    found = {(e.row, e.column) for e in report.errors}
    assert found == {(2, "入伍时间"), (3, "手机号码"), (4, "退役时间"), (5, "人员类别"), (6, "入党时间"), (7, "姓名")}
    reasons = {e.column: e.reason for e in report.errors}
    assert "不能早于入伍时间" in reasons["退役时间"]
    assert "18周岁" in reasons["入党时间"]
    assert "退役士兵" in reasons["人员类别"]
    assert "手机号码" in reasons["手机号码"]
    phone_error = next(e for e in report.errors if e.column == "手机号码")
    assert phone_error.value == "*****"
    assert report.bad_rows == [2, 3, 4, 5, 6, 7]
    assert Veteran.objects.count() == 0


def test_duplicate_inside_the_file_names_the_other_row(village_clerk):
    rows = [row(i) for i in range(4)]
    rows[3]["身份证号"] = rows[1]["身份证号"].lower()
    report = _run(xlsx_bytes(rows), village_clerk)
    [error] = report.errors
    assert (error.row, error.column) == (5, "身份证号")
    assert "与第3行的身份证号重复" in error.reason
    assert Veteran.objects.count() == 0


def test_duplicate_against_the_registry_names_the_holding_station_only(world, village_clerk):
    existing = VeteranFactory(station=world["villageB1a"], id_number=id_for(2))
    report = _run(xlsx_bytes([row(1), row(2)]), village_clerk)
    [error] = report.errors
    assert error.row == 3
    assert f"已在“{world['villageB1a'].name}”登记" in error.reason
    assert existing.name not in report.as_text()
    assert Veteran.objects.count() == 1


def test_out_of_jurisdiction_unknown_and_inactive_stations(world, village_clerk):
    Station.objects.filter(code="130902001002").update(is_active=False)
    rows = [
        row(1),
        row(2, station=world["villageB1a"].code),
        row(3, station="130902001999"),
        row(4, station="130902001002"),
        row(5, station="1309"),
    ]
    report = _run(xlsx_bytes(rows), village_clerk)
    reasons = {e.row: e.reason for e in report.errors}
    assert "不在您的辖区范围内" in reasons[3]
    assert "不存在" in reasons[4]
    assert "已停用" in reasons[5]
    assert "12位" in reasons[6]
    assert 2 not in reasons
    assert Veteran.objects.count() == 0


def test_county_clerk_reaches_villages_below(world, county_clerk):
    rows = [row(1, station=world["villageA1a"].code), row(2, station=world["villageA2b"].code)]
    assert _run(xlsx_bytes(rows), county_clerk).ok


def test_the_system_actor_reaches_the_city_only_when_explicit(world):
    rows = [row(1, station=world["villageB1a"].code)]
    with pytest.raises(ValueError):
        _run(xlsx_bytes(rows), None)
    report = _run(xlsx_bytes(rows), system_actor("import_veterans"))
    assert report.ok and report.created == 1
    event = AuditEvent.objects.get(action="veteran_import")
    assert (event.user, event.username, event.detail["actor"]) == (None, "系统:import_veterans", "system")


def test_user_without_station_reaches_nothing(world, make_user):
    from services import roles

    user = make_user(roles.ROLE_CLERK, None)
    report = _run(xlsx_bytes([row(1)]), user)
    assert not report.ok and "辖区" in report.errors[0].reason


def test_gender_and_birth_date_columns_must_agree_with_the_id(village_clerk):
    rows = [row(1, 性别="女"), row(2, 出生日期=datetime.date(1999, 1, 1)), row(3, 性别="男", 出生日期="1960-01-01")]
    report = _run(xlsx_bytes(rows), village_clerk)
    assert {(e.row, e.column) for e in report.errors} == {(2, "性别"), (3, "出生日期")}


def test_id_number_stored_as_number_is_refused(village_clerk):
    report = _run(xlsx_bytes([row(1, 身份证号=1.30902196001011e17)]), village_clerk)
    assert "文本格式" in report.errors[0].reason


def test_headers_checked(village_clerk):
    headers = [h for h in HEADERS if h != "人员类别"] + ["备注X"]
    report = _run(xlsx_bytes([row(1)], headers=headers), village_clerk)
    [error] = report.errors
    assert error.row == 0
    assert "人员类别" in error.reason and "备注X" in error.reason


def test_blank_lines_skipped_and_row_numbers_kept(village_clerk):
    rows = [row(1), {}, {}, row(2, 手机号码="1")]
    report = _run(xlsx_bytes(rows), village_clerk)
    assert report.total_rows == 2
    assert report.errors[0].row == 5


def test_formula_escape_is_undone_on_import(village_clerk):
    report = _run(xlsx_bytes([row(1, 专业技能="'=1+1", 姓名="'-张三")]), village_clerk)
    assert report.ok, report.as_text()
    vet = Veteran.objects.get()
    assert vet.skills == "=1+1" and vet.name == "-张三"


def test_template_has_the_headers_and_imports_empty(village_clerk):
    from openpyxl import load_workbook

    data = template_workbook(REGISTRY)
    wb = load_workbook(io.BytesIO(data), read_only=True)
    assert [c for c in next(wb.worksheets[0].iter_rows(values_only=True))] == list(HEADERS)
    report = _run(data, village_clerk)
    assert "没有数据行" in report.errors[0].reason


# --- upload safety ----------------------------------------------------------------------------
def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


def _with_part(xlsx: bytes, name: str, data: bytes, content_types_extra: bytes = b"") -> bytes:
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    parts[name] = data
    if content_types_extra:
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"</Types>", content_types_extra + b"</Types>"
        )
    return _zip(parts)


def test_macro_enabled_workbook_refused_whatever_its_name(village_clerk):
    good = xlsx_bytes([row(1)])
    xlsm = _with_part(good, "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"0" * 100)
    report = _run(xlsm, village_clerk, filename="名单.xlsx")
    assert "宏" in report.errors[0].reason and report.errors[0].row == 0
    typed = _with_part(
        good,
        "xl/x.xml",
        b"<x/>",
        b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/>',
    )
    assert "宏" in _run(typed, village_clerk).errors[0].reason
    assert Veteran.objects.count() == 0


def test_non_spreadsheets_refused(village_clerk):
    assert "xls" in _run(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, village_clerk).errors[0].reason
    assert "不是" in _run(b"\x89PNG\r\n\x1a\n\0\0\0", village_clerk).errors[0].reason
    assert "有效" in _run(_zip({"a.txt": b"hello"}), village_clerk).errors[0].reason
    assert "空" in _run(b"", village_clerk).errors[0].reason


def test_size_cap(village_clerk, settings):
    settings.PORTAL_IMPORT_MAX_BYTES = 1000
    report = _run(xlsx_bytes([row(i) for i in range(50)]), village_clerk)
    assert "大小上限" in report.errors[0].reason


def test_zip_bomb_refused(village_clerk):
    bomb = _with_part(xlsx_bytes([row(1)]), "xl/media/pad.bin", b"\0" * (20 * 1024 * 1024))
    assert "压缩炸弹" in _run(bomb, village_clerk).errors[0].reason


def test_xml_entities_refused(village_clerk):
    import openpyxl

    assert openpyxl.DEFUSEDXML is True
    good = xlsx_bytes([row(1)])
    src = zipfile.ZipFile(io.BytesIO(good))
    parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        + (sheet.split(b"?>", 1)[1] if sheet.startswith(b"<?xml") else sheet)
    )
    report = _run(_zip(parts), village_clerk)
    assert not report.ok and report.errors[0].row == 0
    assert "XML" in report.errors[0].reason
    assert Veteran.objects.count() == 0


def test_read_upload_decides_by_content():
    assert read_upload(io.BytesIO(csv_bytes([row(1)])), "x.xlsx")[1] == "csv"
    assert read_upload(io.BytesIO(xlsx_bytes([row(1)])), "x.csv")[1] == "xlsx"


def test_report_round_trips_through_a_dict(village_clerk):
    report = _run(xlsx_bytes([row(1, 手机号码="1")]), village_clerk)
    again = ImportReport.from_dict(report.to_dict())
    assert again.errors == report.errors and not again.ok
    assert again.error_workbook()[:2] == b"PK"


def test_dtd_behind_a_long_comment_is_still_refused(village_clerk):
    """The DTD check walks the whole prolog, not a fixed number of leading bytes."""
    good = xlsx_bytes([row(1)])
    src = zipfile.ZipFile(io.BytesIO(good))
    parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = (
        b'<?xml version="1.0"?><!--' + b"x" * 5000 + b'--><!DOCTYPE x [<!ENTITY a "aa">]>'
        + (sheet.split(b"?>", 1)[1] if sheet.startswith(b"<?xml") else sheet)
    )  # fmt: skip
    report = _run(_zip(parts), village_clerk)
    assert not report.ok and "XML" in report.errors[0].reason
    assert Veteran.objects.count() == 0


def test_reader_gives_what_openpyxl_reads_on_excel_style_files():
    """Shared and inline strings, escapes, dates, numbers, booleans, gaps and blank rows: the
    calamine reader returns openpyxl's values (empty cells as "", whole numbers as floats) under
    the row numbers Excel shows."""
    from openpyxl import Workbook, load_workbook

    from veterans import importing

    wb = Workbook()
    ws = wb.active
    ws.append(list(HEADERS))
    ws.append([row(1)[h] if h in row(1) else None for h in HEADERS])
    ws.cell(row=2, column=19, value="驾驶&维修 <A>")
    ws.cell(row=5, column=1, value="李四")
    ws.cell(row=5, column=2, value=12345)
    ws.cell(row=5, column=3, value=True)
    ws.cell(row=5, column=4, value=1.5)
    ws.cell(row=5, column=11, value=datetime.datetime(2001, 9, 1))
    out = io.BytesIO()
    wb.save(out)
    data = out.getvalue()

    def plain(value):
        if value is None:
            return ""
        if isinstance(value, datetime.datetime) and value.time() == datetime.time():
            return value.date()
        if isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        return value

    oracle = [
        (n, [plain(v) for v in values])
        for n, values in enumerate(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True), start=1)
        if any(v is not None for v in values)
    ]
    read = [(n, list(v)) for n, v in importing.reading.xlsx_rows(data) if any(x != "" for x in v)]
    trim = lambda v: v[: max((i + 1 for i, x in enumerate(v) if x != ""), default=0)]  # noqa: E731
    assert [(n, trim(v)) for n, v in read] == [(n, trim(v)) for n, v in oracle]
    assert [n for n, _v in read] == [1, 2, 5]


# --- large files: chunks checked by worker processes, streamed into COPY -----------------------
@pytest.fixture
def large_file_mode(monkeypatch, settings):
    """What a 100,000-row file gets, on a small one: chunks of 400 rows, two worker processes."""
    from veterans import importing

    monkeypatch.setattr(importing.registry, "CHUNK", 400)
    settings.PORTAL_IMPORT_PARALLEL_MIN_ROWS = 1000
    settings.PORTAL_IMPORT_WORKERS = 2


def test_large_file_mode_imports_everything_with_history(village_clerk, large_file_mode):
    rows = [row(i) for i in range(2000)]
    rows[7]["现居住地址"] = "河北省\t沧州市\\新华区\n建设北街“1号”"  # COPY's special characters
    report = _run(xlsx_bytes(rows), village_clerk)
    assert report.ok, report.as_text()
    assert report.workers == 2
    assert report.created == 2000 == Veteran.objects.count()
    vet = Veteran.objects.by_id_number(rows[7]["身份证号"]).get()
    assert vet.current_address == rows[7]["现居住地址"]
    assert (vet.phone, vet.name, vet.created_by) == (rows[7]["手机号码"], rows[7]["姓名"], village_clerk)
    assert vet.name_initials and len(vet.id_number_hash) == 64
    history = Veteran.history.filter(history_type="+")
    assert history.count() == 2000
    assert set(history.values_list("history_user", "history_change_reason").distinct()) == {
        (village_clerk.pk, "批量导入：名单.xlsx")
    }
    assert vet.history.get().current_address == rows[7]["现居住地址"]
    assert report.by_station == {"130902001001": 2000}


def test_large_file_mode_bad_row_in_the_last_chunk_saves_nothing(village_clerk, large_file_mode):
    rows = [row(i) for i in range(2000)]
    rows[1990]["手机号码"] = "1234"
    report = _run(xlsx_bytes(rows), village_clerk)
    assert report.workers == 2 and not report.ok
    [error] = report.errors
    assert (error.row, error.column) == (1992, "手机号码")
    assert Veteran.objects.count() == 0 and not Veteran.history.exists()


def test_large_file_mode_duplicates_across_chunks_and_against_the_registry(world, village_clerk, large_file_mode):
    VeteranFactory(station=world["villageB1a"], id_number=id_for(1700))
    rows = [row(i) for i in range(2000)]
    rows[1500]["身份证号"] = rows[10]["身份证号"]
    report = _run(xlsx_bytes(rows), village_clerk)
    assert not report.ok
    assert [(e.row, e.reason) for e in report.errors] == [
        (1502, "与第12行的身份证号重复"),
        (1702, f"该身份证号已在“{world['villageB1a'].name}”登记，不能重复登记"),
    ]
    assert Veteran.objects.count() == 1


def test_registry_duplicate_found_while_writing_rolls_everything_back(world, village_clerk, large_file_mode):
    """The write path leaves registry duplicates to the unique index; the report still names them."""
    VeteranFactory(station=world["villageB1a"], id_number=id_for(5))
    report = _run(xlsx_bytes([row(i) for i in range(1200)]), village_clerk)
    assert [(e.row, e.column) for e in report.errors] == [(7, "身份证号")]
    assert report.created == 0 and Veteran.objects.count() == 1


def test_control_characters_refused():
    """NUL cannot be stored in PostgreSQL text (a .csv with one is refused as a whole already)."""
    from veterans.importing import CellError, parse_cell
    from veterans.importing.registry import BY_FIELD

    with pytest.raises(CellError, match="控制字符"):
        parse_cell(BY_FIELD["skills"], "驾驶\x00维修")
    assert parse_cell(BY_FIELD["skills"], "驾驶\t维修") == "驾驶\t维修"
