"""python manage.py import_veterans FILE [--dry-run] | --template OUT.xlsx"""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from veterans.importing.registry import HEADERS
from veterans.models import Veteran
from veterans.tests.io_helpers import csv_bytes, row, xlsx_bytes

pytestmark = pytest.mark.django_db


def _call(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_veterans", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_good_file_exits_0_with_a_summary(world, tmp_path):
    path = tmp_path / "ok.xlsx"
    # the command runs with the bureau's full rights: any county
    path.write_bytes(xlsx_bytes([row(1), row(2, station=world["villageB1a"].code)]))
    code, out, _err = _call(str(path))
    assert code == 0
    assert "导入成功：共新增2名" in out and world["villageB1a"].code in out
    assert Veteran.objects.count() == 2


def test_dry_run_exits_0_and_saves_nothing(world, tmp_path):
    path = tmp_path / "ok.csv"
    path.write_bytes(csv_bytes([row(1)]))
    code, out, _err = _call(str(path), "--dry-run")
    assert code == 0 and "预检通过" in out
    assert Veteran.objects.count() == 0


def test_bad_file_exits_1_and_prints_the_report(world, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx_bytes([row(1), row(2, 手机号码="123"), row(3, 服务站代码="130999999999")]))
    code, _out, err = _call(str(path))
    assert code == 1
    assert "第3行“手机号码”列" in err and "第4行“服务站代码”列" in err and "未保存任何数据" in err
    assert Veteran.objects.count() == 0


def test_template(tmp_path):
    path = tmp_path / "模板.xlsx"
    code, out, _err = _call("--template", str(path))
    assert code == 0 and "已生成导入模板" in out
    wb = load_workbook(path, read_only=True)
    assert next(wb.worksheets[0].iter_rows(values_only=True)) == HEADERS


@pytest.mark.parametrize(
    ("args", "message"),
    [([], "请指定要导入的文件"), (["/no/such/file.xlsx"], "文件不存在"), (["x.xlsx", "--template", "t.xlsx"], "不能")],
)
def test_bad_arguments(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("import_veterans", *args)
