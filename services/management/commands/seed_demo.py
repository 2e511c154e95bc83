"""seed_demo: real stations plus realistic generated people and records in every app.

Each app contributes a ``<app>/demo.py`` with ``seed(ctx: DemoContext) -> dict[str, int]``;
they run in APP_ORDER, share one seeded random generator, and are deterministic for a seed.
"""

import importlib
import random
import time
from dataclasses import dataclass, field
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from services.demo_accounts import DEMO_REFUSED, FIRST_ADMIN_HINT, demo_allowed, ensure_demo_accounts
from services.loading import DEFAULT_FILE, load_stations
from services.models import Station

APP_ORDER = ("veterans", "services", "honors", "employment")


@dataclass
class DemoContext:
    rng: random.Random
    veterans: int
    seed: int
    today: date
    stdout: object = None
    data: dict = field(default_factory=dict)  # hand-over between apps (e.g. created ids)


class Command(BaseCommand):
    help = "生成演示数据：真实区划的服务站，加上各业务模块的模拟人员和记录（同一种子结果相同）。"

    def add_arguments(self, parser):
        parser.add_argument("--veterans", type=int, default=2000, help="生成退役军人人数（默认2000）")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（默认2026）")

    def handle(self, *args, veterans: int, seed: int, **options):
        if not demo_allowed():
            raise CommandError(f"{DEMO_REFUSED}\n{FIRST_ADMIN_HINT}")
        if veterans < 0 or veterans > 2_000_000:
            raise CommandError("--veterans 须为 0 到 2000000 之间的整数")
        if not Station.objects.exists():
            load_stations(DEFAULT_FILE)
        ensure_demo_accounts()
        ctx = DemoContext(
            rng=random.Random(seed), veterans=veterans, seed=seed, today=timezone.localdate(), stdout=self.stdout
        )
        for app in APP_ORDER:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError:
                continue
            started = time.perf_counter()
            counts = module.seed(ctx) or {}
            elapsed = time.perf_counter() - started
            summary = "，".join(f"{k} {v}" for k, v in counts.items())
            self.stdout.write(f"[{app}] {summary}（{elapsed:.1f} 秒）")
        self.stdout.write(self.style.SUCCESS("演示数据已生成。"))
