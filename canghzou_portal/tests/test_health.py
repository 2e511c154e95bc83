import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["redis"] in {"ok", "not configured"}


def test_healthz_503_when_database_unreachable():
    """Run the view in a fresh process whose DATABASE_URL points at a closed port."""
    code = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "canghzou_portal.settings.test",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "DATABASE_POOL": "0",
    }
    env.pop("REDIS_URL", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, cwd=settings.BASE_DIR
    )
    payload = json.loads(result.stdout.strip().splitlines()[-1])
    assert payload == {"status": 503, "body": {"database": "error", "redis": "not configured"}}


def test_home_page_in_chinese(client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="zh-Hans">' in body
    assert "沧州市退役军人事务局" in body


def test_error_pages_in_chinese(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_settings_language_and_time():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True


def test_home_shows_headline_figures_of_last_month(client, world):
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from services.models import MonthlyStatistic

    for month, placements in ((datetime.date(2026, 9, 1), 11), (datetime.date(2026, 10, 1), 57)):
        MonthlyStatistic.objects.create(
            station=world["city"],
            month=month,
            placements=placements,
            ventures_new=7,
            employment_rate=Decimal("98.7"),
            veterans_total=1234,
            computed_at=timezone.now(),
            run_id="t",
        )
    body = client.get("/").content.decode()
    assert "2026年10月全市工作数据" in body
    assert ">57<" in body and "98.7%" in body


def test_home_lists_latest_public_postings_and_upcoming_fairs(client, world, django_assert_max_num_queries):
    import datetime

    from django.utils import timezone

    from employment.models import Employer, JobFair, JobPosting
    from services.models import Organization

    unit = Organization.objects.create(
        name="沧州拥军物流有限公司", credit_code="91130900MA0A1B2C3D", county=world["countyA"]
    )
    employer = Employer.objects.create(organization=unit)
    today = timezone.localdate()
    common = {
        "employer": employer,
        "county": world["countyA"],
        "description": "岗位职责",
        "salary_min": 3000,
        "salary_max": 5000,
    }
    JobPosting.objects.create(
        title="仓储管理员",
        status="published",
        published_at=timezone.now(),
        expires_on=today + datetime.timedelta(days=30),
        **common,
    )
    JobPosting.objects.create(
        title="草稿岗位", status="draft", expires_on=today + datetime.timedelta(days=30), **common
    )
    JobPosting.objects.create(
        title="过期岗位",
        status="published",
        published_at=timezone.now(),
        expires_on=today - datetime.timedelta(days=1),
        **common,
    )
    JobFair.objects.create(
        title="新华区退役军人专场招聘会",
        kind="onsite",
        date=today + datetime.timedelta(days=5),
        county=world["countyA"],
    )
    with django_assert_max_num_queries(4):
        body = client.get("/").content.decode()
    assert "仓储管理员" in body and "新华区退役军人专场招聘会" in body
    assert "草稿岗位" not in body and "过期岗位" not in body
