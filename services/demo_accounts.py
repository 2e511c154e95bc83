"""Demo accounts for `make run` (one per role and tier). Never created in production."""

from __future__ import annotations

from django.contrib.auth.models import Group
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
