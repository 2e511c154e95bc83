"""Reading: the table of an upload (header row, then numbered data rows) and the value of each
cell for its column.

A ``Column`` names a header, the field it fills and its kind: text, a resident ID or mobile number
(kept as typed, checked by the schema), a 12-digit station code, a choice (by value or Chinese
label, plus ``aliases``), a date (several spellings, Excel serials), 是/否, a whole number, a
decimal. ``parse_cell(column, value)`` returns the value or raises ``CellError`` with a Chinese
reason; ``display(column, value)`` is how a cell appears in a report (ID and phone masked).
.xlsx files are read by python-calamine (Rust) after ``files.check_xlsx_package``; .csv as UTF-8
or GBK.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property

from canghzou_portal.crypto import mask_id_number, mask_phone

from .report import ImportFileError

TEXT, ID, PHONE, STATION, CHOICE, DATE, BOOL, INT_CHOICE, INT, DECIMAL = (
    "text",
    "id",
    "phone",
    "station",
    "choice",
    "date",
    "bool",
    "int_choice",
    "int",
    "decimal",
)
YES, NO = "是", "否"
CODE_RE = re.compile(r"^\d{12}$")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S")
TRUE_WORDS = {YES, "Y", "y", "1", "true", "True", "TRUE", "√"}
FALSE_WORDS = {NO, "N", "n", "0", "false", "False", "FALSE", ""}
FORMULA_START = "=+-@\t\r"


@dataclass(frozen=True)
class Column:
    """One column of a spreadsheet: its header, the field it fills and how its cells are read."""

    header: str
    field: str
    kind: str = TEXT
    required: bool = False
    choices: tuple = ()  # (value, label) pairs
    max_length: int | None = None
    note: str = ""  # shown in the template (a comment on the header, the notes sheet)
    aliases: tuple = ()  # more (spelling, value) pairs a choice accepts

    def label_of(self, value) -> str:
        return str(dict(self.choices).get(value, value if value is not None else ""))

    @cached_property
    def labels(self) -> dict[str, object]:
        """What a choice cell may say: the value, its label, an alias."""
        mapped: dict[str, object] = {}
        for value, label in self.choices:
            mapped[str(value)] = value
            mapped[str(label)] = value
        for spelling, value in self.aliases:
            mapped[str(spelling)] = value
        return mapped


class CellError(Exception):
    pass


def iter_table(data: bytes, file_format: str) -> tuple[list[str], Iterator[tuple[int, tuple]]]:
    """Headers and an iterator of ``(excel_row_number, values)``; blank lines are skipped."""
    rows = xlsx_rows(data) if file_format == "xlsx" else csv_rows(data)
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


def xlsx_rows(data: bytes) -> Iterator[tuple[int, list]]:
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


def csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
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
def unescape_formula(value: str) -> str:
    """Undo ``canghzou_portal.exports.escape_formula`` on import, so an export re-imports unchanged."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_START:
        return value[1:]
    return value


def _choices_hint(col: Column) -> str:
    labels = [label for _v, label in col.choices]
    if len(labels) > 10:
        return "、".join(labels[:8]) + "等"
    return "、".join(labels)


def text(value) -> str:
    """A cell as text: whole numbers without ".0", dates as YYYY-MM-DD, stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def display(col: Column, value) -> str:
    """A cell value as shown in a report: ID and phone numbers masked."""
    shown = text(value)
    if col.kind == ID:
        return mask_id_number(shown.upper())
    if col.kind == PHONE:
        return mask_phone(shown)
    return shown[:100]


def parse_date(value) -> datetime.date | None:
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
    value = str(value).strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise CellError("不是有效日期，请用“YYYY-MM-DD”格式，如 2001-09-01")


_EMPTY = {DATE: None, BOOL: False, INT_CHOICE: None, INT: None, DECIMAL: None}


def parse_cell(col: Column, value):
    """The model value of one cell; raises CellError with a Chinese reason."""
    kind = col.kind
    if value is None:  # fast paths: empty cells and exact labels are most cells
        return _EMPTY.get(kind, "")
    if kind == CHOICE and type(value) is str:
        mapped = col.labels.get(value)
        if mapped is not None:
            return mapped
    if kind == DATE:
        return parse_date(value)
    if kind == BOOL:
        shown = text(value)
        if shown in TRUE_WORDS:
            return True
        if shown in FALSE_WORDS:
            return False
        raise CellError("请填写“是”或“否”")
    if kind == ID and isinstance(value, float):
        raise CellError("身份证号被存成了数字，后几位已丢失，请把该列设为文本格式后重新填写")
    shown = text(value)
    if kind == TEXT:
        if "\x00" in shown:
            raise CellError("含有无法保存的控制字符，请删除后重新填写")
        shown = unescape_formula(shown)
        if col.max_length and len(shown) > col.max_length:
            raise CellError(f"不能超过{col.max_length}个字")
        return shown
    if kind in (ID, PHONE):
        return shown
    if kind == STATION:
        if not CODE_RE.match(shown):
            raise CellError("服务站代码应为12位数字的统计用区划代码")
        return shown
    if not shown:
        return None if kind in (INT_CHOICE, INT, DECIMAL) else ""
    if kind == INT:
        if not re.fullmatch(r"-?\d+", shown):
            raise CellError("应为整数")
        return int(shown)
    if kind == DECIMAL:
        try:
            number = Decimal(shown.replace(",", ""))
        except InvalidOperation:
            raise CellError("应为数字") from None
        if not number.is_finite():
            raise CellError("应为数字")
        return number
    mapped = col.labels.get(shown)
    if mapped is None:
        raise CellError(f"不是有效的选项，可填：{_choices_hint(col)}")
    return mapped
