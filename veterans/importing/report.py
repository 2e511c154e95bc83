"""The report of an import: every bad row (row number, column, value, reason in Chinese), the
warnings, counts and timings. It survives the two web steps as JSON (``to_dict``/``from_dict``)
and downloads as an .xlsx (``error_workbook``); values in it are already masked."""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass, field

from canghzou_portal.exports import escape_formula


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong type, too large, unsafe). Message in Chinese."""


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
    unit: str = "名退役军人"  # what ``created`` counts, as the summary says it (the schema's ``unit``)
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
        return f"导入成功：共新增{self.created}{self.unit}。"

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
            ws.append([e.row or "文件", e.column, escape_formula(e.value or ""), escape_formula(e.reason or "")])
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()
