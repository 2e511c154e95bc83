import os
from io import StringIO

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from services.demo_accounts import (
    DEMO_PASSWORD,
    DEMO_REFUSED,
    FIRST_ADMIN_HINT,
    demo_account_specs,
    demo_allowed,
    ensure_demo_accounts,
)
from services.loading import DEFAULT_FILE, load_stations
from services.models import Station, User


class Command(BaseCommand):
    help = (
        "首次启动：加载服务站网络；演示环境下创建演示管理员和各角色账号（已存在则跳过）。"
        "生产环境只能加 --no-demo 运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="不创建演示账号和演示数据")
        parser.add_argument(
            "--demo-veterans", type=int, default=2000, help="首次启动生成的演示退役军人人数（默认2000）"
        )

    def handle(self, *args, no_demo: bool, demo_veterans: int, **options):
        if not no_demo and not demo_allowed():
            # Refused before anything is written: nothing partial.
            raise CommandError(f"{DEMO_REFUSED}\n{FIRST_ADMIN_HINT}")
        if not Station.objects.exists():
            report = load_stations(DEFAULT_FILE)
            self.stdout.write(f"已加载服务站 {len(report.created)} 个（{DEFAULT_FILE.name}）")
        if no_demo:
            return
        if not User.objects.filter(is_superuser=True).exists():
            password = os.environ.get("DEMO_ADMIN_PASSWORD", DEMO_PASSWORD)
            User.objects.create_superuser("admin", password=password, full_name="演示管理员")
            self.stdout.write(self.style.SUCCESS("已创建演示管理员 admin"))
        ensure_demo_accounts()
        from veterans.models import Veteran

        if not Veteran.objects.exists():
            self.stdout.write(f"首次启动：生成演示数据（{demo_veterans} 名退役军人及各模块记录）并计算月度统计……")
            call_command("seed_demo", veterans=demo_veterans, stdout=self.stdout)
            for month in ("previous", "current"):
                call_command("compute_monthly_stats", month=month, stdout=StringIO())
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}，admin 为超级管理员）：")
        self.stdout.write("  admin            超级管理员  http://127.0.0.1:8000/admin/")
        for username, _full, role, station, _staff in demo_account_specs():
            if station is not None:
                self.stdout.write(f"  {username:<16} {role}  {station.name}（{station.code}）")
        self.stdout.write("  employer         企业用户（演示企业）")
