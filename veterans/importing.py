"""The one import/export engine of the registry (admin, clerk portal and management commands).

``run_import(file_obj=..., filename=..., user=..., dry_run=...)`` reads an .xlsx or .csv file in
the columns of ``veterans.resources.COLUMNS`` and returns an ``ImportReport``. It is
all-or-nothing: a file with a single bad row saves nothing, and the report lists every bad row.
Why not django-import-export's ``import_data``: row by row with ``full_clean`` it ran at a few
hundred rows per second here (STACK.md). This engine reads the sheet with python-calamine, checks
rows in chunks with the model's own rules (``Veteran.rule_errors``, ``parse_resident_id``,
``validate_mobile``) against stations read once, in worker processes for large files, and on
PostgreSQL streams the rows into one ``COPY`` while later rows are still being checked; every new
record gets its history row. docs/benchmarks.md has the figures.

Upload safety (``read_upload``): a size cap (``PORTAL_IMPORT_MAX_BYTES``), the type decided by the
content — a real .xlsx (zip with ``[Content_Types].xml`` and a workbook, no VBA project or
macro-enabled content type) or a UTF-8/GBK text file — a zip-bomb guard (total uncompressed size
and compression ratio), and no DTD or entity declaration in any XML part.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import gc
import hashlib
import io
import multiprocessing
import os
import re
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from psycopg.copy import QueuedLibpqWriter

from canghzou_portal.access import can_see_full_pii
from canghzou_portal.audit import audit
from canghzou_portal.crypto import EncryptedCharField, encrypt, mask_id_number, mask_phone
from canghzou_portal.scoping import scope_queryset, user_can_reach_code
from services.models import AuditEvent, Station

from . import choices
from .models import Veteran
from .resources import (
    BOOL,
    BY_FIELD,
    BY_HEADER,
    CHOICE,
    COLUMNS,
    DATE,
    DB_FIELDS,
    HEADERS,
    ID,
    INT_CHOICE,
    NO,
    PHONE,
    STATION,
    TEXT,
    YES,
    Column,
    export_cells,
    unescape_formula,
)

BATCH = 1000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# Zip-bomb guard: an .xlsx whose parts inflate beyond this, or far beyond their packed size, is refused.
MAX_UNZIPPED_BYTES = 400 * 1024 * 1024
MAX_RATIO = 200
MAX_ZIP_MEMBERS = 2000
MAX_ROWS = 500_000
MACRO_MARKERS = (b"macroenabled", b"vbaproject", b"vbadata", b"activex")
CODE_RE = re.compile(r"^\d{12}$")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S")
TRUE_WORDS = {YES, "Y", "y", "1", "true", "True", "TRUE", "√"}
FALSE_WORDS = {NO, "N", "n", "0", "false", "False", "FALSE", ""}
CONCURRENT_CLASH = "保存时发现身份证号已被他人同时登记，本次未保存任何数据，请重新导入"


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong type, too large, unsafe). Message in Chinese."""


# --- report -------------------------------------------------------------------------------
@dataclass
class RowError:
    row: int  # the row number Excel shows (the header is row 1); 0 = the file as a whole
    column: str
    value: str
    reason: str


@dataclass
class ImportReport:
    filename: str = ""
    dry_run: bool = False
    file_format: str = ""
    file_sha256: str = ""
    total_rows: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    by_station: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase: read, check, write
    workers: int = 1  # processes that checked the rows (large files: worker processes)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors if e.row})

    @property
    def valid_rows(self) -> int:
        return self.total_rows - len(self.bad_rows)

    def summary(self) -> str:
        if not self.ok:
            rows = len(self.bad_rows)
            head = f"导入失败：共{self.total_rows}行数据，"
            if rows:
                head += f"{rows}行有错误（共{len(self.errors)}处），"
            return head + "未保存任何数据。请修改后重新导入。"
        if self.dry_run:
            return f"预检通过：共{self.total_rows}行数据，全部可以导入（预检未保存任何数据）。"
        return f"导入成功：共新增{self.created}名退役军人。"

    def as_text(self, limit: int | None = None) -> str:
        lines = [self.summary()]
        errors = self.errors if limit is None else self.errors[:limit]
        for e in errors:
            where = f"第{e.row}行" if e.row else "文件"
            column = f"“{e.column}”列" if e.column else ""
            value = f"（值：{e.value}）" if e.value else ""
            lines.append(f"{where}{column}{value}：{e.reason}")
        if limit is not None and len(self.errors) > limit:
            lines.append(f"……另有{len(self.errors) - limit}处错误，请下载错误报告查看。")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["ok"] = self.ok
        return data

    @classmethod
    def from_dict(cls, data: dict) -> ImportReport:
        data = {k: v for k, v in data.items() if k != "ok"}
        data["errors"] = [RowError(**e) for e in data.get("errors", [])]
        data["warnings"] = [RowError(**e) for e in data.get("warnings", [])]
        return cls(**data)

    def error_workbook(self) -> bytes:
        """The error report as an .xlsx (row, column, value, reason); values are already masked."""
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("错误报告")
        ws.append(["行号", "列", "值", "原因"])
        for e in self.errors:
            ws.append([e.row or "文件", e.column, _safe_text(e.value), _safe_text(e.reason)])
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()


def _safe_text(value: str) -> str:
    from canghzou_portal.exports import escape_formula

    return escape_formula(value or "")


# --- reading the upload ---------------------------------------------------------------------
def read_upload(file_obj, filename: str = "") -> tuple[bytes, str]:
    """Read at most the size cap and decide the type from the content: ``("xlsx"|"csv")``."""
    cap = int(getattr(settings, "PORTAL_IMPORT_MAX_BYTES", 30 * 1024 * 1024))
    if hasattr(file_obj, "seek"):
        try:
            file_obj.seek(0)
        except (OSError, ValueError):
            pass
    data = file_obj.read(cap + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > cap:
        raise ImportFileError(f"文件超过大小上限（{cap / 1024 / 1024:.0f} MB），请拆分后分批导入")
    if not data.strip():
        raise ImportFileError("文件是空的")
    if data[:4] == b"PK\x03\x04":
        check_xlsx_package(data)
        return data, "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError("不支持旧版 .xls 或加密的工作簿，请在 Excel 中另存为 .xlsx（Excel 工作簿）后再导入")
    if b"\x00" in data[:65536]:
        raise ImportFileError("文件不是 .xlsx 工作簿，也不是 CSV 文本文件，无法导入")
    return data, "csv"


def check_xlsx_package(data: bytes) -> None:
    """Refuse anything but a plain, macro-free .xlsx whose parts inflate to a sane size."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError("文件已损坏或不是有效的 .xlsx 工作簿") from None
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/workbook") for n in names):
        raise ImportFileError("文件不是有效的 .xlsx 工作簿（缺少工作簿内容），请用 Excel 或 WPS 另存为 .xlsx")
    if len(infos) > MAX_ZIP_MEMBERS:
        raise ImportFileError("工作簿结构异常（包含的部件过多），拒绝导入")
    total = 0
    for info in infos:
        lower = info.filename.lower()
        if "vbaproject" in lower or lower.endswith((".bin",)) and "vba" in lower or "activex" in lower:
            raise ImportFileError("文件含有宏或控件（启用宏的工作簿，如 .xlsm），出于安全原因拒绝导入，请另存为 .xlsx")
        if info.flag_bits & 0x1:
            raise ImportFileError("工作簿已加密，请取消密码保护后再导入")
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ImportFileError("工作簿压缩比异常（疑似压缩炸弹），拒绝导入")
    if total > MAX_UNZIPPED_BYTES:
        raise ImportFileError("工作簿解压后过大（疑似压缩炸弹），请拆分后分批导入")
    content_types = archive.read("[Content_Types].xml").lower()
    if any(marker in content_types for marker in MACRO_MARKERS):
        raise ImportFileError("文件含有宏（启用宏的工作簿，如 .xlsm），出于安全原因拒绝导入，请另存为 .xlsx")
    # A DTD (and so any entity) can only sit in the prolog: look at the head of every XML part.
    # (calamine's XML reader does not expand declared entities either; this gives the clear message.)
    for info in infos:
        if info.filename.lower().endswith((".xml", ".rels", ".vml")):
            with archive.open(info) as part:
                unsafe = _declares_dtd(part.read(PROLOG_LIMIT))
            if unsafe:
                raise ImportFileError("工作簿含有不安全的 XML 声明（DTD/实体），拒绝导入")


PROLOG_LIMIT = 64 * 1024


def _declares_dtd(head: bytes) -> bool:
    """Whether an XML part declares a DTD (and so possibly entities). A DTD can only stand in the
    prolog, before the root element: walk the prolog (XML declaration, comments, processing
    instructions) and look. A prolog longer than ``PROLOG_LIMIT`` counts as unsafe."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode()
    head = head.removeprefix(b"\xef\xbb\xbf")
    pos, size = 0, len(head)
    while True:
        while pos < size and head[pos] in b" \t\r\n":
            pos += 1
        if head.startswith(b"<?", pos):
            end, skip = head.find(b"?>", pos), 2
        elif head.startswith(b"<!--", pos):
            end, skip = head.find(b"-->", pos), 3
        else:
            return head[pos : pos + 9].lower() == b"<!doctype" or (pos >= size and size >= PROLOG_LIMIT)
        if end < 0:
            return True
        pos = end + skip


def iter_table(data: bytes, file_format: str) -> tuple[list[str], Iterator[tuple[int, tuple]]]:
    """Headers and an iterator of ``(excel_row_number, values)``; blank lines are skipped."""
    rows = _xlsx_rows(data) if file_format == "xlsx" else _csv_rows(data)
    try:
        number, header_row = next(rows)
    except StopIteration:
        raise ImportFileError("文件中没有表头行（第1行应为列名）") from None
    if number != 1:
        raise ImportFileError("第1行应为表头（列名），请不要在表头上方插入标题或空行")
    headers = [_header_text(v) for v in header_row]
    while headers and not headers[-1]:
        headers.pop()

    def non_blank():
        for number, values in rows:
            if values and any(v not in (None, "") and not (isinstance(v, str) and not v.strip()) for v in values):
                yield number, values

    return headers, non_blank()


def _header_text(value) -> str:
    text = "" if value is None else str(value).strip()
    text = text.replace("*", "").replace("（必填）", "").replace("(必填)", "").strip()
    return text


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list]]:
    """Rows of the first sheet, read by python-calamine (Rust): numbered as Excel shows them,
    empty cells as ``""``, dates as dates. The package was checked first (``check_xlsx_package``:
    no macros, no DTD or entity in any part, no zip bomb)."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not book.sheet_names:
            raise ImportFileError("工作簿中没有工作表")
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except ImportFileError:
        raise
    except Exception:  # noqa: BLE001 - calamine raises its own kinds on a malformed package
        raise ImportFileError("无法读取该 .xlsx 工作簿，文件可能已损坏") from None
    return enumerate(rows, start=1)


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError("CSV 文件编码无法识别，请另存为 UTF-8 或 GBK 编码")
    try:
        yield from enumerate(csv.reader(io.StringIO(text, newline="")), start=1)
    except csv.Error:
        raise ImportFileError("CSV 文件格式有误，无法解析") from None


# --- cells -----------------------------------------------------------------------------------
class CellError(Exception):
    pass


def _choices_hint(col: Column) -> str:
    labels = [label for _v, label in col.choices]
    if len(labels) > 10:
        return "、".join(labels[:8]) + "等"
    return "、".join(labels)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _display(col: Column, value) -> str:
    """A cell value as shown in a report: ID and phone numbers masked."""
    text = _text(value)
    if col.kind == ID:
        return mask_id_number(text.upper())
    if col.kind == PHONE:
        return mask_phone(text)
    return text[:100]


def _parse_date(value) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # an Excel serial date left as a number
            from openpyxl.utils.datetime import from_excel

            return from_excel(value).date()
        raise CellError("不是有效日期，请用“YYYY-MM-DD”格式")
    text = str(value).strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise CellError("不是有效日期，请用“YYYY-MM-DD”格式，如 2001-09-01")


def _label_maps() -> dict[str, dict[str, object]]:
    maps = {}
    for col in COLUMNS:
        if col.choices:
            m: dict[str, object] = {}
            for value, label in col.choices:
                m[str(value)] = value
                m[label] = value
            maps[col.field] = m
    # Common spellings of the disability grades.
    grades = maps["disability_grade"]
    for value, label in choices.DisabilityGrade.choices:
        grades[f"{value}级"] = value
        grades[f"{label}"] = value
    return maps


_LABELS = _label_maps()
_EMPTY = {DATE: None, BOOL: False, INT_CHOICE: None}


def parse_cell(col: Column, value):
    """The model value of one cell; raises CellError with a Chinese reason."""
    kind = col.kind
    if value is None:  # fast paths: empty cells and exact labels are most cells
        return _EMPTY.get(kind, "")
    if kind == CHOICE and type(value) is str:
        mapped = _LABELS[col.field].get(value)
        if mapped is not None:
            return mapped
    if kind == DATE:
        return _parse_date(value)
    if col.kind == BOOL:
        text = _text(value)
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise CellError("请填写“是”或“否”")
    if col.kind == ID and isinstance(value, float):
        raise CellError("身份证号被存成了数字，后几位已丢失，请把该列设为文本格式后重新填写")
    text = _text(value)
    if col.kind == TEXT:
        if "\x00" in text:
            raise CellError("含有无法保存的控制字符，请删除后重新填写")
        text = unescape_formula(text)
        if col.max_length and len(text) > col.max_length:
            raise CellError(f"不能超过{col.max_length}个字")
        return text
    if col.kind in (ID, PHONE):
        return text
    if col.kind == STATION:
        if not CODE_RE.match(text):
            raise CellError("服务站代码应为12位数字的统计用区划代码")
        return text
    if not text:
        return None if col.kind == INT_CHOICE else ""
    mapped = _LABELS[col.field].get(text)
    if mapped is None:
        raise CellError(f"不是有效的选项，可填：{_choices_hint(col)}")
    return mapped


# --- the import ------------------------------------------------------------------------------
FIELD_DEFAULTS = {
    "ethnicity": "汉族",
    "care_category": choices.CareCategory.NONE,
    "employment_status": choices.EmploymentStatus.UNEMPLOYED,
    "status": choices.RegistryStatus.ACTIVE,
}
CHECK_ONLY = ("gender", "birth_date")  # derived from the ID number; if filled in they must agree
# (attname, default) of every concrete field, in the model's order (positional construction).
_FIELD_DEFAULTS = tuple((f.attname, f.get_default()) for f in Veteran._meta.concrete_fields)


@dataclass
class _Context:
    """What checking a row needs, fixed before the rows are read (no database access per row)."""

    columns: list[tuple[int, Column]]  # (position in the file, column)
    today: datetime.date
    created_by_id: int | None
    stations: dict[str, str]  # code -> "" when rows may be registered there, else the reason
    encode: bool  # also produce the COPY text of the rows (PostgreSQL write)
    keep: bool  # also keep the Veteran instances (write on other databases)
    now: datetime.datetime | None = None
    ids: list[int] | None = None  # primary keys drawn for the rows (COPY write), by row position
    workers: int = 1


@dataclass
class _Chunk:
    """The outcome of checking a run of rows."""

    errors: list[RowError] = field(default_factory=list)
    keys: list[tuple[str, int, str]] = field(default_factory=list)  # (ID blind index, row, masked ID)
    by_station: dict[str, int] = field(default_factory=dict)
    copy_text: bytes = b""
    ids: list[int] = field(default_factory=list)
    veterans: list[Veteran] = field(default_factory=list)


def run_import(
    *,
    file_obj,
    filename: str,
    user,
    dry_run: bool,
    full_access: bool = False,
    request=None,
) -> ImportReport:
    """Validate the whole file; if every row is good and not ``dry_run``, save all of it at once.

    ``user`` is the importer: rows must lie in their jurisdiction. ``full_access=True`` (the
    management command, run by the bureau) lifts the jurisdiction check; it requires ``user=None``
    to be explicit. Every call is written to the audit trail.
    """
    if user is None and not full_access:
        raise ValueError("run_import needs a user, or full_access=True for the command line")
    started = time.perf_counter()
    report = ImportReport(filename=filename, dry_run=dry_run)
    with _gc_paused():
        try:
            data, report.file_format = read_upload(file_obj, filename)
            report.file_sha256 = hashlib.sha256(data).hexdigest()
            headers, row_iter = iter_table(data, report.file_format)
            del data
            columns = _map_headers(headers)
            rows = []
            for item in row_iter:
                rows.append(item)
                if len(rows) > MAX_ROWS:
                    raise ImportFileError(f"一次最多导入{MAX_ROWS}行，请拆分后分批导入")
            if not rows:
                raise ImportFileError("文件中没有数据行（表头以下为空）")
            report.total_rows = len(rows)
            report.timings["read"] = round(time.perf_counter() - started, 3)
            ctx = _context(columns, user=user, full_access=full_access, write=not dry_run)
            _check_and_write(rows, ctx, report, user=user, reason=f"批量导入：{filename}"[:100])
        except ImportFileError as exc:
            report.errors.append(RowError(0, "", "", str(exc)))
        report.errors.sort(key=lambda e: (e.row, _column_order(e.column)))
    report.seconds = round(time.perf_counter() - started, 3)
    audit(
        "veteran_import",
        request=request,
        user=user,
        result=AuditEvent.Result.SUCCESS if report.ok else AuditEvent.Result.FAILURE,
        rows=report.total_rows,
        created=report.created,
        errors=len(report.errors),
        dry_run=dry_run,
        file_sha256=report.file_sha256,
        filename=filename[:200],
        command_line=full_access,
    )
    return report


@contextlib.contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector: a 100,000-row file allocates millions of objects and the
    collector's repeated full passes over them cost more than the import itself."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _column_order(header: str) -> int:
    return HEADERS.index(header) if header in HEADERS else -1


def _map_headers(headers: list[str]) -> list[Column | None]:
    problems = []
    seen = set()
    columns: list[Column | None] = []
    for header in headers:
        if not header:
            columns.append(None)
            continue
        col = BY_HEADER.get(header)
        if col is None:
            problems.append(f"无法识别的列“{header}”")
        elif header in seen:
            problems.append(f"列“{header}”出现了两次")
        seen.add(header)
        columns.append(col)
    missing = [c.header for c in COLUMNS if c.required and c.header not in seen]
    if missing:
        problems.append("缺少必填列：" + "、".join(f"“{m}”" for m in missing))
    if problems:
        raise ImportFileError("表头有误：" + "；".join(problems) + "。请使用导入模板的列名（第1行）")
    return columns


def _context(columns: list[Column | None], *, user, full_access: bool, write: bool) -> _Context:
    """Everything the row checks need, read once: every station (6,000-odd rows) with the verdict
    for this importer, so that no row needs a query and the checks can run in other processes."""
    stations = {}
    for code, name, active in Station.objects.values_list("code", "name", "is_active"):
        if not active:
            stations[code] = f"服务站“{name}”已停用，不能登记"
        elif not full_access and not user_can_reach_code(user, code):
            stations[code] = f"服务站“{name}”不在您的辖区范围内"
        else:
            stations[code] = ""
    postgres = connection.vendor == "postgresql"
    return _Context(
        columns=[(i, col) for i, col in enumerate(columns) if col is not None],
        today=timezone.localdate(),
        created_by_id=getattr(user, "pk", None),
        stations=stations,
        encode=write and postgres,
        keep=write and not postgres,
        now=timezone.now(),
    )


def _check_and_write(rows: list, ctx: _Context, report: ImportReport, *, user, reason: str) -> None:
    """Check every row; write them all (one transaction) only if none is bad.

    On PostgreSQL the rows stream into one ``COPY`` while later rows are still being checked
    (by worker processes for large files), so the database's work overlaps Python's. A row that
    turns out bad stops the writing and the transaction is rolled back. Duplicates of registered
    ID numbers are left to the unique index on this path (the common case has none); when it
    fires, or whenever the report is not clean, one lookup names the stations that hold them.
    """
    checked_at = time.perf_counter()
    seen: dict[str, int] = {}  # ID blind index -> first row
    keys: list[tuple[str, int, str]] = []
    veterans: list[Veteran] = []

    def merge(chunk: _Chunk) -> None:
        report.errors.extend(chunk.errors)
        for key in chunk.keys:
            first = seen.setdefault(key[0], key[1])
            if first != key[1]:  # chunks arrive in file order: ``first`` is the earlier row
                report.errors.append(RowError(key[1], "身份证号", key[2], f"与第{first}行的身份证号重复"))
        keys.extend(chunk.keys)
        for code, n in chunk.by_station.items():
            report.by_station[code] = report.by_station.get(code, 0) + n
        veterans.extend(chunk.veterans)

    clash = False
    if ctx.encode:
        try:
            with transaction.atomic(), connection.wrap_database_errors, connection.cursor() as cursor:
                raw = cursor.cursor
                ctx.ids = _draw_ids(raw, len(rows))
                with raw.copy(_COPY_SQL, writer=QueuedLibpqWriter(raw)) as copy:
                    for chunk in _checked_chunks(rows, ctx):
                        merge(chunk)
                        if report.ok:
                            copy.write(chunk.copy_text)
                    if not report.ok:
                        raise _Abandon
                report.timings["check"] = round(time.perf_counter() - checked_at, 3)
                _insert_history(raw, ctx.ids, user_id=ctx.created_by_id, reason=reason, now=ctx.now)
                report.created = len(rows)
        except _Abandon:
            pass
        except IntegrityError:
            clash = True
            report.created = 0
        report.workers = ctx.workers
        if report.ok and not clash:
            report.timings["write"] = round(time.perf_counter() - checked_at - report.timings["check"], 3)
            return
    else:
        for chunk in _checked_chunks(rows, ctx):
            merge(chunk)
        report.timings["check"] = round(time.perf_counter() - checked_at, 3)
    report.workers = ctx.workers
    written_at = time.perf_counter()
    holders = _registered(keys)
    if clash and not holders:
        report.errors.append(RowError(0, "", "", CONCURRENT_CLASH))
    report.errors.extend(holders)
    if report.ok and ctx.keep:
        try:
            report.created = bulk_insert_with_history(veterans, user=user, reason=reason)
            report.timings["write"] = round(time.perf_counter() - written_at, 3)
        except IntegrityError:
            report.errors.append(RowError(0, "", "", CONCURRENT_CLASH))


class _Abandon(Exception):
    """A bad row was found after writing began: roll the import back."""


def _registered(keys: list[tuple[str, int, str]]) -> list[RowError]:
    """Rows whose ID number is already in the registry, naming the station that holds it."""
    errors = []
    for start in range(0, len(keys), 5000):
        batch = keys[start : start + 5000]
        holders = dict(
            Veteran.objects.filter(id_number_hash__in={k[0] for k in batch}).values_list(
                "id_number_hash", "station__name"
            )
        )
        if holders:
            for key, row, shown in batch:
                if key in holders:
                    errors.append(RowError(row, "身份证号", shown, f"该身份证号已在“{holders[key]}”登记，不能重复登记"))
    return errors


# Rows are checked in chunks; files from PORTAL_IMPORT_PARALLEL_MIN_ROWS rows on by worker processes.
CHUNK = 5000


def _checked_chunks(rows: list, ctx: _Context) -> Iterator[_Chunk]:
    """Check ``rows`` chunk by chunk, in order: in this process, or for a large file in worker
    processes forked from it (they inherit ``rows`` and ``ctx`` and touch no database; the COPY
    text of each chunk comes back to this process, which alone talks to PostgreSQL)."""
    bounds = [(start, min(start + CHUNK, len(rows))) for start in range(0, len(rows), CHUNK)]
    workers = _worker_count(len(rows), ctx)
    ctx.workers = workers
    if workers < 2:
        for start, stop in bounds:
            yield _check_rows(rows, start, stop, ctx)
        return
    # Forked workers inherit ``rows`` and ``ctx`` through the initializer's arguments (fork copies
    # them; nothing is pickled on the way in); only each chunk's outcome is sent back.
    pool = ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("fork"), initializer=_set_worker_input, initargs=(rows, ctx)
    )
    try:
        futures = [pool.submit(_check_rows_in_worker, start, stop) for start, stop in bounds]
        for future in futures:
            yield future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


_WORKER_INPUT: tuple | None = None  # set in worker processes only


def _set_worker_input(rows: list, ctx: _Context) -> None:
    global _WORKER_INPUT
    _WORKER_INPUT = (rows, ctx)


def _worker_count(rows: int, ctx: _Context) -> int:
    if ctx.keep or rows < settings.PORTAL_IMPORT_PARALLEL_MIN_ROWS:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return settings.PORTAL_IMPORT_WORKERS or os.cpu_count() or 1


def _check_rows_in_worker(start: int, stop: int) -> _Chunk:
    rows, ctx = _WORKER_INPUT
    return _check_rows(rows, start, stop, ctx)


_SLOT = {attname: i for i, (attname, _d) in enumerate(_FIELD_DEFAULTS)}  # attname -> position in Veteran(*args)
_DEFAULT_SLOTS = tuple((_SLOT[name], default) for name, default in FIELD_DEFAULTS.items())


def _check_rows(rows: list, start: int, stop: int, ctx: _Context) -> _Chunk:
    """Check rows ``start:stop``: every cell, every rule of ``Veteran.rule_errors``, the station,
    duplicates within the run; prepare the rows for writing if all of them are good."""
    out = _Chunk()
    errors = out.errors
    first_row_of: dict[str, int] = {}
    lines: list[str] = []
    id_col = BY_FIELD["id_number"]
    station_col = BY_FIELD["station"]
    by_station = out.by_station
    # Each cell: (position in the file, column, position in Veteran(*args) or None for the check-only
    # columns, which must agree with the ID number). Every row starts from the fields' defaults.
    cells = [(i, col, None if col.field in CHECK_ONLY else _SLOT[Veteran._meta.get_field(col.field).attname])
             for i, col in ctx.columns]  # fmt: skip
    where = {col.field: i for i, col in ctx.columns}
    base = [d for _a, d in _FIELD_DEFAULTS]
    base[_SLOT["created_by_id"]] = ctx.created_by_id
    registered_slot, station_slot = _SLOT["registered_on"], _SLOT["station_id"]
    for position in range(start, stop):
        number, values = rows[position]
        width = len(values)
        args = base.copy()
        checks = {}
        row_errors = []
        for i, col, slot in cells:
            value = values[i] if i < width else None
            if value is None or value == "":
                if col.required:
                    row_errors.append(RowError(number, col.header, "", "必填项，不能为空"))
                continue
            try:
                parsed = parse_cell(col, value)
            except CellError as exc:
                row_errors.append(RowError(number, col.header, _display(col, value), str(exc)))
                continue
            if col.required and parsed in ("", None):
                row_errors.append(RowError(number, col.header, "", "必填项，不能为空"))
            elif slot is None:
                checks[col.field] = parsed
            else:
                args[slot] = parsed
        for slot, default in _DEFAULT_SLOTS:
            if not args[slot]:
                args[slot] = default
        if not args[registered_slot]:
            args[registered_slot] = ctx.today
        code = args[station_slot]
        # Positional construction: Django's fast path (keyword construction costs several times more).
        vet = Veteran(*args)

        def raw(field_name, values=values, width=width):
            i = where.get(field_name, width)
            return values[i] if i < width else None

        failed_fields = {BY_HEADER[e.column].field for e in row_errors} if row_errors else ()
        for field_name, message in vet.rule_errors().items():
            col = BY_FIELD.get(field_name)
            if col is None or col.field in failed_fields:
                continue
            row_errors.append(RowError(number, col.header, _display(col, raw(field_name)), message))
        if "id_number" not in failed_fields and not any(e.column == id_col.header for e in row_errors):
            _check_derived(number, vet, checks, raw, row_errors)
            vet.fill_lookup_fields()
            shown = _display(id_col, raw("id_number"))
            first = first_row_of.setdefault(vet.id_number_hash, number)
            if first != number:
                row_errors.append(RowError(number, id_col.header, shown, f"与第{first}行的身份证号重复"))
            else:
                out.keys.append((vet.id_number_hash, number, shown))
        if code:
            reason = ctx.stations.get(code)
            if reason is None:
                row_errors.append(RowError(number, station_col.header, code, "服务站代码不存在，请核对12位区划代码"))
            elif reason:
                row_errors.append(RowError(number, station_col.header, code, reason))
        by_station[code or ""] = by_station.get(code or "", 0) + 1
        if row_errors:
            errors.extend(row_errors)
        elif errors:
            pass  # nothing of this chunk will be written
        elif ctx.encode:
            vet.pk = ctx.ids[position]
            vet.created_at = vet.updated_at = ctx.now
            lines.append(copy_line(vet))
            out.ids.append(vet.pk)
        elif ctx.keep:
            out.veterans.append(vet)
    if lines and not errors:
        out.copy_text = "".join(lines).encode()
    return out


def _check_derived(number: int, vet: Veteran, checks: dict, raw, row_errors: list) -> None:
    gender = checks.get("gender")
    if gender and vet.gender and gender != vet.gender:
        said = dict(choices.Gender.choices)[vet.gender]
        row_errors.append(RowError(number, "性别", _text(raw("gender")), f"与身份证号不符（按身份证号应为{said}）"))
    birth = checks.get("birth_date")
    if birth and vet.birth_date and birth != vet.birth_date:
        row_errors.append(
            RowError(
                number,
                "出生日期",
                _text(raw("birth_date")),
                f"与身份证号不符（按身份证号应为{vet.birth_date:%Y-%m-%d}）",
            )  # fmt: skip
        )


# --- writing ---------------------------------------------------------------------------------
# PostgreSQL: rows go in with COPY (Django's bulk_create spent ~300 µs per row preparing values
# field by field) and their history rows are made by the database from them (INSERT … SELECT),
# so each row crosses the wire once. psycopg's queued writer sends from a thread of its own, so
# PostgreSQL stores rows while Python is still preparing the next ones. Other databases: simple-history's bulk_create_with_history.
_FIELDS = Veteran._meta.concrete_fields
_COPY_SQL = "COPY {} ({}) FROM STDIN".format(
    Veteran._meta.db_table, ", ".join(f'"{f.column}"' for f in _FIELDS)
)  # fmt: skip
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def _copy_text(value) -> str:
    return NULL if value is None else value.translate(_COPY_ESCAPES)  # choices enums are str subclasses


def _copy_date(value) -> str:
    return NULL if value is None else value.isoformat()  # dates and aware datetimes


def _copy_int(value) -> str:
    return NULL if value is None else str(int(value))


def _copy_bool(value) -> str:
    return "t" if value else "f"


def _copy_encrypted(value) -> str:
    return encrypt(value) if value else NULL if value is None else ""


def _copy_format(f) -> object:
    """How one field's value is written in COPY's text format (NULL is ``\\N``; backslash, tab and
    line breaks escaped), chosen once per field rather than per value."""
    if isinstance(f, EncryptedCharField):
        return _copy_encrypted
    kind = f.get_internal_type()
    if kind == "BooleanField":
        return _copy_bool
    if kind in ("DateField", "DateTimeField"):
        return _copy_date
    if kind.endswith(("IntegerField", "AutoField")) or (
        f.is_relation and f.target_field.get_internal_type().endswith(("IntegerField", "AutoField"))
    ):
        return _copy_int
    if kind in ("CharField", "TextField") or f.is_relation:
        return _copy_text
    raise TypeError(f"no COPY format for {f.name} ({kind})")


_COPY_FORMATS = tuple((f.attname, _copy_format(f)) for f in _FIELDS)


def copy_line(vet: Veteran) -> str:
    """The COPY text line of a prepared veteran (ID and phone numbers encrypted here)."""
    d = vet.__dict__
    return "\t".join([fmt(d[a]) for a, fmt in _COPY_FORMATS]) + "\n"


def _draw_ids(raw_cursor, count: int) -> list[int]:
    raw_cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        [Veteran._meta.db_table, count],
    )
    return [r[0] for r in raw_cursor.fetchall()]


def _insert_history(raw_cursor, ids: list[int], *, user_id, reason: str, now) -> None:
    """The "+" history row of every new veteran, copied by the database from the rows just written
    (the same columns simple-history's ``bulk_create_with_history`` fills)."""
    history = Veteran.history.model
    own = {"history_id", "history_date", "history_change_reason", "history_type", "history_user_id"}
    copied = [f.column for f in history._meta.concrete_fields if f.attname not in own]
    columns = ", ".join(f'"{c}"' for c in copied)
    raw_cursor.execute(
        f'INSERT INTO "{history._meta.db_table}" ({columns}, "history_date", "history_change_reason", '  # noqa: S608
        f'"history_type", "history_user_id") SELECT {columns}, %s, %s, %s, %s '
        f'FROM "{Veteran._meta.db_table}" WHERE "id" = ANY(%s)',
        [now, reason, "+", user_id, ids],
    )


def bulk_insert_with_history(veterans: list[Veteran], *, user, reason: str) -> int:
    """Save prepared veterans (``prepare_derived_fields`` done) in one transaction, each with its
    history row ("+", ``user``, ``reason``). Sets their primary keys. Used by seed_demo and by
    the import on databases other than PostgreSQL."""
    now = timezone.now()
    for vet in veterans:
        vet.created_at = vet.updated_at = now
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.wrap_database_errors, connection.cursor() as cursor:
                raw = cursor.cursor
                ids = _draw_ids(raw, len(veterans))
                with raw.copy(_COPY_SQL, writer=QueuedLibpqWriter(raw)) as copy:
                    for vet, pk in zip(veterans, ids, strict=True):
                        vet.pk = pk
                        copy.write(copy_line(vet))
                _insert_history(raw, ids, user_id=getattr(user, "pk", None), reason=reason, now=now)
            for vet in veterans:
                vet._state.adding = False
        else:
            from simple_history.utils import bulk_create_with_history

            for start in range(0, len(veterans), BATCH):
                bulk_create_with_history(
                    veterans[start : start + BATCH],
                    Veteran,
                    batch_size=BATCH,
                    default_user=user,
                    default_change_reason=reason,
                    default_date=now,
                )
    return len(veterans)


# --- template and export ---------------------------------------------------------------------
def template_workbook() -> bytes:
    """The empty import template: the headers (required ones marked), a notes sheet."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "退役军人信息"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    for i, col in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i, value=col.header)
        cell.font = bold
        if col.required:
            cell.fill = fill
        if col.note:
            cell.comment = Comment(col.note, "沧州市退役军人服务平台")
        letter = cell.column_letter
        ws.column_dimensions[letter].width = 22 if col.kind in (ID, STATION) else 14
        if col.kind in (ID, PHONE, STATION):
            for row in range(2, 1002):
                ws.cell(row=row, column=i).number_format = "@"
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("填写说明")
    notes.append(["列名", "是否必填", "填写说明", "可选值"])
    for col in COLUMNS:
        options = "、".join(label for _v, label in col.choices) if col.choices else ""
        if col.kind == BOOL:
            options = "是、否"
        notes.append([col.header, "必填" if col.required else "", col.note or _kind_note(col), options])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _kind_note(col: Column) -> str:
    return {DATE: "日期，格式 YYYY-MM-DD", PHONE: "11位大陆手机号码"}.get(col.kind, "")


def export_queryset(*, user, queryset=None, station_code: str | None = None, full_access: bool = False):
    """The veterans an export may contain: the user's subtree (or everything for the command)."""
    qs = queryset if queryset is not None else Veteran.objects.all()
    if not full_access:
        qs = scope_queryset(qs, user)
    if station_code:
        qs = qs.in_subtree(station_code)
    return qs.select_related(None).only(*DB_FIELDS).order_by("station_id", "id")


def write_export(queryset, out, *, file_format: str = "xlsx", full_pii: bool) -> int:
    """Stream ``queryset`` into ``out`` (a binary file) in the template's columns. Returns rows."""
    count = 0
    if file_format == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
        writer = csv.writer(text)
        writer.writerow(HEADERS)
        for vet in queryset.iterator(chunk_size=2000):
            writer.writerow(export_cells(vet, full_pii=full_pii, for_csv=True))
            count += 1
        text.flush()
        text.detach()
        return count
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("退役军人信息")
    ws.append(list(HEADERS))
    kinds = [c.kind for c in COLUMNS]
    for vet in queryset.iterator(chunk_size=2000):
        cells = []
        for kind, value in zip(kinds, export_cells(vet, full_pii=full_pii), strict=True):
            if isinstance(value, str):
                cell = WriteOnlyCell(ws, value=None)
                cell.value = value
                cell.data_type = "s"  # never a formula, whatever the text starts with
                cells.append(cell)
            elif kind == DATE:
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            else:
                cells.append(value)
        ws.append(cells)
        count += 1
    wb.save(out)
    return count


def run_export(
    *,
    user,
    out,
    file_format: str = "xlsx",
    queryset=None,
    station_code: str | None = None,
    full_access: bool = False,
    request=None,
) -> int:
    """Export (scoped, masked unless the user may see full numbers) and audit it."""
    if file_format not in ("xlsx", "csv"):
        raise ValueError(file_format)
    full_pii = True if full_access else can_see_full_pii(user)
    qs = export_queryset(user=user, queryset=queryset, station_code=station_code, full_access=full_access)
    digest_out = _HashingWriter(out)
    count = write_export(qs, digest_out, file_format=file_format, full_pii=full_pii)
    audit(
        "veteran_export",
        request=request,
        user=user,
        rows=count,
        file_sha256=digest_out.hexdigest(),
        file_format=file_format,
        full_pii=full_pii,
        station=station_code or "",
        command_line=full_access,
    )
    return count


class _HashingWriter(io.RawIOBase):
    """Pass-through binary writer that also computes the SHA-256 of what was written."""

    def __init__(self, target):
        self.target = target
        self.sha = hashlib.sha256()

    def writable(self):
        return True

    def write(self, b):
        self.sha.update(b)
        self.target.write(b)
        return len(b)

    def hexdigest(self) -> str:
        return self.sha.hexdigest()
