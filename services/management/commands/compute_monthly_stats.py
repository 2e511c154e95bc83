"""compute_monthly_stats --month YYYY-MM: compute a month's statistics inline (or --async)."""

from django.core.management.base import BaseCommand, CommandError

from services import stats
from services.models import METRIC_KEYS, MonthlyStatistic


class Command(BaseCommand):
    help = "计算某月的月度统计（各服务站及其全部下级的汇总），替换该月已有的统计数据。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--month", default="previous", help="统计月份 YYYY-MM；也可为 previous（上月，默认）或 current（本月）"
        )
        parser.add_argument("--async", dest="run_async", action="store_true", help="交给 Celery 后台执行")
        parser.add_argument("--fanout", action="store_true", help="按县（市、区）拆分给多个 Celery 任务并行计算")

    def handle(self, *args, month: str, run_async: bool, fanout: bool, **options):
        from services.tasks import compute_monthly_statistics, compute_monthly_statistics_fanout

        try:
            target = stats.assert_not_future(stats.parse_month(month))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        iso = f"{target:%Y-%m}"
        task = compute_monthly_statistics_fanout if fanout else compute_monthly_statistics
        if run_async:
            result = task.apply_async(kwargs={"month": iso})
            self.stdout.write(f"已提交 {iso} 月度统计任务（任务编号 {result.id}）。")
            return
        if fanout:
            summary = task.apply(kwargs={"month": iso}).get()
        else:
            try:
                summary = stats.compute_month(target)
            except stats.StatisticsBusy as exc:
                raise CommandError(str(exc)) from exc
        if summary.get("status") == "busy":
            raise CommandError(summary["message"])
        if summary.get("status") != "ok":
            self.stdout.write(f"{iso} 月度统计已分发：{summary}")
            return
        self._print_summary(summary)

    def _print_summary(self, summary: dict) -> None:
        labels = {f: str(MonthlyStatistic._meta.get_field(f).verbose_name) for f in METRIC_KEYS}
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary['month']} 月度统计完成：{summary['stations']} 个服务站，用时 {summary['seconds']} 秒，"
                f"批次 {summary['run_id']}"
            )
        )
        self.stdout.write(f"已计入模块：{'、'.join(summary['providers']) or '无'}")
        if summary["skipped"]:
            self.stdout.write(f"尚未提供统计的模块（已跳过）：{'、'.join(summary['skipped'])}")
        if summary["city"]:
            self.stdout.write("全市合计：")
            for key in METRIC_KEYS:
                self.stdout.write(f"  {labels[key]}：{summary['city'].get(key, 0)}")
