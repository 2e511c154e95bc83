"""Jurisdiction of every station-services URL and admin page: another subtree answers 404."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from services import roles
from services.models import AuditEvent, ServiceRecord
from services.tests.record_factories import (
    PublicWelfarePostFactory,
    ServiceRecordFactory,
    StationEvaluationFactory,
)
from veterans.tests.factories import VeteranFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(world):
    vet_a = VeteranFactory(station=world["villageA1a"], name="甲村老兵")
    vet_b = VeteranFactory(station=world["villageB1a"], name="乙村老兵")
    return {
        "vet_a": vet_a,
        "vet_b": vet_b,
        "record_a": ServiceRecordFactory(veteran=vet_a, summary="甲村咨询"),
        "record_b": ServiceRecordFactory(veteran=vet_b, summary="乙村咨询"),
        "post_a": PublicWelfarePostFactory(veteran=vet_a, post_name="甲村保洁员"),
        "post_b": PublicWelfarePostFactory(veteran=vet_b, post_name="乙村保洁员"),
        "eval_a": StationEvaluationFactory(station=world["townshipA1"]),
        "eval_b": StationEvaluationFactory(station=world["townshipB1"]),
    }


OBJECT_URLS = [
    ("services:record_detail", "record", "get"),
    ("services:record_edit", "record", "get"),
    ("services:record_close", "record", "post"),
    ("services:post_end", "post", "get"),
    ("services:post_end", "post", "post"),
]


@pytest.mark.parametrize(("name", "kind", "method"), OBJECT_URLS)
def test_object_pages_other_subtree_404(client_for, township_clerk, objects, name, kind, method):
    client = client_for(township_clerk)
    own = reverse(name, args=[objects[f"{kind}_a"].pk])
    other = reverse(name, args=[objects[f"{kind}_b"].pk])
    assert getattr(client, method)(other).status_code == 404
    assert getattr(client, method)(own).status_code in (200, 302, 400)


def test_evaluation_edit_other_subtree_404(client_for, county_reviewer, objects):
    client = client_for(county_reviewer)
    assert client.get(f"/station/services/evaluations/{objects['eval_b'].pk}/edit/").status_code == 404
    assert client.get(f"/station/services/evaluations/{objects['eval_a'].pk}/edit/").status_code == 200


@pytest.mark.parametrize("url", ["/station/services/new/", "/station/services/posts/new/"], ids=["record", "post"])
def test_veteran_prefill_other_subtree_404(client_for, township_clerk, objects, url):
    client = client_for(township_clerk)
    assert client.get(f"{url}?veteran={objects['vet_b'].pk}").status_code == 404
    assert client.get(f"{url}?veteran={objects['vet_a'].pk}").status_code == 200


def test_lists_show_only_own_subtree(client_for, county_reviewer, objects):
    client = client_for(county_reviewer)
    records = client.get("/station/services/").content.decode()
    assert "甲村老兵" in records and "乙村老兵" not in records
    posts = client.get("/station/services/posts/").content.decode()
    assert "甲村保洁员" in posts and "乙村保洁员" not in posts
    evaluations = client.get("/station/services/evaluations/").content.decode()
    assert "新华区第1街道" in evaluations and "运河区第1街道" not in evaluations


ALL_URLS = [
    "/station/services/",
    "/station/services/new/",
    "/station/services/posts/",
    "/station/services/posts/new/",
    "/station/services/evaluations/",
    "/station/services/evaluations/new/",
]


@pytest.mark.parametrize("url", ALL_URLS)
def test_login_required(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("url", ALL_URLS)
def test_non_business_roles_refused(client_for, auditor, sysadmin, url):
    assert client_for(auditor).get(url).status_code == 403
    assert client_for(sysadmin).get(url).status_code == 403


def test_stats_viewer_cannot_write(client_for, county_stats_viewer, objects):
    client = client_for(county_stats_viewer)
    assert client.get("/station/services/new/").status_code == 403
    assert client.post(f"/station/services/{objects['record_a'].pk}/close/").status_code == 403


# --- admin --------------------------------------------------------------------------------
ADMIN_MODELS = [("servicerecord", "record"), ("publicwelfarepost", "post"), ("stationevaluation", "eval")]


@pytest.mark.parametrize(("model", "key"), ADMIN_MODELS)
def test_admin_change_page_other_subtree_404(client_for, world, make_user, objects, model, key):
    user = make_user(roles.ROLE_BUREAU, world["countyA"], is_staff=True)
    client = client_for(user)
    assert client.get(f"/admin/services/{model}/{objects[f'{key}_b'].pk}/change/").status_code == 404
    assert client.get(f"/admin/services/{model}/{objects[f'{key}_a'].pk}/change/").status_code == 200
    listing = client.get(f"/admin/services/{model}/")
    assert listing.status_code == 200


def test_admin_changelists_scoped(client_for, world, make_user, objects):
    client = client_for(make_user(roles.ROLE_BUREAU, world["countyA"], is_staff=True))
    records = client.get("/admin/services/servicerecord/").content.decode()
    assert "甲村老兵" in records and "乙村老兵" not in records
    posts = client.get("/admin/services/publicwelfarepost/").content.decode()
    assert "甲村保洁员" in posts and "乙村保洁员" not in posts


def test_admin_changelist_constant_queries(client_for, world, make_user, objects, django_assert_max_num_queries):
    client = client_for(make_user(roles.ROLE_BUREAU, world["countyA"], is_staff=True))
    client.get("/admin/services/servicerecord/")
    with django_assert_max_num_queries(30) as few:
        client.get("/admin/services/servicerecord/")
    for _ in range(20):
        ServiceRecordFactory(veteran=objects["vet_a"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/admin/services/servicerecord/")


def _export(client, model):
    from services.admin import PublicWelfarePostResource, ServiceRecordResource

    resource = {"servicerecord": ServiceRecordResource, "publicwelfarepost": PublicWelfarePostResource}[model]
    selected = {f"{resource.__name__.lower()}_{name}": "on" for name in resource().get_export_order()}
    response = client.post(f"/admin/services/{model}/export/", {"format": "0", "resource": "0", **selected})
    assert response.status_code == 200, response.content[:500]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


@pytest.mark.parametrize("model", ["servicerecord", "publicwelfarepost"])
def test_admin_export_scoped_and_masked(client_for, world, make_user, objects, model):
    clerk = make_user(roles.ROLE_CLERK, world["townshipA1"], is_staff=True)
    ServiceRecord.objects.filter(pk=objects["record_a"].pk).update(status="closed", closed_at=timezone.now())
    rows = _export(client_for(clerk), model)
    text = "\n".join(str(v) for row in rows for v in row)
    assert "甲村老兵" in text and "乙村老兵" not in text
    assert objects["vet_a"].masked_id_number in text
    assert objects["vet_a"].id_number not in text
    assert AuditEvent.objects.filter(action="export", username=clerk.username).exists()


def test_admin_export_full_id_with_permission(client_for, world, make_user, objects):
    bureau = make_user(roles.ROLE_BUREAU, world["countyA"], is_staff=True)  # veterans.* includes view_full_pii
    assert bureau.has_perm("veterans.view_full_pii")
    text = str(_export(client_for(bureau), "servicerecord"))
    assert objects["vet_a"].id_number in text
    assert objects["vet_b"].id_number not in text


def test_admin_closed_record_read_only(client_for, world, make_user, objects):
    client = client_for(make_user(roles.ROLE_BUREAU, world["countyA"], is_staff=True))
    record = objects["record_a"]
    ServiceRecord.objects.filter(pk=record.pk).update(status=ServiceRecord.Status.CLOSED)
    page = client.get(f"/admin/services/servicerecord/{record.pk}/change/").content.decode()
    assert 'name="summary"' not in page


def test_admin_add_record_sets_handler(client_for, world, make_user, objects):
    user = make_user(roles.ROLE_BUREAU, world["countyA"], is_staff=True)
    response = client_for(user).post(
        "/admin/services/servicerecord/add/",
        {
            "veteran": objects["vet_a"].pk,
            "station": world["villageA1a"].code,
            "kind": "visit",
            "date": "2026-11-20",
            "summary": "来访反映医疗报销问题",
            "outcome": "",
            "aid_amount": "",
            "status": "open",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert ServiceRecord.objects.get(summary="来访反映医疗报销问题").handled_by == user


def test_admin_add_record_other_subtree_veteran_refused(client_for, world, make_user, objects):
    user = make_user(roles.ROLE_BUREAU, world["countyA"], is_staff=True)
    response = client_for(user).post(
        "/admin/services/servicerecord/add/",
        {
            "veteran": objects["vet_b"].pk,
            "station": world["villageA1a"].code,
            "kind": "visit",
            "date": "2026-11-20",
            "summary": "越权登记",
            "status": "open",
        },
    )
    assert response.status_code == 200
    assert not ServiceRecord.objects.filter(summary="越权登记").exists()
