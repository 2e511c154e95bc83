from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from services.loading import DEFAULT_FILE
from services.models import Station

pytestmark = pytest.mark.django_db


def run(path) -> str:
    out = StringIO()
    call_command("load_stations", str(path), stdout=out)
    return out.getvalue()


def test_real_file_counts_and_idempotency():
    output = run(DEFAULT_FILE)
    assert "新建 6323 个服务站" in output
    counts = {level: Station.objects.filter(level=level).count() for level in ("city", "county", "township", "village")}
    assert counts == {"city": 1, "county": 19, "township": 209, "village": 6094}
    # every non-city station hangs under its parent code
    assert not Station.objects.exclude(level="city").filter(parent__isnull=True).exists()
    assert Station.objects.get(code="130902000000").name == "新华区"
    again = run(DEFAULT_FILE)
    assert "没有变化" in again
    assert Station.objects.count() == 6323


def _write(tmp_path, lines):
    path = tmp_path / "divisions.csv"
    path.write_text("code,name,level,parent_code\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_rename_and_deactivate(tmp_path):
    run(
        _write(
            tmp_path,
            [
                "130900000000,沧州市,city,",
                "130902000000,新华区,county,130900000000",
                "130903000000,运河区,county,130900000000",
            ],
        )
    )
    output = run(_write(tmp_path, ["130900000000,沧州市,city,", "130902000000,新华区（新）,county,130900000000"]))
    assert "更名：130902000000 “新华区” → “新华区（新）”" in output
    assert "停用 1 个" in output
    gone = Station.objects.get(code="130903000000")
    assert gone.is_active is False  # deactivated, never deleted
    assert Station.objects.get(code="130902000000").name == "新华区（新）"
    # reappearing code is re-enabled
    output = run(
        _write(
            tmp_path,
            [
                "130900000000,沧州市,city,",
                "130902000000,新华区（新）,county,130900000000",
                "130903000000,运河区,county,130900000000",
            ],
        )
    )
    assert "重新启用 1 个" in output
    assert Station.objects.get(code="130903000000").is_active


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            ["130900000000,沧州市,city,", "13090200000,新华区,county,130900000000"],
            "第3行：区划代码“13090200000”应为12位数字",
        ),
        (
            ["130900000000,沧州市,city,", "130902001000,某街道,county,130900000000"],
            "第3行：区划代码 130902001000 表示乡镇级",
        ),
        (
            ["130900000000,沧州市,city,", "130902001000,某街道,township,130902000000"],
            "第3行：上级区划代码 130902000000 不在文件中",
        ),
        (
            [
                "130900000000,沧州市,city,",
                "130902000000,新华区,county,130900000000",
                "130902000000,重复,county,130900000000",
            ],
            "第4行：区划代码 130902000000 与第3行重复",
        ),
        (["130900000000,沧州市,town,"], "第2行：层级“town”无效"),
    ],
)
def test_malformed_file_loads_nothing(tmp_path, lines, message):
    with pytest.raises(CommandError) as excinfo:
        run(_write(tmp_path, lines))
    assert message in str(excinfo.value)
    assert Station.objects.count() == 0


def test_missing_file(tmp_path):
    with pytest.raises(CommandError, match="无法打开文件"):
        run(tmp_path / "nope.csv")
