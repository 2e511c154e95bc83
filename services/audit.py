"""The audit trail's labels and retention. Events are written by ``canghzou_portal.audit.audit``;
:func:`purge_audit_events` is the one way rows leave the trail (retention, raw SQL).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import connections, router
from django.utils import timezone

from .models import AuditEvent

# Chinese labels of the actions written by the portal (the auditor's filter offers these).
# Apps may write other actions; they show under their code.
ACTION_LABELS: dict[str, str] = {
    "login": "登录",
    "logout": "退出",
    "login_failed": "登录失败",
    "lockout": "账号锁定",
    "session_expired": "会话超时",
    "otp_verified": "动态验证码通过",
    "otp_failed": "动态验证码错误",
    "otp_enrolled": "绑定身份验证器",
    "role_change": "角色变更",
    "access_denied": "拒绝访问",
    "out_of_scope": "访问辖区外记录",
    "rate_limited": "请求过频",
    "lookup_locked": "查询错误次数超限",
    "pii_reveal": "查看完整个人信息",
    "export": "导出",
    "import": "导入",
    "approve": "审核通过",
    "reject": "审核退回",
    "create": "新增",
    "change": "修改",
    "delete": "删除",
}

# The audit trail is kept at least this long (GB/T 22239 level 3 asks for ≥ 6 months).
AUDIT_MIN_RETENTION_DAYS = 184


def purge_audit_events(*, older_than_days: int, using: str | None = None) -> int:
    """Delete audit rows older than ``older_than_days`` days; returns how many.

    THE ONLY EXCEPTION to the append-only rule: the model and its queryset refuse every
    update and delete, so retention goes through this raw SQL statement. It refuses anything
    younger than AUDIT_MIN_RETENTION_DAYS. In production the web application's database role
    has no DELETE on the table (docs/security.md); run the purge with the maintenance role.
    """
    if older_than_days < AUDIT_MIN_RETENTION_DAYS:
        raise ValueError(f"审计日志至少保留 {AUDIT_MIN_RETENTION_DAYS} 天")
    cutoff = timezone.now() - timedelta(days=older_than_days)
    alias = using or router.db_for_write(AuditEvent)
    quote = connections[alias].ops.quote_name
    table, column = quote(AuditEvent._meta.db_table), quote(AuditEvent._meta.get_field("time").column)
    with connections[alias].cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {column} < %s", [cutoff])  # noqa: S608 - names from the model
        return cursor.rowcount
