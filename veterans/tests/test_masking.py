"""Masking: no full ID number or phone in a clerk's pages; full numbers only with the permission, audited."""

import re

import pytest
from django.urls import reverse

from services import roles
from services.models import AuditEvent
from veterans.tests.factories import HouseholdFactory, VeteranFactory

pytestmark = pytest.mark.django_db

FULL_ID = re.compile(r"\d{17}[\dXx]")
FULL_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def _pages(v):
    return [
        reverse("veterans:list"),
        reverse("veterans:list") + f"?q={v.name}",
        reverse("veterans:detail", args=[v.pk]),
        reverse("veterans:edit", args=[v.pk]),
        reverse("veterans:transfer", args=[v.pk]),
    ]


def _assert_masked(html: str):
    assert not FULL_ID.search(html), FULL_ID.search(html).group()
    assert not FULL_MOBILE.search(html), FULL_MOBILE.search(html).group()


@pytest.mark.parametrize("who", ["village_clerk", "township_clerk", "county_clerk", "county_reviewer"])
def test_clerk_pages_never_show_a_full_number(world, client_for, request, who):
    user = request.getfixturevalue(who)
    household = HouseholdFactory(station=world["villageA1a"])
    veterans = VeteranFactory.create_batch(3, station=world["villageA1a"], household=household)
    VeteranFactory(station=world["villageA1a"], id_number="11010519491231002X")  # an X check character
    v = veterans[0]
    client = client_for(user)
    for url in _pages(v):
        response = client.get(url)
        if response.status_code == 403:  # reviewers may not edit or transfer
            continue
        assert response.status_code == 200, url
        html = response.content.decode()
        _assert_masked(html)
        if "/station/veterans/?" in url or url == reverse("veterans:list"):
            assert v.masked_id_number in html and v.masked_phone in html
    assert not AuditEvent.objects.filter(action__in=["pii_reveal", "pii_list_view"]).exists()


def test_masked_values_shape(world):
    v = VeteranFactory(station=world["villageA1a"], id_number="11010519491231002X", phone="13812345678")
    assert v.masked_id_number == "110105********002X"
    assert v.masked_phone == "138****5678"


def test_search_by_full_id_answers_with_masked_row(world, village_clerk, client_for):
    v = VeteranFactory(station=world["villageA1a"])
    html = client_for(village_clerk).get(reverse("veterans:list"), {"q": v.id_number}).content.decode()
    assert v.masked_id_number in html
    # the search box echoes what the clerk typed; the table itself stays masked
    table = html[html.index("<table") :]
    _assert_masked(table)


def test_invalid_form_echo_does_not_leak_stored_numbers(world, village_clerk, client_for):
    v = VeteranFactory(station=world["villageA1a"], phone="13866667777")
    data = {"name": "", "version": 1}
    html = client_for(village_clerk).post(reverse("veterans:edit", args=[v.pk]), data).content.decode()
    assert v.id_number not in html and "13866667777" not in html


def test_pii_permission_shows_full_list_and_audits_it(world, city_bureau, client_for):
    v = VeteranFactory(station=world["villageA1a"], phone="13899990000")
    html = client_for(city_bureau).get(reverse("veterans:list")).content.decode()
    assert v.id_number in html and "13899990000" in html
    event = AuditEvent.objects.get(action="pii_list_view")
    assert event.user == city_bureau and event.detail["veteran_ids"] == [v.pk]


def test_pii_permission_detail_is_masked_until_reveal(world, city_bureau, client_for):
    v = VeteranFactory(station=world["villageA1a"])
    client = client_for(city_bureau)
    html = client.get(reverse("veterans:detail", args=[v.pk])).content.decode()
    _assert_masked(html)
    assert "显示完整号码" in html
    revealed = client.post(reverse("veterans:reveal", args=[v.pk])).content.decode()
    assert v.id_number in revealed
    assert AuditEvent.objects.filter(action="pii_reveal", user=city_bureau, object_id=str(v.pk)).count() == 1


def test_each_reveal_is_audited(world, make_user, client_for):
    county_bureau = make_user(roles.ROLE_BUREAU, world["countyA"], username="bureau_a")
    v = VeteranFactory(station=world["villageA1a"])
    client = client_for(county_bureau)
    for _ in range(3):
        assert client.post(reverse("veterans:reveal", args=[v.pk])).status_code == 200
    assert AuditEvent.objects.filter(action="pii_reveal", object_id=str(v.pk)).count() == 3
