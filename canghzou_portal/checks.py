"""System checks of the portal's own settings (registered in canghzou_portal.apps)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, Tags.caches)
def redis_required_in_production(app_configs=None, **kwargs):
    """Production without Redis would keep rate-limit counters, lookup limits and the cache per
    process (every gunicorn worker its own), and run Celery tasks inside web requests."""
    if not getattr(settings, "PORTAL_PRODUCTION", False) or settings.REDIS_URL:
        return []
    return [
        Error(
            "生产环境必须配置 REDIS_URL：没有 Redis 时，限流计数、查询次数限制和缓存只在单个进程内有效，"
            "后台任务也会在网页请求中执行。",
            hint="在 .env 中设置 REDIS_URL=redis://:密码@主机:6379/0（见 .env.example）。",
            id="portal.E001",
        )
    ]
