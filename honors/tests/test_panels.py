import pytest
from django.template import Context, Template
from django.test import RequestFactory

from honors import actions
from honors.models import HonorType

from .factories import VeteranFactory

pytestmark = pytest.mark.django_db


def _render(user, veteran):
    request = RequestFactory().get("/")
    request.user = user
    tpl = Template("{% load honors_panels %}{% veteran_honors_panel veteran %}")
    return tpl.render(Context({"request": request, "veteran": veteran}))


def test_panel_lists_awards_of_veteran_and_household(
    types,
    world,
    household,
    village_clerk,
    county_reviewer,
    city_reviewer,
    other_village_clerk,
    django_assert_max_num_queries,
):
    v = VeteranFactory(station=world["villageA1a"], household=household)
    n = actions.nomination_create(
        honor_type=types[HonorType.JRSJ], year=2026, household=household, reasons="好", user=village_clerk
    )
    actions.nomination_submit(nomination=n, user=village_clerk)
    actions.nomination_county_approve(nomination=n, user=county_reviewer)
    actions.nomination_city_approve(nomination=n, user=city_reviewer)
    actions.nomination_create(honor_type=types[HonorType.ZMTY], year=2026, veteran=v, reasons="好", user=village_clerk)
    with django_assert_max_num_queries(4):
        html = _render(village_clerk, v)
    assert "军人世家" in html and "CZ-JRSJ-2026-0001" in html and "最美退役军人" in html and "草稿" in html
    assert "军人世家" not in _render(other_village_clerk, v)
