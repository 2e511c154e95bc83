"""import_veterans FILE [--dry-run] | --template OUT.xlsx — the registry import on the command line.

Runs as the system actor (``canghzou_portal.access.system_actor``): the whole city, audited as
``系统:import_veterans``. Exit status 1 and the full report on any error (nothing is saved), 0 and
a summary otherwise.
"""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from canghzou_portal.access import system_actor
from veterans.importing import REGISTRY, run_import, template_workbook


class Command(BaseCommand):
    help = "导入退役军人信息（.xlsx 或 .csv，全部成功才保存）；或用 --template 生成空白导入模板。"

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="要导入的 .xlsx 或 .csv 文件")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不保存")
        parser.add_argument("--template", metavar="OUT.xlsx", help="把空白导入模板写到该文件")

    def handle(self, *args, file=None, dry_run=False, template=None, **options):
        if template:
            if file:
                raise CommandError("--template 不能与导入文件同时使用")
            out = Path(template)
            if not out.parent.is_dir():
                raise CommandError(f"目录不存在：{out.parent}")
            out.write_bytes(template_workbook(REGISTRY))
            self.stdout.write(self.style.SUCCESS(f"已生成导入模板：{out}"))
            return
        if not file:
            raise CommandError("请指定要导入的文件，例如：python manage.py import_veterans 名单.xlsx [--dry-run]")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        with path.open("rb") as fh:
            report = run_import(schema=REGISTRY, file_obj=fh, filename=path.name, user=_actor(), dry_run=dry_run)
        if not report.ok:
            self.stderr.write(report.as_text())
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS(report.summary()))
        for code, count in sorted(report.by_station.items()):
            self.stdout.write(f"  {code}：{count}人")
        self.stdout.write(f"用时 {report.seconds:.1f} 秒，文件 SHA-256 {report.file_sha256}")


def _actor():
    try:
        return system_actor("import_veterans")
    except PermissionDenied as exc:
        raise CommandError(str(exc)) from exc
