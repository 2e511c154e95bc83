"""Retention of the audit trail: ``manage.py purge_audit --older-than-days N`` (N ≥ 184)."""

from django.core.management.base import BaseCommand, CommandError

from services.audit import AUDIT_MIN_RETENTION_DAYS, purge_audit_events


class Command(BaseCommand):
    help = "删除早于指定天数的审计日志（至少保留 184 天）。"

    def add_arguments(self, parser):
        parser.add_argument("--older-than-days", type=int, required=True, help="删除早于该天数的记录（≥ 184）")
        parser.add_argument("--database", default=None, help="数据库别名（维护账号，见 docs/security.md）")

    def handle(self, *args, **options):
        days = options["older_than_days"]
        if days < AUDIT_MIN_RETENTION_DAYS:
            raise CommandError(f"审计日志至少保留 {AUDIT_MIN_RETENTION_DAYS} 天，拒绝删除 {days} 天内的记录。")
        deleted = purge_audit_events(older_than_days=days, using=options["database"])
        self.stdout.write(f"已删除 {deleted} 条早于 {days} 天的审计日志。")
