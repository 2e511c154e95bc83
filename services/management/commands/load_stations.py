from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from canghzou_portal import codes
from services.loading import StationFileError, load_stations


class Command(BaseCommand):
    help = "从统计用区划代码文件（CSV：code,name,level,parent_code）加载或更新服务站网络。可重复执行。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="区划代码 CSV 文件路径")

    def handle(self, *args, file: Path, **options):
        try:
            report = load_stations(file)
        except StationFileError as exc:
            raise CommandError("区划文件有误，未加载任何数据：\n" + "\n".join(exc.errors)) from exc
        counts = "，".join(f"{codes.LEVEL_LABELS[k]} {v} 个" for k, v in report.counts.items())
        self.stdout.write(f"文件包含：{counts}")
        if not report.changed:
            self.stdout.write(self.style.SUCCESS("服务站数据已是最新，没有变化。"))
            return
        self.stdout.write(self.style.SUCCESS(f"新建 {len(report.created)} 个服务站"))
        for code, old, new in report.renamed:
            self.stdout.write(f"更名：{code} “{old}” → “{new}”")
        if report.reactivated:
            self.stdout.write(f"重新启用 {len(report.reactivated)} 个：{', '.join(report.reactivated[:20])}")
        if report.deactivated:
            self.stdout.write(
                f"停用 {len(report.deactivated)} 个（文件中已无此代码）：{', '.join(report.deactivated[:20])}"
            )
