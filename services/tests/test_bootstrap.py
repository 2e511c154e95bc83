from io import StringIO

import pytest
from django.core.management import call_command

from services.models import MonthlyStatistic, Station, User
from veterans.models import Veteran

pytestmark = pytest.mark.django_db


def test_first_start_loads_stations_accounts_demo_data_and_is_idempotent():
    out = StringIO()
    call_command("bootstrap_portal", demo_veterans=60, stdout=out)
    assert Station.objects.count() == 6323
    assert User.objects.filter(username="admin", is_superuser=True).exists()
    for username in ("sysadmin", "auditor", "bureau", "county_reviewer", "township_clerk", "village_clerk"):
        assert User.objects.get(username=username).check_password("Demo@2026cz")
    assert Veteran.objects.count() == 60
    assert MonthlyStatistic.objects.filter(station__level="city").exists()
    assert "village_clerk" in out.getvalue()
    call_command("bootstrap_portal", demo_veterans=60, stdout=StringIO())
    assert Veteran.objects.count() == 60 and User.objects.filter(username="admin").count() == 1


def test_no_demo_creates_no_accounts():
    call_command("bootstrap_portal", no_demo=True, stdout=StringIO())
    assert Station.objects.count() == 6323
    assert not User.objects.exists()


# --- issue 15, point 2: no demo accounts or data under production settings -------------------------
@pytest.fixture
def production(settings):
    settings.PORTAL_PRODUCTION = True


@pytest.mark.usefixtures("production")
def test_production_refuses_demo_accounts_and_data_and_writes_nothing():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as exc:
        call_command("bootstrap_portal", demo_veterans=10, stdout=StringIO())
    assert "生产环境" in str(exc.value) and "create_admin" in str(exc.value)
    assert not User.objects.exists() and not Station.objects.exists()
    with pytest.raises(CommandError) as exc:
        call_command("seed_demo", veterans=10, stdout=StringIO())
    assert "不创建演示账号和演示数据" in str(exc.value)
    assert not User.objects.exists() and not Veteran.objects.exists()


@pytest.mark.usefixtures("production")
def test_production_bootstrap_without_demo_loads_the_stations_only():
    call_command("bootstrap_portal", no_demo=True, stdout=StringIO())
    assert Station.objects.count() == 6323 and not User.objects.exists()


@pytest.mark.usefixtures("production")
def test_demo_accounts_cannot_be_created_by_any_path():
    from django.core.exceptions import PermissionDenied

    from services.demo_accounts import ensure_demo_accounts

    with pytest.raises(PermissionDenied):
        ensure_demo_accounts()


def test_create_admin_prints_a_random_password_once(world):
    import re

    from django.contrib.auth.password_validation import validate_password

    from services.models import AuditEvent

    out = StringIO()
    call_command("create_admin", "zhang_admin", full_name="张管理", stdout=out)
    text = out.getvalue()
    password = re.search(r"初始密码.*?：(\S+)", text).group(1)
    user = User.objects.get(username="zhang_admin")
    assert user.is_superuser and user.is_staff and user.check_password(password)
    validate_password(password, user)
    assert not user.check_password("Demo@2026cz")
    assert AuditEvent.objects.filter(action="admin_created", object_id=str(user.pk)).exists()
    second = StringIO()
    call_command("create_admin", "li_admin", stdout=second)
    assert password not in second.getvalue()  # random each time


@pytest.mark.parametrize(("name", "message"), [("zhang_admin", "已存在"), ("bad name!", "无效"), ("  ", "请提供")])
def test_create_admin_refuses_bad_or_taken_names(world, name, message):
    from django.core.management.base import CommandError

    User.objects.create_user("zhang_admin", password="x")
    with pytest.raises(CommandError) as exc:
        call_command("create_admin", name, stdout=StringIO())
    assert message in str(exc.value)
    assert User.objects.count() == 1
