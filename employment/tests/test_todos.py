"""The employment app's to-dos (contract: canghzou_portal/todos.py): scoped, role-aware, ≤ 2 queries."""

import datetime

import pytest
from django.utils import timezone

from canghzou_portal.todos import Todo
from employment import actions
from employment.models import VentureStatusChange
from employment.todos import todos

from .factories import EnrolmentFactory, JobFairFactory, TrainingProgrammeFactory, VentureFactory, VeteranFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def waiting(world):
    ended = TrainingProgrammeFactory(county=world["countyA"], start_date=TODAY - 40 * DAY, end_date=TODAY - DAY)
    EnrolmentFactory(programme=ended, veteran=VeteranFactory(station=world["villageA1a"]))
    EnrolmentFactory(programme=ended, veteran=VeteranFactory(station=world["villageB1a"]))
    EnrolmentFactory(
        programme=ended,
        veteran=VeteranFactory(station=world["villageA1a"]),
        completed=True,
        completed_on=ended.end_date,
        result="passed",
    )
    JobFairFactory(county=world["countyA"], date=TODAY)
    JobFairFactory(county=world["countyA"], kind="online", date=TODAY)  # no door
    JobFairFactory(county=world["countyB"], date=TODAY - DAY, end_date=TODAY + DAY)
    old = VentureFactory(veteran=VeteranFactory(station=world["villageA1a"]), start_date=TODAY - 400 * DAY)
    VentureStatusChange.objects.create(venture=old, to_status="operating", date=old.start_date)
    fresh = VentureFactory(veteran=VeteranFactory(station=world["villageA1a"]), start_date=TODAY - 400 * DAY)
    VentureStatusChange.objects.create(venture=fresh, to_status="operating", date=old.start_date)
    VentureFactory(veteran=VeteranFactory(station=world["villageA1a"]), start_date=TODAY - 400 * DAY, status="closed")
    return {"fresh": fresh}


def test_counts_by_subtree_in_one_query(waiting, county_clerk, city_bureau, django_assert_max_num_queries, world):
    actions.venture_support_add(venture=waiting["fresh"], kind="guidance", date=TODAY - 10 * DAY, user=city_bureau)
    county_clerk.get_all_permissions()  # a page has loaded them already (the perms context)
    with django_assert_max_num_queries(2):  # the user's roles, and all the counts
        items = todos(county_clerk)
    assert {t.key: t.count for t in items} == {
        "training_outcomes": 1,
        "fair_checkins_today": 1,
        "ventures_follow_up": 1,
    }
    assert all(isinstance(t, Todo) and t.url.startswith("/station/employment/") for t in items)
    assert {t.key: t.count for t in todos(city_bureau)} == {
        "training_outcomes": 2,
        "fair_checkins_today": 2,
        "ventures_follow_up": 1,
    }


def test_zero_items_left_out_and_roles(waiting, other_village_clerk, county_stats_viewer, auditor, django_user_model):
    # village B1a: its trainee's programme ended; no fair or venture there (zero items left out)
    assert [(t.key, t.count) for t in todos(other_village_clerk)] == [("training_outcomes", 1)]
    assert todos(county_stats_viewer) == []
    assert todos(auditor) == []
    from django.contrib.auth.models import AnonymousUser

    assert todos(AnonymousUser()) == []


def test_todo_links_filter_the_lists(client_for, waiting, county_clerk):
    c = client_for(county_clerk)
    for t in todos(county_clerk):
        assert c.get(t.url).status_code == 200
