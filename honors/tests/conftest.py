from __future__ import annotations

import pytest

from honors.models import HonorType

from .factories import HouseholdFactory, VeteranFactory


@pytest.fixture
def household(world):
    return HouseholdFactory(station=world["villageA1a"], head_name="刘光荣")


@pytest.fixture
def other_household(world):
    return HouseholdFactory(station=world["villageB1a"], head_name="孙远方")


@pytest.fixture
def veteran(world):
    return VeteranFactory(station=world["villageA1a"], name="张卫国")


@pytest.fixture
def types(db):
    return {t.code: t for t in HonorType.objects.all()}
