"""The veteran registry's schema (导入模板): its columns, its checks, its streamed write, and the
export in the same columns.

``COLUMNS`` fixes the Chinese headers, the model field behind each and how a cell is read and
written: stations by their 12-digit division code, code lists by their Chinese label, yes/no as
是/否, dates as dates. The import reads with it, the exports write with it and
``veterans.resources.VeteranResource`` (django-import-export) is built from it, so an export of
one database imports whole into another.

The registry is the one schema with its own ``process``: rows are checked in chunks with the
model's own rules (``Veteran.rule_errors``) against stations read once, in worker processes for
large files, and on PostgreSQL streamed into one ``COPY`` while later rows are still being checked
(docs/benchmarks.md has the figures). Where a veteran may be registered is the actions' rule
(``veterans.actions.registration_station_error``), the same as on the clerk's form.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import multiprocessing
import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from psycopg.copy import QueuedLibpqWriter

from canghzou_portal.access import can_see_full_pii
from canghzou_portal.audit import audit
from canghzou_portal.crypto import mask_id_number, mask_phone
from canghzou_portal.exports import escape_formula
from canghzou_portal.scoping import scope_queryset, station_model

from .. import choices
from ..actions import registration_station_error
from ..models import Veteran
from .engine import Schema
from .reading import (
    BOOL,
    CHOICE,
    DATE,
    ID,
    INT_CHOICE,
    NO,
    PHONE,
    STATION,
    TEXT,
    YES,
    CellError,
    Column,
    display,
    parse_cell,
    text,
)
from .report import ImportReport, RowError
from .writing import COPY_SQL, bulk_insert_with_history, copy_line, draw_ids, insert_history

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
CONCURRENT_CLASH = "保存时发现身份证号已被他人同时登记，本次未保存任何数据，请重新导入"


# --- the columns ----------------------------------------------------------------------------------
def _column(header, field_name, kind=TEXT, **kw) -> Column:
    if "choices" in kw:
        kw["choices"] = tuple((v, str(label)) for v, label in kw["choices"])
    if kind == TEXT and "max_length" not in kw:
        kw["max_length"] = Veteran._meta.get_field(field_name).max_length
    return Column(header, field_name, kind, **kw)


# Common spellings of the disability grades ("1级", "一级").
_GRADE_ALIASES = tuple((f"{value}级", value) for value, _label in choices.DisabilityGrade.choices)

COLUMNS: tuple[Column, ...] = (
    _column("姓名", "name", required=True),
    _column("身份证号", "id_number", ID, required=True, note="18位，末位可为X；请以文本格式填写"),
    _column("性别", "gender", CHOICE, choices=choices.Gender.choices, note="可留空：按身份证号自动识别"),
    _column("出生日期", "birth_date", DATE, note="可留空：按身份证号自动识别"),
    _column("民族", "ethnicity", CHOICE, choices=choices.ETHNICITY_CHOICES, note="留空按汉族"),
    _column("手机号码", "phone", PHONE),
    _column("户籍地址", "household_address"),
    _column("现居住地址", "current_address"),
    _column("服务站代码", "station", STATION, required=True, note="登记服务站的12位统计用区划代码"),
    _column("服役军种", "service_branch", CHOICE, choices=choices.Branch.choices),
    _column("入伍时间", "enlistment_date", DATE),
    _column("退役时间", "discharge_date", DATE),
    _column("退役时军衔/级别", "last_rank", CHOICE, choices=choices.Rank.choices),
    _column("人员类别", "category", CHOICE, required=True, choices=choices.Category.choices),
    _column("安置方式", "placement", CHOICE, choices=choices.Placement.choices),
    _column("中共党员", "is_party_member", BOOL, note="是/否"),
    _column("入党时间", "party_join_date", DATE),
    _column("文化程度", "education", CHOICE, choices=choices.Education.choices),
    _column("专业技能", "skills"),
    _column(
        "伤残等级", "disability_grade", INT_CHOICE, choices=choices.DisabilityGrade.choices, aliases=_GRADE_ALIASES
    ),
    _column("优抚类别", "care_category", CHOICE, choices=choices.CareCategory.choices, note="留空按“无”"),
    _column("困难退役军人", "is_hardship", BOOL, note="是/否"),
    _column("就业状态", "employment_status", CHOICE, choices=choices.EmploymentStatus.choices, note="留空按未就业"),
    _column("工作单位", "employer_name"),
    _column("优待证号", "preferential_card_number"),
    _column("优待证发放日期", "preferential_card_date", DATE),
    _column("在册状态", "status", CHOICE, choices=choices.RegistryStatus.choices, note="留空按在册"),
    _column("状态变更日期", "status_date", DATE),
    _column("登记日期", "registered_on", DATE, note="留空按导入当天"),
)
HEADERS: tuple[str, ...] = tuple(c.header for c in COLUMNS)
BY_HEADER: dict[str, Column] = {c.header: c for c in COLUMNS}
BY_FIELD: dict[str, Column] = {c.field: c for c in COLUMNS}
EXPORT_FIELDS = tuple(c.field for c in COLUMNS)
# Fields the export reads from the database (everything but the station's code comes as is).
DB_FIELDS = EXPORT_FIELDS

CHECK_ONLY = ("gender", "birth_date")  # derived from the ID number; if filled in they must agree
# (attname, default) of every concrete field, in the model's order (positional construction).
_FIELD_DEFAULTS = tuple((f.attname, f.get_default()) for f in Veteran._meta.concrete_fields)
# Fields an empty cell leaves at the model's default (民族 汉族, 在册 …), not at "".
EMPTY_TO_DEFAULT = tuple(
    (name, default) for name, default in _FIELD_DEFAULTS if name in BY_FIELD and isinstance(default, str) and default
)


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


class RegistrySchema(Schema):
    """The registry (信息采集 in bulk): one new veteran per row, at an active station in the
    importer's subtree, the ID number new to the registry and to the file."""

    key = "veterans"
    title = "退役军人信息"
    unit = "名退役军人"
    audit_action = "veteran_import"
    columns = COLUMNS

    def prepare(self, *, user, write: bool, mapped: list[Column | None] = ()) -> _Context:
        """Everything the row checks need, read once: every station (6,000-odd rows) with the
        verdict for this importer, so that no row needs a query and the checks can run in other
        processes."""
        stations = {
            station.code: registration_station_error(user, station) or ""
            for station in station_model().objects.only("code", "name", "is_active")
        }
        postgres = connection.vendor == "postgresql"
        return _Context(
            columns=[(i, col) for i, col in enumerate(mapped) if col is not None],
            today=timezone.localdate(),
            created_by_id=getattr(user, "pk", None),
            stations=stations,
            encode=write and postgres,
            keep=write and not postgres,
            now=timezone.now(),
        )

    def process(self, rows, mapped, report: ImportReport, *, user, dry_run: bool, reason: str) -> None:
        ctx = self.prepare(user=user, write=not dry_run, mapped=mapped)
        _check_and_write(rows, ctx, report, user=user, reason=reason)


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
                ctx.ids = draw_ids(raw, len(rows))
                with raw.copy(COPY_SQL, writer=QueuedLibpqWriter(raw)) as copy:
                    for chunk in _checked_chunks(rows, ctx):
                        merge(chunk)
                        if report.ok:
                            copy.write(chunk.copy_text)
                    if not report.ok:
                        raise _Abandon
                report.timings["check"] = round(time.perf_counter() - checked_at, 3)
                insert_history(raw, ctx.ids, user_id=ctx.created_by_id, reason=reason, now=ctx.now)
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
_DEFAULT_SLOTS = tuple((_SLOT[name], default) for name, default in EMPTY_TO_DEFAULT)


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
                row_errors.append(RowError(number, col.header, display(col, value), str(exc)))
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
            row_errors.append(RowError(number, col.header, display(col, raw(field_name)), message))
        if "id_number" not in failed_fields and not any(e.column == id_col.header for e in row_errors):
            _check_derived(number, vet, checks, raw, row_errors)
            vet.fill_lookup_fields()
            shown = display(id_col, raw("id_number"))
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
        row_errors.append(RowError(number, "性别", text(raw("gender")), f"与身份证号不符（按身份证号应为{said}）"))
    birth = checks.get("birth_date")
    if birth and vet.birth_date and birth != vet.birth_date:
        row_errors.append(
            RowError(
                number,
                "出生日期",
                text(raw("birth_date")),
                f"与身份证号不符（按身份证号应为{vet.birth_date:%Y-%m-%d}）",
            )  # fmt: skip
        )


# --- export ---------------------------------------------------------------------------------------
def escape_enabled() -> bool:
    return getattr(settings, "IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT", False) is True


def export_cells(veteran: Veteran, *, full_pii: bool, for_csv: bool = False) -> list:
    """One spreadsheet row for ``veteran`` in COLUMNS order; ID/phone masked unless ``full_pii``."""
    escape = escape_enabled()
    row = []
    for col in COLUMNS:
        if col.kind == STATION:
            value = veteran.station_id
        else:
            value = getattr(veteran, col.field)
        if col.kind == ID:
            value = value if full_pii else mask_id_number(value)
        elif col.kind == PHONE:
            value = (value or "") if full_pii else mask_phone(value)
        elif col.kind in (CHOICE, INT_CHOICE):
            value = col.label_of(value) if value not in (None, "") else ""
        elif col.kind == BOOL:
            value = YES if value else NO
        elif col.kind == DATE:
            if value is None:
                value = ""
            elif for_csv:
                value = value.isoformat()
        if value is None:
            value = ""
        row.append(escape_formula(value) if escape else value)
    return row


def export_queryset(*, user, queryset=None, station_code: str | None = None):
    """The veterans an export may contain: the user's subtree (the system actor's is the city)."""
    qs = scope_queryset(queryset if queryset is not None else Veteran.objects.all(), user)
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
    request=None,
    audit_detail: dict | None = None,
) -> int:
    """Export (scoped, masked unless the user may see full numbers) and audit it.

    ``audit_detail``: what the caller's filters asked for and applied (``station``,
    ``station_requested``, …), recorded with the export — never a search term (it may be an ID or
    phone number)."""
    if file_format not in ("xlsx", "csv"):
        raise ValueError(file_format)
    full_pii = can_see_full_pii(user)
    qs = export_queryset(user=user, queryset=queryset, station_code=station_code)
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
        **{"station": station_code or "", **(audit_detail or {})},
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


REGISTRY = RegistrySchema()
