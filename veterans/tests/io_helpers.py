"""Helpers for the import/export tests: rows in the template's columns, as .xlsx or .csv bytes."""

from __future__ import annotations

import csv
import datetime
import io

from openpyxl import Workbook

from veterans.importing.registry import HEADERS
from veterans.tests.factories import make_id_number


def id_for(i: int, area: str = "130902") -> str:
    birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=i // 500)
    return make_id_number(area, birth, i % 500 * 2 + 1)


def row(i: int = 0, station: str = "130902001001", **overrides) -> dict:
    number = id_for(i)
    birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    data = {
        "姓名": f"张{'伟芳娜敏静丽强磊军洋'[i % 10]}{'一二三四五六七八九十'[(i // 10) % 10]}",
        "身份证号": number,
        "民族": "汉族",
        "手机号码": f"139{i:08d}",
        "户籍地址": "河北省沧州市新华区建设北街1号",
        "现居住地址": "河北省沧州市新华区建设北街1号",
        "服务站代码": station,
        "服役军种": "陆军",
        "入伍时间": birth.replace(year=birth.year + 18),
        "退役时间": birth.replace(year=birth.year + 20),
        "退役时军衔/级别": "下士",
        "人员类别": "退役士兵",
        "安置方式": "自主就业",
        "中共党员": "否",
        "文化程度": "高中/中专",
        "就业状态": "已就业",
        "在册状态": "在册",
        "登记日期": datetime.date(2025, 6, 1),
    }
    data.update(overrides)
    return data


def xlsx_bytes(rows: list[dict], headers=HEADERS) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("退役军人信息")
    ws.append(list(headers))
    for r in rows:
        ws.append([r.get(h) for h in headers])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(rows: list[dict], headers=HEADERS, encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for r in rows:
        values = []
        for h in headers:
            v = r.get(h)
            values.append(v.isoformat() if isinstance(v, datetime.date) else ("" if v is None else v))
        writer.writerow(values)
    return out.getvalue().encode(encoding)
