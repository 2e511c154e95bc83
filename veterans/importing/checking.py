"""Checking: the header row against a schema's columns, and every data row — its cells
(``reading.parse_cell``), the required ones, the schema's own rules (``Schema.check_row``) and
values that must be unique within the file. Nothing here touches the database; the checks against
it are the schema's ``check_batch``, run once for the whole file."""

from __future__ import annotations

from dataclasses import dataclass, field

from .reading import CellError, Column, display, parse_cell
from .report import ImportFileError, RowError


def map_headers(headers: list[str], columns: tuple[Column, ...]) -> list[Column | None]:
    """The column of each position of the header row (None: an empty header). Unknown, repeated
    or missing required headers are refused with one message naming them all."""
    by_header = {c.header: c for c in columns}
    problems = []
    seen = set()
    mapped: list[Column | None] = []
    for header in headers:
        if not header:
            mapped.append(None)
            continue
        col = by_header.get(header)
        if col is None:
            problems.append(f"无法识别的列“{header}”")
        elif header in seen:
            problems.append(f"列“{header}”出现了两次")
        seen.add(header)
        mapped.append(col)
    missing = [c.header for c in columns if c.required and c.header not in seen]
    if missing:
        problems.append("缺少必填列：" + "、".join(f"“{m}”" for m in missing))
    if problems:
        raise ImportFileError("表头有误：" + "；".join(problems) + "。请使用导入模板的列名（第1行）")
    return mapped


@dataclass
class Row:
    """One data row being checked: ``values`` holds the parsed cells by field name (only the
    columns present in the file), ``raw`` the cells as read. Record a problem with ``error``; a
    row with errors is not written, and the whole file is not written if any row has one."""

    number: int  # as Excel shows it (the header is row 1)
    raw: dict[str, object]  # field -> the cell as read
    values: dict[str, object]
    columns: dict[str, Column]  # field -> column, for the messages
    errors: list[RowError] = field(default_factory=list)
    prepared: object = None  # what Schema.check_row returned: the writer's input

    def error(self, field_name: str, reason: str) -> None:
        col = self.columns.get(field_name)
        if col is None:
            self.errors.append(RowError(self.number, "", "", reason))
            return
        self.errors.append(RowError(self.number, col.header, display(col, self.raw.get(field_name)), reason))

    def failed(self, field_name: str) -> bool:
        col = self.columns.get(field_name)
        return col is not None and any(e.column == col.header for e in self.errors)


def parse_row(number: int, cells: list, mapped: list[tuple[int, Column]], columns: dict[str, Column]) -> Row:
    """The cells of one row by field: parsed, required ones present (errors recorded on the row)."""
    row = Row(number=number, raw={}, values={}, columns=columns)
    width = len(cells)
    for position, col in mapped:
        value = cells[position] if position < width else None
        row.raw[col.field] = value
        if value is None or value == "":
            if col.required:
                row.errors.append(RowError(number, col.header, "", "必填项，不能为空"))
            row.values[col.field] = parse_cell(col, None)
            continue
        try:
            parsed = parse_cell(col, value)
        except CellError as exc:
            row.errors.append(RowError(number, col.header, display(col, value), str(exc)))
            continue
        if col.required and parsed in ("", None):
            row.errors.append(RowError(number, col.header, "", "必填项，不能为空"))
        row.values[col.field] = parsed
    return row


def unique_in_file(rows: list[Row], fields: tuple[str, ...], *, key=None) -> None:
    """A value of each of ``fields`` may appear in one row only: later rows get "与第N行的…重复".
    ``key(field, value)`` normalises a value before comparing (default: the value itself)."""
    for field_name in fields:
        first: dict[object, int] = {}
        for row in rows:
            value = row.values.get(field_name)
            if value in (None, "") or row.failed(field_name):
                continue
            value = key(field_name, value) if key else value
            number = first.setdefault(value, row.number)
            if number != row.number:
                label = row.columns[field_name].header
                row.error(field_name, f"与第{number}行的{label}重复")
