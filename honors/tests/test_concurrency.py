"""Two city reviewers approving at the same moment get distinct certificate numbers (PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from honors import actions
from honors.models import Award, HonorType

from .factories import HouseholdFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_parallel_city_approvals_get_distinct_serials(types, world, village_clerk, county_reviewer, city_reviewer):
    nominations = []
    for _ in range(4):
        n = actions.nomination_create(
            honor_type=types[HonorType.JRJT],
            year=2026,
            household=HouseholdFactory(station=world["villageA1a"]),
            reasons="好",
            user=village_clerk,
        )
        actions.nomination_submit(nomination=n, user=village_clerk)
        actions.nomination_county_approve(nomination=n, user=county_reviewer)
        nominations.append(n)
    barrier = threading.Barrier(len(nominations))
    errors = []

    def approve(n):
        try:
            barrier.wait(timeout=10)
            actions.nomination_city_approve(nomination=n, user=city_reviewer)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(n,)) for n in nominations]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert sorted(Award.objects.values_list("serial", flat=True)) == [1, 2, 3, 4]
