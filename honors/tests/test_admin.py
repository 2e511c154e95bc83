import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from honors import actions
from honors.models import HonorType, NominationAttachment
from services import roles

from .factories import DeliveryFactory, HouseholdFactory, MeritFactory, NominationFactory, ServingMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_a_objects(types, world, household, village_clerk, county_reviewer, city_reviewer):
    n = actions.nomination_create(
        honor_type=types[HonorType.JRJT], year=2026, household=household, reasons="好", user=village_clerk
    )
    actions.nomination_submit(nomination=n, user=village_clerk)
    actions.nomination_county_approve(nomination=n, user=county_reviewer)
    award = actions.nomination_city_approve(nomination=n, user=city_reviewer)
    member = ServingMemberFactory(hometown_station=world["villageA1a"])
    merit = MeritFactory(serving_member=member)
    delivery = DeliveryFactory(merit=MeritFactory(serving_member=member))
    attachment = NominationAttachment.objects.create(
        nomination=n, file=SimpleUploadedFile("a.pdf", b"%PDF-1.4"), original_name="刘光荣证明.pdf", kind="pdf", size=8
    )
    return {
        "nominationattachment": attachment,
        "nomination": n,
        "nominationtransition": n.transitions.first(),
        "award": award,
        "servingmember": member,
        "merit": merit,
        "commendationdelivery": delivery,
    }


@pytest.fixture
def bureau_b(world, make_user):
    return make_user(roles.ROLE_BUREAU, world["countyB"], username="bureau_b", is_staff=True)


def test_admin_changelists_for_bureau(county_a_objects, city_bureau, client_for):
    c = client_for(city_bureau)
    for model in ("honortype", *county_a_objects):
        assert c.get(f"/admin/honors/{model}/").status_code == 200, model
    assert "CZ-JRJT-2026-0001" in c.get("/admin/honors/award/").content.decode()


def test_admin_change_pages_404_outside_subtree(county_a_objects, bureau_b, client_for):
    c = client_for(bureau_b)
    for model, obj in county_a_objects.items():
        assert c.get(f"/admin/honors/{model}/{obj.pk}/change/").status_code == 404, model
        assert c.get(f"/admin/honors/{model}/{obj.pk}/history/").status_code == 404, model
        assert "刘光荣" not in c.get(f"/admin/honors/{model}/").content.decode(), model


def test_admin_award_and_transitions_are_read_only(county_a_objects, city_bureau, client_for):
    c = client_for(city_bureau)
    award = county_a_objects["award"]
    html = c.get(f"/admin/honors/award/{award.pk}/change/").content.decode()
    assert 'name="certificate_number"' not in html
    assert c.post(f"/admin/honors/award/{award.pk}/delete/").status_code == 403
    assert c.get("/admin/honors/award/add/").status_code == 403
    assert c.get("/admin/honors/nominationtransition/add/").status_code == 403
    assert c.get("/admin/honors/nomination/add/").status_code == 403


def test_admin_export_is_scoped(county_a_objects, world, bureau_b, city_bureau):
    from honors.admin import AwardResource, DeliveryResource, NominationResource

    NominationFactory(
        household=HouseholdFactory(station=world["villageB1a"], head_name="外县家"), station=world["villageB1a"]
    )
    rows_b = NominationResource(user=bureau_b).export().dict
    assert [r["提名对象"] for r in rows_b] == ["外县家户"]
    assert AwardResource(user=bureau_b).export().dict == []
    assert DeliveryResource(user=bureau_b).export().dict == []
    city_awards = AwardResource(user=city_bureau).export().dict
    assert [r["证书编号"] for r in city_awards] == ["CZ-JRJT-2026-0001"]
    assert len(NominationResource(user=city_bureau).export().dict) == 2


def test_admin_export_view_answers(county_a_objects, city_bureau, client_for):
    resp = client_for(city_bureau).get("/admin/honors/award/export/")
    assert resp.status_code == 200


def test_admin_county_filter(county_a_objects, city_bureau, client_for):
    c = client_for(city_bureau)
    html = c.get("/admin/honors/award/?county=130902000000").content.decode()
    assert "CZ-JRJT-2026-0001" in html
    html = c.get("/admin/honors/award/?county=130903000000").content.decode()
    assert "CZ-JRJT-2026-0001" not in html
    assert c.get("/admin/honors/nomination/?county=bogus").status_code == 200


def test_admin_delivery_and_merit_dates_not_in_the_future():
    """The rules live on the models, so the admin forms and the actions all refuse them."""
    import datetime

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from honors.models import CommendationDelivery, Merit

    with pytest.raises(ValidationError) as exc:
        Merit(year=timezone.localdate().year + 1).clean()
    assert "不能晚于今年" in exc.value.message_dict["year"][0]
    with pytest.raises(ValidationError) as exc:
        CommendationDelivery(date=timezone.localdate() + datetime.timedelta(days=30)).clean()
    assert "不能晚于今天" in exc.value.message_dict["date"][0]


def test_admin_draft_reasons_only_by_a_nominator(types, household, village_clerk, city_bureau, client_for):
    """The admin edits a draft through nomination_update: the city bureau may not (as on the pages)."""
    n = actions.nomination_create(
        honor_type=types[HonorType.JRJT], year=2026, household=household, reasons="好", user=village_clerk
    )
    url = f"/admin/honors/nomination/{n.pk}/change/"
    assert client_for(city_bureau).post(url, {"reasons": "改"}).status_code == 403
    n.refresh_from_db()
    assert n.reasons == "好"
