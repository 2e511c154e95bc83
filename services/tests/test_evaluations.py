"""Station star rating (星级评定): tier rules, one per station and year, the current rating."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from services import actions, roles
from services.models import Station, StationEvaluation
from services.tests.record_factories import StationEvaluationFactory

pytestmark = pytest.mark.django_db

CHECKS = {
    "has_organization": True,
    "has_staffing": True,
    "has_personnel": True,
    "has_funding": False,
    "has_support": True,
}


def _save(user, station, year=2025, stars=4, score=Decimal("88.0"), evaluation=None):
    return actions.station_evaluation_save(
        user=user, station=station, year=year, evaluation=evaluation, score=score, stars=stars, notes="", **CHECKS
    )


@pytest.fixture
def county_bureau(world, make_user):
    return make_user(roles.ROLE_BUREAU, world["countyA"], username="county_bureau")


@pytest.fixture
def township_reviewer(world, make_user):
    return make_user(roles.ROLE_REVIEWER, world["townshipA1"], username="township_reviewer")


@pytest.mark.parametrize("target", ["townshipA1", "villageA1a", "villageA2b"])
def test_county_rates_its_townships_and_villages(county_reviewer, world, target):
    evaluation = _save(county_reviewer, world[target])
    assert evaluation.evaluator == county_reviewer
    assert Station.objects.get(pk=world[target].pk).star_rating == 4


def test_county_bureau_may_rate_too(county_bureau, world):
    assert _save(county_bureau, world["townshipA2"]).stars == 4


@pytest.mark.parametrize("target", ["countyA", "city", "townshipB1", "villageB1a", "countyB"])
def test_county_may_not_rate_itself_parent_or_others(county_reviewer, world, target):
    with pytest.raises(PermissionDenied):
        _save(county_reviewer, world[target])
    assert not StationEvaluation.objects.exists()


def test_city_rates_counties_only(city_reviewer, world):
    assert _save(city_reviewer, world["countyB"]).station == world["countyB"]
    for target in ("city", "townshipA1", "villageA1a"):
        with pytest.raises(PermissionDenied):
            _save(city_reviewer, world[target])


def test_township_rates_nobody(township_reviewer, world):
    for target in ("townshipA1", "villageA1a", "villageA1b"):
        with pytest.raises(PermissionDenied):
            _save(township_reviewer, world[target])


def test_clerk_has_no_permission(county_clerk, world):
    with pytest.raises(PermissionDenied):
        _save(county_clerk, world["townshipA1"])


def test_one_per_station_and_year(county_reviewer, world):
    _save(county_reviewer, world["townshipA1"])
    with pytest.raises(ValidationError) as exc:
        _save(county_reviewer, world["townshipA1"], stars=5)
    assert "已有星级评定" in exc.value.message_dict["year"][0]
    assert StationEvaluation.objects.count() == 1


def test_only_latest_year_sets_rating(county_reviewer, world):
    station = world["townshipA1"]
    _save(county_reviewer, station, year=2025, stars=3)
    _save(county_reviewer, station, year=2024, stars=5)  # an older year does not overwrite
    station.refresh_from_db()
    assert station.star_rating == 3
    latest = _save(county_reviewer, station, year=2026, stars=4)
    station.refresh_from_db()
    assert station.star_rating == 4
    _save(county_reviewer, station, year=2026, stars=2, evaluation=latest)  # correcting the latest
    station.refresh_from_db()
    assert station.star_rating == 2


@pytest.mark.parametrize(("score", "stars"), [(Decimal("100.1"), 3), (Decimal("-1"), 3), (Decimal("80"), 0), (80, 6)])
def test_score_and_stars_ranges(county_reviewer, world, score, stars):
    with pytest.raises(ValidationError):
        _save(county_reviewer, world["townshipA1"], score=score, stars=stars)


def test_pages(client_for, county_reviewer, world):
    client = client_for(county_reviewer)
    form = client.get("/station/services/evaluations/new/").content.decode()
    assert world["townshipA1"].name in form
    assert f'value="{world["countyA"].code}"' not in form
    assert f'value="{world["townshipB1"].code}"' not in form
    data = {"station": world["villageA1a"].code, "year": 2025, "score": "92.5", "stars": 5, **CHECKS}
    assert client.post("/station/services/evaluations/new/", data).status_code == 302
    duplicate = client.post("/station/services/evaluations/new/", data)
    assert duplicate.status_code == 200
    assert "已有星级评定" in duplicate.content.decode()
    evaluation = StationEvaluation.objects.get()
    edit = client.post(f"/station/services/evaluations/{evaluation.pk}/edit/", {**data, "stars": 3})
    assert edit.status_code == 302
    assert Station.objects.get(pk=world["villageA1a"].pk).star_rating == 3
    assert "92.5" in client.get("/station/services/evaluations/").content.decode()
    # the public station finder shows the current rating
    finder = client.get("/stations/", {"q": world["villageA1a"].name}).content.decode()
    assert "3星级" in finder


def test_forbidden_pages(client_for, county_clerk, township_reviewer, world):
    assert client_for(county_clerk).get("/station/services/evaluations/new/").status_code == 403
    assert client_for(township_reviewer).get("/station/services/evaluations/new/").status_code == 403
    assert client_for(county_clerk).get("/station/services/evaluations/").status_code == 200


def test_county_may_not_edit_city_rating_of_itself(client_for, county_reviewer, city_reviewer, world):
    evaluation = _save(city_reviewer, world["countyA"])
    response = client_for(county_reviewer).get(f"/station/services/evaluations/{evaluation.pk}/edit/")
    assert response.status_code == 403


def test_list_constant_queries(client_for, city_reviewer, world, django_assert_max_num_queries):
    client = client_for(city_reviewer)
    StationEvaluationFactory(station=world["countyA"], evaluator=city_reviewer)
    client.get("/station/services/evaluations/")
    with django_assert_max_num_queries(12) as few:
        client.get("/station/services/evaluations/")
    for year in range(2019, 2025):
        for key in ("countyB", "townshipA1", "villageA1a"):
            StationEvaluationFactory(station=world[key], year=year, evaluator=city_reviewer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/station/services/evaluations/").status_code == 200


def test_admin_save_goes_through_tier_rules(client_for, world, make_user):
    user = make_user(roles.ROLE_BUREAU, world["countyA"], is_staff=True)
    client = client_for(user)
    data = {"year": 2025, "score": "90", "stars": 5, "notes": "", **{k: "on" for k, v in CHECKS.items() if v}}
    ok = client.post("/admin/services/stationevaluation/add/", {**data, "station": world["townshipA2"].code})
    assert ok.status_code == 302
    assert Station.objects.get(pk=world["townshipA2"].pk).star_rating == 5
    assert StationEvaluation.objects.get().evaluator == user
    refused = client.post("/admin/services/stationevaluation/add/", {**data, "station": world["countyA"].code})
    assert refused.status_code == 200
    assert "市级评定县级服务中心，县级评定本县的乡镇和村服务站" in refused.content.decode()
    assert StationEvaluation.objects.count() == 1


@pytest.mark.parametrize(
    ("home", "levels"),
    [("city", ("county",)), ("countyA", ("township", "village")), ("townshipA1", ()), ("villageA1a", ())],
)
def test_evaluable_levels_and_stations_by_tier(world, make_user, home, levels):
    from services import selectors

    user = make_user(roles.ROLE_REVIEWER, world[home])
    assert selectors.evaluable_levels(user) == levels
    stations = set(selectors.evaluable_stations(user).values_list("code", flat=True))
    expected = {
        s.code
        for s in world.values()
        if s.level in levels and s.code != world[home].code and world[home].contains(s.code)
    }
    assert stations == expected
