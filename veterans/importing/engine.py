"""The engine: ``run_import`` drives one file through a ``Schema`` — read safely, check every row,
write all of it in one transaction or nothing, report, audit. ``template_workbook`` writes a
schema's empty template. See the package docstring for how to plug in a schema."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import time

from django.db import transaction

from canghzou_portal.audit import AuditResult, audit

from .checking import Row, map_headers, parse_row, unique_in_file
from .files import read_upload
from .reading import BOOL, DATE, ID, PHONE, STATION, Column, iter_table
from .report import ImportFileError, ImportReport, RowError

MAX_ROWS = 500_000


class Schema:
    """What one kind of spreadsheet holds and how it is saved. Subclass it and set:

    ``key``, ``title``, ``unit``, ``audit_action`` — names (staging files, template sheet, the
    report's "共新增N{unit}", the audit trail); ``columns`` — the ``Column`` list (header, field,
    kind, required, choices); ``unique`` — fields a value of which may stand in one row only.

    and override, as needed:

    ``prepare(user=, write=)`` — read what the checks need once (reference data, the actor's
    reach): its result is the ``ctx`` of the other hooks;
    ``check_row(row, ctx)`` — one row's own rules, no queries: ``row.values`` holds the parsed
    cells, ``row.error(field, reason)`` records a problem; return what ``write`` gets for it;
    ``check_batch(rows, ctx)`` — checks against the database for all good rows at once (a few
    ``IN`` queries, e.g. duplicates against what is stored);
    ``write(prepared, ctx, user=, reason=)`` — save every prepared row (inside the engine's
    transaction; an exception rolls everything back); return how many were created.

    ``process`` runs those hooks; a schema with its own fast path (the registry's streamed COPY)
    overrides ``process`` itself.
    """

    key: str = ""
    title: str = ""
    unit: str = "行"
    audit_action: str = "import"
    columns: tuple[Column, ...] = ()
    unique: tuple[str, ...] = ()

    def prepare(self, *, user, write: bool):
        return None

    def check_row(self, row: Row, ctx):
        return dict(row.values)

    def check_batch(self, rows: list[Row], ctx) -> None:
        return None

    def write(self, prepared: list, ctx, *, user, reason: str) -> int:
        raise NotImplementedError(f"{type(self).__name__}.write")

    def unique_key(self, field_name: str, value):
        return value

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    def process(
        self, rows: list, mapped: list[Column | None], report: ImportReport, *, user, dry_run: bool, reason: str
    ):
        """Check every row (cells, ``check_row``, ``unique``, ``check_batch``); write them all in
        one transaction if none is bad and this is not a dry run."""
        started = time.perf_counter()
        ctx = self.prepare(user=user, write=not dry_run)
        positions = [(i, col) for i, col in enumerate(mapped) if col is not None]
        by_field = {col.field: col for col in self.columns}
        checked: list[Row] = []
        for number, cells in rows:
            row = parse_row(number, cells, positions, by_field)
            if not row.errors:
                row.prepared = self.check_row(row, ctx)
            checked.append(row)
        unique_in_file(checked, self.unique, key=self.unique_key)
        good = [row for row in checked if not row.errors]
        if good:
            self.check_batch(good, ctx)
        for row in checked:
            report.errors.extend(row.errors)
        report.timings["check"] = round(time.perf_counter() - started, 3)
        if report.ok and not dry_run:
            written = time.perf_counter()
            with transaction.atomic():
                report.created = self.write([row.prepared for row in checked], ctx, user=user, reason=reason)
            report.timings["write"] = round(time.perf_counter() - written, 3)


def run_import(*, schema: Schema, file_obj, filename: str, user, dry_run: bool, request=None) -> ImportReport:
    """Validate the whole file against ``schema``; if every row is good and not ``dry_run``, save
    all of it at once. ``user`` is the importer — a portal user, or
    the system actor of a command (``canghzou_portal.access.system_actor``): rows must lie in their
    jurisdiction. Every call is written to the audit trail."""
    if user is None:
        raise ValueError("run_import needs the acting user (commands: canghzou_portal.access.system_actor)")
    started = time.perf_counter()
    report = ImportReport(filename=filename, dry_run=dry_run, unit=schema.unit)
    with _gc_paused():
        try:
            data, report.file_format = read_upload(file_obj, filename)
            report.file_sha256 = hashlib.sha256(data).hexdigest()
            headers, row_iter = iter_table(data, report.file_format)
            del data
            mapped = map_headers(headers, schema.columns)
            rows = []
            for item in row_iter:
                rows.append(item)
                if len(rows) > MAX_ROWS:
                    raise ImportFileError(f"一次最多导入{MAX_ROWS}行，请拆分后分批导入")
            if not rows:
                raise ImportFileError("文件中没有数据行（表头以下为空）")
            report.total_rows = len(rows)
            report.timings["read"] = round(time.perf_counter() - started, 3)
            reason = f"批量导入：{filename}"[:100]
            schema.process(rows, mapped, report, user=user, dry_run=dry_run, reason=reason)
        except ImportFileError as exc:
            report.errors.append(RowError(0, "", "", str(exc)))
        order = {header: i for i, header in enumerate(schema.headers)}
        report.errors.sort(key=lambda e: (e.row, order.get(e.column, -1)))
    report.seconds = round(time.perf_counter() - started, 3)
    audit(
        schema.audit_action,
        request=request,
        user=user,
        result=AuditResult.SUCCESS if report.ok else AuditResult.FAILURE,
        rows=report.total_rows,
        created=report.created,
        errors=len(report.errors),
        dry_run=dry_run,
        file_sha256=report.file_sha256,
        filename=filename[:200],
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


# --- the template ------------------------------------------------------------------------------------
def template_workbook(schema: Schema) -> bytes:
    """The empty import template of ``schema``: the headers (required ones marked, notes as
    comments), a notes sheet."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = schema.title
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    for i, col in enumerate(schema.columns, start=1):
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
    for col in schema.columns:
        options = "、".join(label for _v, label in col.choices) if col.choices else ""
        if col.kind == BOOL:
            options = "是、否"
        notes.append([col.header, "必填" if col.required else "", col.note or _kind_note(col), options])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _kind_note(col: Column) -> str:
    return {DATE: "日期，格式 YYYY-MM-DD", PHONE: "11位大陆手机号码"}.get(col.kind, "")
