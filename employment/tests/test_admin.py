import io

import openpyxl
import pytest

from employment.models import PostingStatus

from .factories import (
    ApplicationFactory,
    EnrolmentFactory,
    FairRegistrationFactory,
    JobFairFactory,
    JobPostingFactory,
    PlacementFactory,
    TrainingProgrammeFactory,
    VentureFactory,
)

pytestmark = pytest.mark.django_db

MODELS = [
    "employer",
    "jobposting",
    "application",
    "placement",
    "trainingprogramme",
    "enrolment",
    "jobfair",
    "venture",
    "fairregistration",
]


@pytest.fixture
def objs(world, posting_a, posting_b, veteran_a, veteran_b, employer_a, employer_b):
    return {
        "a": {
            "employer": employer_a,
            "jobposting": posting_a,
            "application": ApplicationFactory(posting=posting_a, veteran=veteran_a),
            "placement": PlacementFactory(veteran=veteran_a, employer=employer_a),
            "trainingprogramme": TrainingProgrammeFactory(county=world["countyA"]),
            "jobfair": JobFairFactory(county=world["countyA"]),
            "venture": VentureFactory(veteran=veteran_a),
            "enrolment": EnrolmentFactory(veteran=veteran_a),
            "fairregistration": FairRegistrationFactory(
                fair=JobFairFactory(county=world["countyA"]), veteran=veteran_b
            ),
        },
        "b": {
            "employer": employer_b,
            "jobposting": posting_b,
            "application": ApplicationFactory(posting=posting_b, veteran=veteran_b),
            "placement": PlacementFactory(veteran=veteran_b, employer=employer_b),
            "trainingprogramme": TrainingProgrammeFactory(county=world["countyB"]),
            "jobfair": JobFairFactory(county=world["countyB"]),
            "venture": VentureFactory(veteran=veteran_b),
            "enrolment": EnrolmentFactory(veteran=veteran_b),
            "fairregistration": FairRegistrationFactory(
                fair=JobFairFactory(county=world["countyB"]), veteran=veteran_a
            ),
        },
    }


@pytest.fixture
def county_bureau(world, make_user):
    from services import roles

    return make_user(roles.ROLE_BUREAU, world["countyA"], username="county_bureau", is_staff=True)


@pytest.mark.parametrize("model", MODELS)
def test_admin_lists_and_objects_scoped(client_for, county_bureau, objs, model):
    c = client_for(county_bureau)
    assert c.get(f"/admin/employment/{model}/").status_code == 200
    assert c.get(f"/admin/employment/{model}/{objs['a'][model].pk}/change/").status_code == 200
    assert c.get(f"/admin/employment/{model}/{objs['b'][model].pk}/change/").status_code == 404


def test_admin_application_shows_masked_id(client_for, city_bureau, objs):
    app = objs["a"]["application"]
    body = client_for(city_bureau).get(f"/admin/employment/application/{app.pk}/change/").content.decode()
    assert app.masked_id_number in body and app.id_number not in body


def test_admin_export_xlsx_scoped_and_masked(client_for, county_clerk, objs):
    c = client_for(county_clerk)  # a clerk lacks veterans.view_full_pii
    response = c.post(
        "/admin/employment/application/export/",
        {
            "format": "0",
            "resource": "0",
            **{f"applicationresource_{f}": "on" for f in ("number", "name", "id_number", "phone")},
        },
    )
    assert response.status_code == 200, response.content[:500]
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(wb.active.iter_rows(values_only=True))
    numbers = {r[0] for r in rows[1:]}
    assert objs["a"]["application"].number in numbers and objs["b"]["application"].number not in numbers
    flat = " ".join(str(v) for r in rows for v in r)
    assert objs["a"]["application"].id_number not in flat and "*" in flat


def test_admin_publish_action_respects_scope(client_for, county_reviewer, world, employer_a, employer_b):
    county_reviewer.is_staff = True
    county_reviewer.save()
    mine = JobPostingFactory(employer=employer_a, county=world["countyA"], status=PostingStatus.PENDING)
    c = client_for(county_reviewer)
    c.post("/admin/employment/jobposting/", {"action": "publish_selected", "_selected_action": [mine.pk]})
    mine.refresh_from_db()
    assert mine.status == PostingStatus.PUBLISHED


def test_enrolment_inline_offers_only_veterans_in_scope(rf, county_bureau, veteran_a, veteran_b):
    """The raw-id veteran box of the training programme's enrolment rows is scoped too."""
    from django.contrib import admin as django_admin

    from employment.admin import EnrolmentInline
    from employment.models import Enrolment, TrainingProgramme

    request = rf.get("/admin/")
    request.user = county_bureau
    inline = EnrolmentInline(TrainingProgramme, django_admin.site)
    field = inline.formfield_for_foreignkey(Enrolment._meta.get_field("veteran"), request)
    assert veteran_a in field.queryset and veteran_b not in field.queryset


def test_admin_county_filter_lists_counties_in_scope_only(client_for, county_bureau, world, objs):
    page = client_for(county_bureau).get("/admin/employment/jobposting/")
    [spec] = [s for s in page.context["cl"].filter_specs if getattr(s, "parameter_name", "") == "county"]
    assert spec.lookup_choices == [(world["countyA"].code, world["countyA"].name)]
    assert client_for(county_bureau).get("/admin/employment/jobposting/?county=130902001000").status_code == 200


def test_credit_code_stored_normalised_so_a_lowercase_copy_is_a_duplicate(employer_a):
    from django.core.exceptions import ValidationError

    from services.models import Organization

    # the credit code is the unit's (services.Organization): one unit per code
    copy = Organization(name="另一家", credit_code=f" {employer_a.credit_code.lower()}", county=employer_a.county)
    with pytest.raises(ValidationError) as exc:
        copy.full_clean()
    assert "credit_code" in exc.value.message_dict
    assert copy.credit_code == employer_a.credit_code


def test_admin_placement_sets_the_veterans_employment_like_a_hire(client_for, county_bureau, veteran_a, employer_a):
    from employment.models import Placement

    response = client_for(county_bureau).post(
        "/admin/employment/placement/add/",
        {"veteran": veteran_a.pk, "employer": employer_a.pk, "position": "焊工", "start_date": "2026-11-01"},
    )
    assert response.status_code == 302
    placement = Placement.objects.get()
    veteran_a.refresh_from_db()
    assert placement.recorded_by == county_bureau
    assert veteran_a.employment_status == "employed" and veteran_a.employer_name == employer_a.name
    assert veteran_a.history.first().history_change_reason == "登记就业安置"


def test_admin_programme_capacity_and_read_only_records(client_for, city_bureau, world):
    import datetime

    from django.utils import timezone

    from employment.models import TrainingProgramme

    from .factories import VeteranFactory

    programme = TrainingProgrammeFactory(county=world["countyA"], capacity=3)
    for station in ("villageA1a", "villageA1b"):
        EnrolmentFactory(programme=programme, veteran=VeteranFactory(station=world[station]))
    c = client_for(city_bureau)
    data = {
        "title": programme.title,
        "kind": programme.kind,
        "county": world["countyA"].pk,
        "start_date": f"{programme.start_date:%Y-%m-%d}",
        "end_date": f"{programme.end_date:%Y-%m-%d}",
        "capacity": "1",
        "description": "",
        "enrolments-TOTAL_FORMS": "0",
        "enrolments-INITIAL_FORMS": "0",
    }
    body = c.post(f"/admin/employment/trainingprogramme/{programme.pk}/change/", data).content.decode()
    assert "计划人数不能少于已报名人数（2人）" in body
    assert TrainingProgramme.objects.get(pk=programme.pk).capacity == 3
    # enrolments, registrations and ventures are written on the station pages only
    for model in ("enrolment", "fairregistration", "venture"):
        assert c.get(f"/admin/employment/{model}/add/").status_code == 403
    # a live-stream fair needs its link (the admin saves through the action)
    body = c.post(
        "/admin/employment/jobfair/add/",
        {
            "title": "直播带岗专场",
            "kind": "livestream",
            "date": f"{timezone.localdate():%Y-%m-%d}",
            "end_date": f"{timezone.localdate() + datetime.timedelta(days=1):%Y-%m-%d}",
            "county": world["countyA"].pk,
            "registrations-TOTAL_FORMS": "0",
            "registrations-INITIAL_FORMS": "0",
        },
    ).content.decode()
    assert "直播带岗须填写直播间链接" in body
