"""Admin of the registry: jurisdiction (404 elsewhere), masking, search, filters, import/export."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from services import roles
from veterans.models import Household, HouseholdMember, Veteran, VeteranTransfer
from veterans.tests.factories import HouseholdFactory, VeteranFactory
from veterans.tests.io_helpers import row, xlsx_bytes

pytestmark = pytest.mark.django_db
FULL_ID = re.compile(r"\d{17}[\dX]")
LIST = "/admin/veterans/veteran/"


@pytest.fixture(autouse=True)
def _staging(settings, tmp_path):
    settings.PORTAL_IMPORT_STAGING_DIR = str(tmp_path / "staging")


@pytest.fixture
def county_bureau_b(world, make_user):
    """Bureau rights (full PII) but stationed in county B: sees only county B."""
    return make_user(roles.ROLE_BUREAU, world["countyB"], username="bureau_b", is_staff=True)


@pytest.fixture
def records(world, city_bureau):
    vet = VeteranFactory(station=world["villageA1a"], name="王建国")
    household = HouseholdFactory(station=world["villageA1a"], head_name="王建国")
    HouseholdMember.objects.create(household=household, name="王建国", relation="self", veteran=vet)
    other = VeteranFactory(station=world["villageA2a"])
    transfer = VeteranTransfer.objects.create(
        veteran=other,
        from_station=world["villageA1a"],
        to_station=world["villageA2a"],
        date="2026-01-01",
        created_by=city_bureau,
    )
    return {"vet": vet, "household": household, "transfer": transfer}


def test_other_subtree_gets_404_on_change_and_history_pages(client_for, county_bureau_b, records):
    c = client_for(county_bureau_b)
    vet, household, transfer = records["vet"], records["household"], records["transfer"]
    for url in (
        f"{LIST}{vet.pk}/change/",
        f"{LIST}{vet.pk}/history/",
        f"{LIST}{vet.pk}/history/{vet.history.first().history_id}/",
        f"{LIST}{vet.pk}/delete/",
        f"/admin/veterans/household/{household.pk}/change/",
        f"/admin/veterans/veterantransfer/{transfer.pk}/change/",
    ):
        assert c.get(url).status_code == 404, url
    listing = c.get(LIST).content.decode()
    assert "王建国" not in listing


def test_own_subtree_list_is_masked_for_clerks(client_for, county_clerk, records):
    vet = records["vet"]
    c = client_for(county_clerk)
    html = c.get(LIST).content.decode()
    assert "王建国" in html and vet.masked_id_number in html
    assert not FULL_ID.search(html)
    change = c.get(f"{LIST}{vet.pk}/change/").content.decode()
    assert vet.masked_id_number in change and vet.id_number not in change and vet.phone not in change


def test_bureau_change_form_shows_full_numbers(client_for, city_bureau, records):
    vet = records["vet"]
    html = client_for(city_bureau).get(f"{LIST}{vet.pk}/change/").content.decode()
    assert vet.id_number in html


def test_list_query_count_is_constant(client_for, city_bureau, world, django_assert_max_num_queries):
    VeteranFactory.create_batch(5, station=world["villageA1a"])
    c = client_for(city_bureau)
    c.get(LIST)
    VeteranFactory.create_batch(30, station=world["villageB1a"])
    with django_assert_max_num_queries(12):
        assert c.get(LIST).status_code == 200


def test_search_by_name_initials_id_and_phone(client_for, city_bureau, records):
    vet = records["vet"]
    c = client_for(city_bureau)
    for term in ("王建国", "wjg", vet.id_number.lower(), vet.phone):
        response = c.get(LIST, {"q": term})
        assert vet.pk in [v.pk for v in response.context["cl"].result_list], term


def test_filters(client_for, city_bureau, records, world):
    c = client_for(city_bureau)
    for params in ({"status__exact": "active"}, {"station_level": "village"}, {"county": world["countyA"].code}):
        response = c.get(LIST, params)
        assert response.status_code == 200 and len(response.context["cl"].result_list) == 2, params
    response = c.get(LIST, {"county": world["countyB"].code})
    assert len(response.context["cl"].result_list) == 0


def test_admin_edit_bumps_version_and_keeps_history(client_for, city_bureau, records):
    vet = records["vet"]
    c = client_for(city_bureau)
    page = c.get(f"{LIST}{vet.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(name="王建军", station=vet.station_id, household="", disability_grade="")
    for date_field in ("enlistment_date", "discharge_date", "party_join_date", "preferential_card_date", "status_date"):
        value = getattr(vet, date_field)
        data[date_field] = value.isoformat() if value else ""
    data["registered_on"] = vet.registered_on.isoformat()
    response = c.post(f"{LIST}{vet.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    vet.refresh_from_db()
    assert vet.name == "王建军" and vet.version == 2 and vet.history.count() == 2


def test_admin_import_is_scoped_and_all_or_nothing(client_for, county_clerk, world):
    c = client_for(county_clerk)
    assert c.get(f"{LIST}import/").status_code == 200
    bad = xlsx_bytes([row(1), row(2, station=world["villageB1a"].code)])
    response = c.post(f"{LIST}import/", {"action": "preview", "file": SimpleUploadedFile("a.xlsx", bad)})
    html = response.content.decode()
    assert "不在您的辖区范围内" in html and 'value="confirm"' not in html
    good = xlsx_bytes([row(1), row(2)])
    response = c.post(f"{LIST}import/", {"action": "preview", "file": SimpleUploadedFile("b.xlsx", good)})
    assert "确认导入 2 名" in response.content.decode()
    assert Veteran.objects.count() == 0
    response = c.post(f"{LIST}import/", {"action": "confirm", "token": response.context["token"]})
    assert response.status_code == 302
    assert Veteran.objects.count() == 2


def test_admin_export_is_scoped_masked_and_follows_filters(client_for, county_clerk, records, world):
    VeteranFactory(station=world["villageB1a"], name="外县人员")
    c = client_for(county_clerk)
    response = c.get(f"{LIST}export/", {"status__exact": "active"})
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 3 and "外县人员" not in str(rows)
    assert not any(FULL_ID.search(str(v)) for r in rows for v in r if v)
    csv_text = c.get(f"{LIST}export/", {"fmt": "csv", "q": "王建国"}).content.decode("utf-8-sig")
    assert csv_text.count("\n") == 2 and "王建国" in csv_text
    assert c.get(f"{LIST}import/template/").status_code == 200


def test_import_export_need_the_permissions(client_for, county_reviewer):
    c = client_for(county_reviewer)
    assert c.get(f"{LIST}import/").status_code == 403
    assert c.get(f"{LIST}export/").status_code == 403


def test_transfer_admin_is_read_only(client_for, city_bureau, records):
    c = client_for(city_bureau)
    assert c.get("/admin/veterans/veterantransfer/add/").status_code == 403
    page = c.get(f"/admin/veterans/veterantransfer/{records['transfer'].pk}/change/")
    assert page.status_code == 200


def test_household_admin_inline_and_scope(client_for, county_clerk, records):
    c = client_for(county_clerk)
    page = c.get(f"/admin/veterans/household/{records['household'].pk}/change/")
    assert page.status_code == 200 and "王建国" in page.content.decode()
    assert Household.objects.count() == 1


def test_admin_edit_refuses_a_stale_version_and_cannot_move_the_station(client_for, city_bureau, records, world):
    vet = records["vet"]
    c = client_for(city_bureau)
    form = c.get(f"{LIST}{vet.pk}/change/").context["adminform"].form
    assert "station" not in form.fields  # a move is a transfer (迁移)
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(name="王建军", household="", disability_grade="", registered_on=vet.registered_on.isoformat())
    for date_field in ("enlistment_date", "discharge_date", "party_join_date", "preferential_card_date", "status_date"):
        value = getattr(vet, date_field)
        data[date_field] = value.isoformat() if value else ""
    Veteran.objects.filter(pk=vet.pk).update(version=vet.version + 1)  # someone else saved meanwhile
    response = c.post(f"{LIST}{vet.pk}/change/", data)
    assert response.status_code == 200
    assert "已被他人修改" in str(response.context["adminform"].form.errors)
    vet.refresh_from_db()
    assert vet.name != "王建军"


def test_admin_change_form_with_full_numbers_is_an_audited_reveal(client_for, city_bureau, records):
    from services.models import AuditEvent

    vet = records["vet"]
    assert city_bureau.has_perm("veterans.view_full_pii")
    assert client_for(city_bureau).get(f"{LIST}{vet.pk}/change/").status_code == 200
    event = AuditEvent.objects.get(action="pii_reveal")
    assert event.object_id == str(vet.pk) and event.detail["via"] == "admin"
