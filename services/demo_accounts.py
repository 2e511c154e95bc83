"""Demo accounts for `make run` (one per role and tier). Never created in production."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction

from canghzou_portal import codes

from .models import Station, User
from .roles import (
    ROLE_AUDITOR,
    ROLE_BUREAU,
    ROLE_CLERK,
    ROLE_REVIEWER,
    ROLE_STATS,
    ROLE_SYSADMIN,
)

DEMO_PASSWORD = "Demo@2026cz"  # noqa: S105 - printed on purpose for the demo

DEMO_REFUSED = (
    "生产环境（canghzou_portal.settings.production）不创建演示账号和演示数据：演示账号的密码公开在 README 中。"
)
FIRST_ADMIN_HINT = (
    "第一个管理员请用 `python manage.py create_admin <用户名>` 创建（随机密码和身份验证器绑定码只显示一次），"
    "或用 `python manage.py createsuperuser`（再用 `python manage.py issue_enrolment_code <用户名>` 签发绑定码）；"
    "服务站网络用 `python manage.py bootstrap_portal --no-demo` 加载。"
)


def demo_allowed() -> bool:
    return not getattr(settings, "PORTAL_PRODUCTION", False)


def refuse_demo_in_production() -> None:
    """Every path that creates demo accounts or data calls this first."""
    if not demo_allowed():
        raise PermissionDenied(f"{DEMO_REFUSED}{FIRST_ADMIN_HINT}")


def _first(level: str, under: str | None = None) -> Station | None:
    qs = Station.objects.active().filter(level=level)
    if under:
        qs = qs.in_subtree(under)
    return qs.order_by("code").first()


def demo_account_specs() -> list[tuple[str, str, str, Station | None, bool]]:
    """(username, full name, role, station, is_staff)"""
    city = _first(codes.CITY)
    county = Station.objects.filter(code="130921000000").first() or _first(codes.COUNTY)
    township = _first(codes.TOWNSHIP, county.code) if county else None
    village = _first(codes.VILLAGE, township.code) if township else None
    return [
        ("sysadmin", "系统管理员（演示）", ROLE_SYSADMIN, city, True),
        ("auditor", "审计员（演示）", ROLE_AUDITOR, city, False),
        ("bureau", "市局工作人员（演示）", ROLE_BUREAU, city, True),
        ("city_reviewer", "市级审核员（演示）", ROLE_REVIEWER, city, False),
        ("county_reviewer", "县级审核员（演示）", ROLE_REVIEWER, county, False),
        ("county_stats", "县级统计查看员（演示）", ROLE_STATS, county, False),
        ("township_clerk", "乡镇经办员（演示）", ROLE_CLERK, township, False),
        ("village_clerk", "村级经办员（演示）", ROLE_CLERK, village, False),
    ]


@transaction.atomic
def ensure_demo_accounts() -> list[tuple[str, str, Station | None]]:
    refuse_demo_in_production()
    created = []
    for username, full_name, role, station, is_staff in demo_account_specs():
        if station is None or User.objects.filter(username=username).exists():
            continue
        user = User.objects.create_user(
            username=username, password=DEMO_PASSWORD, full_name=full_name, station=station, is_staff=is_staff
        )
        user.groups.add(Group.objects.get(name=role))
        created.append((username, role, station))
    return created
