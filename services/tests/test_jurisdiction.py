"""Jurisdiction at every tier: own subtree visible, siblings, parents and cousins 404."""

import pytest

from canghzou_portal.scoping import scope_queryset
from services import roles
from services.models import Station

pytestmark = pytest.mark.django_db

# user's station key -> station keys that must be visible; everything else must not be.
VISIBLE = {
    "city": None,  # everything
    "countyA": {"countyA", "townshipA1", "townshipA2", "villageA1a", "villageA1b", "villageA2a", "villageA2b"},
    "townshipA1": {"townshipA1", "villageA1a", "villageA1b"},
    "villageA1a": {"villageA1a"},
}


@pytest.mark.parametrize("home", list(VISIBLE))
def test_station_queryset_by_tier(world, make_user, home):
    user = make_user(roles.ROLE_CLERK, world[home])
    visible = set(scope_queryset(Station.objects.all(), user).values_list("code", flat=True))
    expected = {s.code for s in world.values()} if VISIBLE[home] is None else {world[k].code for k in VISIBLE[home]}
    assert visible == expected


def test_no_station_sees_nothing(world, make_user):
    user = make_user(roles.ROLE_CLERK, None)
    assert not scope_queryset(Station.objects.all(), user).exists()


def test_superuser_sees_all(world, superuser):
    assert scope_queryset(Station.objects.all(), superuser).count() == len(world)


@pytest.mark.parametrize("home", ["countyA", "townshipA1", "villageA1a"])
def test_station_pages_and_admin_404_outside(world, make_user, client_for, home):
    user = make_user(roles.ROLE_BUREAU, world[home], is_staff=True)
    client = client_for(user)
    allowed = VISIBLE[home]
    for key, station in world.items():
        page = client.get(f"/station/network/{station.code}/")
        admin = client.get(f"/admin/services/station/{station.code}/change/")
        if key in allowed:
            assert page.status_code == 200, key
            assert admin.status_code == 200, key
        else:
            assert page.status_code == 404, key
            assert admin.status_code == 404, key


def test_admin_changelist_is_scoped(world, make_user, client_for):
    user = make_user(roles.ROLE_BUREAU, world["townshipA1"], is_staff=True)
    response = client_for(user).get("/admin/services/station/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "新华区1街道1社区" in body
    assert "运河区" not in body


def test_dashboard_shows_chain_and_children(world, township_clerk, client_for, django_assert_max_num_queries):
    client = client_for(township_clerk)
    with django_assert_max_num_queries(12):
        response = client.get("/station/")
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("沧州市", "新华区", "新华区第1街道", "新华区1街道1社区", "新华区1街道2社区"):
        assert name in body


def test_dashboard_refuses_auditor_and_anonymous(world, auditor, client_for, client):
    assert client_for(auditor).get("/station/").status_code == 403
    response = client.get("/station/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_station_finder_public(world, client):
    response = client.get("/stations/")
    assert response.status_code == 200 and "沧州市" in response.content.decode()
    response = client.get("/stations/", {"parent": world["countyA"].code})
    body = response.content.decode()
    assert "新华区第1街道" in body and "运河区第1街道" not in body
    response = client.get("/stations/", {"q": "运河"})
    assert "运河区第2街道" in response.content.decode()
    assert client.get("/stations/", {"parent": "abc"}).status_code == 404
    assert client.get(f"/stations/{world['villageA1a'].code}/").status_code == 200


def test_navigation_follows_the_role(world, township_clerk, county_stats_viewer, client_for):
    clerk_page = client_for(township_clerk).get("/station/").content.decode()
    for link in ("/station/veterans/", "/station/services/", "/station/honors/", "/station/stats/"):
        assert f'href="{link}"' in clerk_page
    viewer_page = client_for(county_stats_viewer).get("/station/").content.decode()
    assert 'href="/station/stats/"' in viewer_page
    for link in ("/station/veterans/", "/station/services/", "/station/honors/", "/station/employment/"):
        assert f'href="{link}"' not in viewer_page
