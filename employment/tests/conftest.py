import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from services import roles

from .factories import EmployerFactory, JobPostingFactory, VeteranFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and board pages live in the cache: start every test empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def employer_a(world):
    return EmployerFactory(name="沧州华北重工有限公司", county=world["countyA"], is_partner=True)


@pytest.fixture
def employer_b(world):
    return EmployerFactory(name="运河物流股份有限公司", county=world["countyB"], is_partner=False)


@pytest.fixture
def employer_user(make_user, employer_a):
    return make_user(roles.ROLE_EMPLOYER, None, username="emp_a", employer=employer_a)


@pytest.fixture
def other_employer_user(make_user, employer_b):
    return make_user(roles.ROLE_EMPLOYER, None, username="emp_b", employer=employer_b)


@pytest.fixture
def posting_a(employer_a, world):
    return JobPostingFactory(employer=employer_a, county=world["countyA"], title="安保主管")


@pytest.fixture
def posting_b(employer_b, world):
    return JobPostingFactory(employer=employer_b, county=world["countyB"], title="仓储管理员", category="logistics")


@pytest.fixture
def veteran_a(world):
    return VeteranFactory(station=world["villageA1a"], name="张卫国")


@pytest.fixture
def veteran_b(world):
    return VeteranFactory(station=world["villageB1a"], name="李建功")


@pytest.fixture
def tomorrow():
    return timezone.localdate() + datetime.timedelta(days=1)
