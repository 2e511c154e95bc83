"""A test-only statistics provider that fails (listed in PORTAL_STATS_APPS by a test)."""


def monthly_metrics(*, month_start, month_end):
    raise RuntimeError("统计模块故障（测试）")
