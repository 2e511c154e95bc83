"""export_veterans OUT.xlsx [--station CODE] — the registry in exactly the columns the import reads.

Runs as the system actor (``canghzou_portal.access.system_actor``, audited as
``系统:export_veterans``): full ID and phone numbers, every station of the city (or one subtree),
so an export of one database imports whole into another. ``.csv`` output when OUT ends in .csv.
"""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from canghzou_portal.access import system_actor
from canghzou_portal.codes import is_valid_code
from services.models import Station
from veterans.importing import run_export


class Command(BaseCommand):
    help = "导出退役军人信息（与导入模板相同的列，完整号码），可按服务站代码限定范围。"

    def add_arguments(self, parser):
        parser.add_argument("out", help="输出文件（.xlsx 或 .csv）")
        parser.add_argument("--station", metavar="CODE", help="只导出该服务站及其下级（12位区划代码）")

    def handle(self, *args, out, station=None, **options):
        path = Path(out)
        suffix = path.suffix.lower()
        if suffix not in (".xlsx", ".csv"):
            raise CommandError("输出文件须以 .xlsx 或 .csv 结尾")
        if not path.parent.is_dir():
            raise CommandError(f"目录不存在：{path.parent}")
        if station is not None:
            if not is_valid_code(station):
                raise CommandError(f"服务站代码“{station}”应为12位数字的统计用区划代码")
            if not Station.objects.filter(code=station).exists():
                raise CommandError(f"服务站代码“{station}”不存在")
        try:
            actor = system_actor("export_veterans")
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        with path.open("wb") as fh:
            count = run_export(user=actor, out=fh, file_format=suffix[1:], station_code=station)
        self.stdout.write(self.style.SUCCESS(f"已导出{count}名退役军人到 {path}"))
