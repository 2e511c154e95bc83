"""Loading the statistical division list into stations (used by load_stations)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from canghzou_portal import codes

from .models import Station

LEVEL_ALIASES = {"city": codes.CITY, "county": codes.COUNTY, "township": codes.TOWNSHIP, "village": codes.VILLAGE}
DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "cangzhou_divisions.csv"


class StationFileError(Exception):
    """A malformed division file; ``errors`` lists every problem with its line number."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str, str]] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    reactivated: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.renamed or self.deactivated or self.reactivated)


def read_division_file(path: Path) -> list[dict]:
    """Parse and check the whole file; raise StationFileError naming every bad line."""
    errors: list[str] = []
    rows: list[dict] = []
    try:
        handle = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115
    except OSError as exc:
        raise StationFileError([f"无法打开文件 {path}：{exc.strerror}"]) from exc
    with handle:
        reader = csv.DictReader(handle)
        expected = {"code", "name", "level", "parent_code"}
        if reader.fieldnames is None or not expected.issubset(set(reader.fieldnames)):
            raise StationFileError([f"第1行：表头应包含 code,name,level,parent_code，实际为 {reader.fieldnames}"])
        seen: dict[str, int] = {}
        for line_no, row in enumerate(reader, start=2):
            code = (row.get("code") or "").strip()
            name = (row.get("name") or "").strip()
            level = (row.get("level") or "").strip().lower()
            parent = (row.get("parent_code") or "").strip()
            if not codes.is_valid_code(code):
                errors.append(f"第{line_no}行：区划代码“{code}”应为12位数字")
                continue
            if not name:
                errors.append(f"第{line_no}行：区划代码 {code} 缺少名称")
            if level not in LEVEL_ALIASES:
                errors.append(f"第{line_no}行：层级“{level}”无效，应为 city/county/township/village")
                continue
            if codes.level_of(code) != LEVEL_ALIASES[level]:
                errors.append(
                    f"第{line_no}行：区划代码 {code} 表示{codes.LEVEL_LABELS[codes.level_of(code)]}，与层级“{level}”不符"
                )
                continue
            if code in seen:
                errors.append(f"第{line_no}行：区划代码 {code} 与第{seen[code]}行重复")
                continue
            expected_parent = codes.parent_code(code)
            if (parent or None) != expected_parent:
                errors.append(
                    f"第{line_no}行：上级代码“{parent}”与区划代码 {code} 不符，应为 {expected_parent or '空'}"
                )
                continue
            seen[code] = line_no
            rows.append(
                {"code": code, "name": name, "level": LEVEL_ALIASES[level], "parent": parent or None, "line": line_no}
            )
    known = set(seen)
    for row in rows:
        if row["parent"] and row["parent"] not in known:
            errors.append(f"第{row['line']}行：上级区划代码 {row['parent']} 不在文件中")
    if not rows and not errors:
        errors.append("文件中没有任何区划数据")
    if errors:
        raise StationFileError(errors)
    return rows


@transaction.atomic
def load_stations(path: Path) -> LoadReport:
    """Create, rename, reactivate or deactivate stations to match the file (idempotent)."""
    rows = read_division_file(path)
    report = LoadReport()
    existing = {s.code: s for s in Station.objects.all()}
    in_file = set()
    to_create, to_update = [], []
    for row in sorted(rows, key=lambda r: codes.LEVELS.index(r["level"])):
        in_file.add(row["code"])
        station = existing.get(row["code"])
        if station is None:
            to_create.append(
                Station(code=row["code"], name=row["name"], level=row["level"], parent_id=row["parent"], is_active=True)
            )
            report.created.append(row["code"])
            continue
        dirty = False
        if station.name != row["name"]:
            report.renamed.append((station.code, station.name, row["name"]))
            station.name = row["name"]
            dirty = True
        if not station.is_active:
            station.is_active = True
            report.reactivated.append(station.code)
            dirty = True
        if dirty:
            to_update.append(station)
    Station.objects.bulk_create(to_create, batch_size=2000)
    if to_update:
        Station.objects.bulk_update(to_update, ["name", "is_active"], batch_size=2000)
    gone = [code for code, s in existing.items() if code not in in_file and s.is_active]
    if gone:
        Station.objects.filter(code__in=gone).update(is_active=False)
        report.deactivated.extend(gone)
    for level in codes.LEVELS:
        report.counts[level] = sum(1 for r in rows if r["level"] == level)
    return report
