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
