"""Public-welfare posts (公益性岗位): one active post per veteran, ending a post, the pages."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from services import actions
from services.models import PublicWelfarePost
from services.tests.record_factories import PublicWelfarePostFactory
from veterans.tests.factories import VeteranFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def vet(world):
    return VeteranFactory(station=world["villageA1a"], name="赵振华")


def _create(user, veteran, **kw):
    data = {"post_name": "公共设施管护员", "start_date": datetime.date(2026, 5, 1), "monthly_subsidy": Decimal("1600")}
    data.update(kw)
    return actions.welfare_post_create(user=user, veteran=veteran, **data)


def test_create_defaults_station(township_clerk, vet):
    post = _create(township_clerk, vet)
    assert post.station_id == vet.station_id and post.is_active


def test_one_active_post_friendly_error(township_clerk, vet):
    _create(township_clerk, vet)
    with pytest.raises(ValidationError) as exc:
        _create(township_clerk, vet, post_name="保洁员")
    message = exc.value.message_dict["veteran"][0]
    assert "公共设施管护员" in message and "先办理离岗" in message
    assert PublicWelfarePost.objects.count() == 1


def test_db_constraint_holds(vet):
    PublicWelfarePostFactory(veteran=vet)
    with pytest.raises(IntegrityError), transaction.atomic():
        PublicWelfarePostFactory(veteran=vet)


def test_new_post_after_ending(township_clerk, vet):
    first = _create(township_clerk, vet)
    actions.welfare_post_end(user=township_clerk, post=first, end_date=datetime.date(2026, 9, 30))
    second = _create(township_clerk, vet, start_date=datetime.date(2026, 10, 1))
    assert second.is_active
    first.refresh_from_db()
    assert first.end_date == datetime.date(2026, 9, 30)


def test_end_date_not_before_start(township_clerk, vet):
    post = _create(township_clerk, vet)
    with pytest.raises(ValidationError) as exc:
        actions.welfare_post_end(user=township_clerk, post=post, end_date=datetime.date(2026, 4, 30))
    assert exc.value.message_dict["end_date"] == ["离岗日期不能早于上岗日期"]
    actions.welfare_post_end(user=township_clerk, post=post, end_date=datetime.date(2026, 5, 1))  # same day is fine


def test_end_date_not_in_future(township_clerk, vet):
    post = _create(township_clerk, vet)
    with pytest.raises(ValidationError):
        actions.welfare_post_end(user=township_clerk, post=post, end_date=timezone.localdate() + datetime.timedelta(1))


def test_end_twice_refused(township_clerk, vet):
    post = _create(township_clerk, vet)
    actions.welfare_post_end(user=township_clerk, post=post, end_date=datetime.date(2026, 6, 1))
    with pytest.raises(ValidationError):
        actions.welfare_post_end(user=township_clerk, post=post, end_date=datetime.date(2026, 7, 1))


def test_negative_subsidy_refused(township_clerk, vet):
    with pytest.raises(ValidationError) as exc:
        _create(township_clerk, vet, monthly_subsidy=Decimal("-1"))
    assert "monthly_subsidy" in exc.value.message_dict


def test_outside_scope_refused(other_village_clerk, township_clerk, vet):
    with pytest.raises(PermissionDenied):
        _create(other_village_clerk, vet)
    post = _create(township_clerk, vet)
    with pytest.raises(PermissionDenied):
        actions.welfare_post_end(user=other_village_clerk, post=post, end_date=datetime.date(2026, 6, 1))


def test_pages_create_and_end(client_for, township_clerk, vet):
    client = client_for(township_clerk)
    assert client.get("/station/services/posts/").status_code == 200
    assert f"?veteran={vet.pk}" in client.post("/station/services/posts/new/", {"q": "赵振华"}).content.decode()
    data = {
        "veteran": vet.pk,
        "post_name": "村级服务站专职人员",
        "station": vet.station_id,
        "start_date": "2026-04-01",
        "monthly_subsidy": "1800",
    }
    assert client.post("/station/services/posts/new/", data).status_code == 302
    post = PublicWelfarePost.objects.get()
    again = client.post("/station/services/posts/new/", {**data, "post_name": "护林员"})
    assert again.status_code == 200
    assert "一人只能同时在一个公益性岗位" in again.content.decode()
    early = client.post(f"/station/services/posts/{post.pk}/end/", {"end_date": "2026-03-01"})
    assert "离岗日期不能早于上岗日期" in early.content.decode()
    assert client.post(f"/station/services/posts/{post.pk}/end/", {"end_date": "2026-10-31"}).status_code == 302
    post.refresh_from_db()
    assert post.end_date == datetime.date(2026, 10, 31)
    listing = client.get("/station/services/posts/", {"state": "ended"}).content.decode()
    assert "村级服务站专职人员" in listing


def test_list_constant_queries(client_for, county_clerk, world, django_assert_max_num_queries):
    client = client_for(county_clerk)
    PublicWelfarePostFactory(veteran=VeteranFactory(station=world["villageA1a"]))
    client.get("/station/services/posts/")
    with django_assert_max_num_queries(12) as few:
        client.get("/station/services/posts/")
    for key in ("villageA1b", "villageA2a", "villageA2b", "townshipA2") * 5:
        PublicWelfarePostFactory(veteran=VeteranFactory(station=world[key]))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/station/services/posts/").status_code == 200


def test_admin_second_active_post_refused_in_chinese(client_for, world, make_user, vet):
    from services import roles

    PublicWelfarePostFactory(veteran=vet)
    user = make_user(roles.ROLE_BUREAU, world["countyA"], is_staff=True)
    data = {
        "post_name": "护林员",
        "station": vet.station_id,
        "veteran": vet.pk,
        "start_date": "2026-06-01",
        "monthly_subsidy": "1500",
    }
    response = client_for(user).post("/admin/services/publicwelfarepost/add/", data)
    assert response.status_code == 200
    assert "该退役军人已有在岗的公益性岗位，须先办理离岗" in response.content.decode()
    bad_end = client_for(user).post(
        "/admin/services/publicwelfarepost/add/",
        {**data, "veteran": VeteranFactory(station=world["villageA1b"]).pk, "end_date": "2026-05-01"},
    )
    assert "离岗日期不能早于上岗日期" in bad_end.content.decode()
    assert PublicWelfarePost.objects.count() == 1


def test_start_date_not_in_future_on_every_path(township_clerk, vet):
    """The rule is the model's: the action and the admin form both refuse a future start."""
    future = timezone.localdate() + datetime.timedelta(days=30)
    with pytest.raises(ValidationError) as exc:
        _create(township_clerk, vet, start_date=future)
    assert "上岗日期不能晚于今天" in exc.value.message_dict["start_date"][0]
    post = PublicWelfarePost(
        post_name="保洁", station=vet.station, veteran=vet, start_date=future, monthly_subsidy=Decimal("800")
    )
    with pytest.raises(ValidationError):
        post.full_clean()
    assert not PublicWelfarePost.objects.exists()
