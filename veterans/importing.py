"""The one import/export engine of the registry (admin, clerk portal and management commands).

``run_import(file_obj=..., filename=..., user=..., dry_run=...)`` reads an .xlsx or .csv file in
the columns of ``veterans.resources.COLUMNS`` and returns an ``ImportReport``. It is
all-or-nothing: every row is validated first, and only a file without a single bad row is written,
in one transaction. Why not django-import-export's ``import_data``: row by row with ``full_clean``
it ran at a few hundred rows per second here (STACK.md); this engine validates in batches (one
``IN`` query per 1,000 rows for stations and for duplicate ID numbers), reuses the model's own
rules (``Veteran.rule_errors``, ``parse_resident_id``, ``validate_mobile``) and writes with
``bulk_create_with_history`` so every new record still has its history row.

Upload safety (``read_upload``): a size cap (``PORTAL_IMPORT_MAX_BYTES``), the type decided by the
content — a real .xlsx (zip with ``[Content_Types].xml`` and a workbook, no VBA project or
macro-enabled content type) or a UTF-8/GBK text file — a zip-bomb guard (total uncompressed size
and compression ratio), and XML parsed through defusedxml (openpyxl uses it when installed).
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import gc
import hashlib
import io
import re
import time
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from canghzou_portal.crypto import mask_id_number, mask_phone
from canghzou_portal.scoping import scope_queryset, user_can_reach_code
from services.audit import audit
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
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase: read, validate, write

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
    from .resources import escape_formula

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
    # defusedxml, which openpyxl uses for parsing, refuses them too; this gives the clear message.
    for info in infos:
        if info.filename.lower().endswith((".xml", ".rels", ".vml")):
            with archive.open(info) as part:
                head = part.read(2048).lower()
            if b"<!doctype" in head or b"<!entity" in head:
                raise ImportFileError("工作簿含有不安全的 XML 声明（DTD/实体），拒绝导入")


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
    """Rows of the first sheet: the fast reader, or openpyxl (defusedxml) when it cannot cope."""
    from . import xlsx_fast

    try:
        rows = list(xlsx_fast.read_rows(data))
    except xlsx_fast.Unsupported:
        rows = None
    except Exception as exc:  # noqa: BLE001 - a malformed package fails in many ways
        raise _unreadable(exc) from None
    if rows is None:
        yield from _openpyxl_rows(data)
    else:
        yield from rows


def _openpyxl_rows(data: bytes) -> Iterator[tuple[int, tuple]]:
    import openpyxl
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:  # pragma: no cover - defusedxml is a pinned requirement
        raise ImportFileError("服务器缺少 defusedxml，暂不能导入 .xlsx")
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a malformed file
        raise _unreadable(exc) from None
    if not wb.worksheets:
        raise ImportFileError("工作簿中没有工作表")
    try:
        yield from enumerate(wb.worksheets[0].iter_rows(values_only=True), start=1)
    except Exception as exc:  # noqa: BLE001
        raise _unreadable(exc) from None
    finally:
        wb.close()


def _unreadable(exc: BaseException) -> ImportFileError:
    seen = exc
    while seen is not None:
        if seen.__class__.__module__.startswith("defusedxml"):
            return ImportFileError("工作簿含有不安全的 XML 内容（DTD/实体），拒绝导入")
        seen = seen.__cause__ or seen.__context__
    return ImportFileError("无法读取该 .xlsx 工作簿，文件可能已损坏")


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
CHECK_ONLY = ("gender", "birth_date")
# (attname, default) of every concrete field, in the model's order (positional construction).
_FIELD_DEFAULTS = tuple(
    (f.attname, f.get_default()) for f in Veteran._meta.concrete_fields
)  # derived from the ID number; if filled in they must agree


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
            headers, rows = iter_table(data, report.file_format)
            report.timings["read"] = round(time.perf_counter() - started, 3)
            columns = _map_headers(headers)
            veterans = _validate(rows, columns, user=user, full_access=full_access, report=report)
            report.timings["validate"] = round(time.perf_counter() - started - report.timings["read"], 3)
        except ImportFileError as exc:
            report.errors.append(RowError(0, "", "", str(exc)))
            veterans = []
        report.errors.sort(key=lambda e: (e.row, _column_order(e.column)))
        if report.ok and not dry_run:
            try:
                write_started = time.perf_counter()
                report.created = _write(veterans, user=user, filename=filename)
                report.timings["write"] = round(time.perf_counter() - write_started, 3)
            except IntegrityError:
                report.errors.append(
                    RowError(0, "", "", "保存时发现身份证号已被他人同时登记，本次未保存任何数据，请重新导入")
                )
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


def _validate(rows: Iterable, columns: list[Column | None], *, user, full_access: bool, report) -> list[Veteran]:
    today = timezone.localdate()
    stations: dict[str, tuple[str, bool]] = {}  # code -> (name, is_active); cached over batches
    first_row_of: dict[str, int] = {}  # id_number_hash -> row
    veterans: list[Veteran] = []
    batch: list[tuple[int, Veteran, dict]] = []
    indexed = [(i, col) for i, col in enumerate(columns) if col is not None]
    errors = report.errors
    created_by_id = getattr(user, "pk", None)

    def flush():
        _check_batch(batch, stations, user=user, full_access=full_access, errors=errors)
        for _row, vet, _raw in batch:
            veterans.append(vet)
        batch.clear()

    for number, values in rows:
        report.total_rows += 1
        if report.total_rows > MAX_ROWS:
            raise ImportFileError(f"一次最多导入{MAX_ROWS}行，请拆分后分批导入")
        kwargs: dict = {}
        raw: dict[str, object] = {}
        row_errors = []
        for i, col in indexed:
            value = values[i] if i < len(values) else None
            raw[col.field] = value
            try:
                parsed = parse_cell(col, value)
            except CellError as exc:
                row_errors.append(RowError(number, col.header, _display(col, value), str(exc)))
                continue
            if col.required and parsed in ("", None):
                row_errors.append(RowError(number, col.header, "", "必填项，不能为空"))
                continue
            kwargs[col.field] = parsed
        checks = {f: kwargs.pop(f) for f in CHECK_ONLY if f in kwargs}
        for name, default in FIELD_DEFAULTS.items():
            if not kwargs.get(name):
                kwargs[name] = default
        if not kwargs.get("registered_on"):
            kwargs["registered_on"] = today
        kwargs["station_id"] = kwargs.pop("station", None)
        kwargs["created_by_id"] = created_by_id
        # Positional construction: Django's fast path (keyword construction costs several times more).
        vet = Veteran(*[kwargs[a] if a in kwargs else d for a, d in _FIELD_DEFAULTS])
        failed_fields = {BY_HEADER[e.column].field for e in row_errors}
        for field_name, message in vet.rule_errors().items():
            col = BY_FIELD.get(field_name)
            if col is None or col.field in failed_fields:
                continue
            row_errors.append(RowError(number, col.header, _display(col, raw.get(field_name)), message))
        if "id_number" not in failed_fields and not any(e.column == "身份证号" for e in row_errors):
            _check_derived(number, vet, checks, raw, row_errors)
            vet.prepare_derived_fields()
            first = first_row_of.setdefault(vet.id_number_hash, number)
            if first != number:
                row_errors.append(
                    RowError(
                        number,
                        "身份证号",
                        _display(BY_FIELD["id_number"], raw.get("id_number")),
                        f"与第{first}行的身份证号重复",
                    )  # fmt: skip
                )
        else:
            vet.id_number_hash = ""
        errors.extend(row_errors)
        batch.append((number, vet, raw))
        if len(batch) >= BATCH:
            flush()
    flush()
    if report.total_rows == 0:
        raise ImportFileError("文件中没有数据行（表头以下为空）")
    for vet in veterans:
        report.by_station[vet.station_id or ""] = report.by_station.get(vet.station_id or "", 0) + 1
    return veterans


def _check_derived(number: int, vet: Veteran, checks: dict, raw: dict, row_errors: list) -> None:
    gender = checks.get("gender")
    if gender and vet.gender and gender != vet.gender:
        said = dict(choices.Gender.choices)[vet.gender]
        row_errors.append(RowError(number, "性别", _text(raw.get("gender")), f"与身份证号不符（按身份证号应为{said}）"))
    birth = checks.get("birth_date")
    if birth and vet.birth_date and birth != vet.birth_date:
        row_errors.append(
            RowError(
                number,
                "出生日期",
                _text(raw.get("birth_date")),
                f"与身份证号不符（按身份证号应为{vet.birth_date:%Y-%m-%d}）",
            )  # fmt: skip
        )


def _check_batch(batch, stations: dict, *, user, full_access: bool, errors: list) -> None:
    """Stations and registry duplicates of one batch: one IN query each."""
    if not batch:
        return
    wanted = {vet.station_id for _r, vet, _raw in batch if vet.station_id} - stations.keys()
    if wanted:
        for code, name, active in Station.objects.filter(code__in=wanted).values_list("code", "name", "is_active"):
            stations[code] = (name, active)
    hashes = [vet.id_number_hash for _r, vet, _raw in batch if vet.id_number_hash]
    holders = dict(
        Veteran.objects.filter(id_number_hash__in=hashes).values_list("id_number_hash", "station__name")
        if hashes
        else []
    )
    station_col = BY_FIELD["station"]
    for number, vet, raw in batch:
        code = vet.station_id
        if code:
            known = stations.get(code)
            if known is None:
                errors.append(RowError(number, station_col.header, code, "服务站代码不存在，请核对12位区划代码"))
            elif not known[1]:
                errors.append(RowError(number, station_col.header, code, f"服务站“{known[0]}”已停用，不能登记"))
            elif not full_access and not user_can_reach_code(user, code):
                errors.append(RowError(number, station_col.header, code, f"服务站“{known[0]}”不在您的辖区范围内"))
        holder = holders.get(vet.id_number_hash)
        if holder is not None:
            errors.append(
                RowError(
                    number,
                    "身份证号",
                    _display(BY_FIELD["id_number"], raw.get("id_number")),
                    f"该身份证号已在“{holder}”登记，不能重复登记",
                )  # fmt: skip
            )


def _write(veterans: list[Veteran], *, user, filename: str) -> int:
    return bulk_insert_with_history(veterans, user=user, reason=f"批量导入：{filename}"[:100])


def bulk_insert_with_history(veterans: list[Veteran], *, user, reason: str) -> int:
    """Save prepared veterans (``prepare_derived_fields`` done) in one transaction, each with its
    history row ("+", ``user``, ``reason``): COPY on PostgreSQL, ``bulk_create_with_history``
    elsewhere. Sets their primary keys. Used by the import and by seed_demo."""
    now = timezone.now()
    for vet in veterans:
        vet.created_at = vet.updated_at = now
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.wrap_database_errors:
                _copy_write(veterans, user=user, reason=reason, now=now)
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


def _copy_write(veterans: list[Veteran], *, user, reason: str, now) -> None:
    """PostgreSQL: the same rows as ``bulk_create_with_history`` writes, loaded with COPY.

    Django's bulk_create spent most of an import preparing values field by field; here the
    values are taken straight from the validated instances (prepared by
    ``Veteran.prepare_derived_fields``), ID and phone numbers encrypted once (the history row
    carries the same ciphertext), primary keys drawn from the table's sequence in one query.
    """
    from canghzou_portal.crypto import EncryptedCharField, encrypt

    history_model = Veteran.history.model
    fields = Veteran._meta.concrete_fields
    history_fields = history_model._meta.concrete_fields
    history_own = {"history_id", "history_date", "history_change_reason", "history_type", "history_user_id"}
    encrypted = {f.attname for f in fields if isinstance(f, EncryptedCharField)}
    user_id = getattr(user, "pk", None)
    table = Veteran._meta.db_table
    with connection.cursor() as cursor:
        raw = cursor.cursor
        raw.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(veterans)]
        )
        ids = [r[0] for r in raw.fetchall()]
        for vet, pk in zip(veterans, ids, strict=True):
            vet.pk = pk
        tokens = [{a: encrypt(getattr(v, a)) if getattr(v, a) else getattr(v, a) for a in encrypted} for v in veterans]
        columns = [f.attname for f in fields]
        quoted = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        with raw.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
            for vet, token in zip(veterans, tokens, strict=True):
                d = vet.__dict__
                copy.write_row([token[a] if a in token else d[a] for a in columns])
        own = {
            "history_date": now,
            "history_change_reason": reason,
            "history_type": "+",
            "history_user_id": user_id,
        }
        h_fields = [f for f in history_fields if f.attname != "history_id"]
        h_columns = [f.attname for f in h_fields]
        h_quoted = ", ".join(connection.ops.quote_name(f.column) for f in h_fields)
        h_table = connection.ops.quote_name(history_model._meta.db_table)
        with raw.copy(f"COPY {h_table} ({h_quoted}) FROM STDIN") as copy:
            for vet, token in zip(veterans, tokens, strict=True):
                d = vet.__dict__
                copy.write_row(
                    [own[a] if a in own and a in history_own else token[a] if a in token else d[a] for a in h_columns]
                )
    for vet in veterans:
        vet._state.adding = False


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


def user_sees_full_pii(user) -> bool:
    return bool(user is not None and user.has_perm("veterans.view_full_pii"))


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
    full_pii = True if full_access else user_sees_full_pii(user)
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
