"""Service records: validation and closing rules (actions) and the clerk pages."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from services import actions
from services.models import AuditEvent, ServiceRecord
from services.tests.record_factories import PublicWelfarePostFactory, ServiceRecordFactory
from veterans.tests.factories import VeteranFactory, make_id_number

pytestmark = pytest.mark.django_db

K = ServiceRecord.Kind


@pytest.fixture
def vet_a1a(world):
    return VeteranFactory(station=world["villageA1a"], name="王建国")


@pytest.fixture
def vet_b1a(world):
    return VeteranFactory(station=world["villageB1a"], name="李卫东")


def _create(user, veteran, **kw):
    data = {"kind": K.CONSULTATION, "date": datetime.date(2026, 11, 2), "summary": "咨询优待证办理"}
    data.update(kw)
    return actions.service_record_create(user=user, veteran=veteran, **data)


# --- validation rules ---------------------------------------------------------------------
def test_create_defaults_station_and_handler(township_clerk, vet_a1a):
    record = _create(township_clerk, vet_a1a)
    assert record.station_id == vet_a1a.station_id
    assert record.handled_by == township_clerk
    assert record.status == ServiceRecord.Status.OPEN
    assert AuditEvent.objects.filter(action="service_record_create", object_id=str(record.pk)).exists()


def test_aid_amount_required_for_aid(township_clerk, vet_a1a):
    with pytest.raises(ValidationError) as exc:
        _create(township_clerk, vet_a1a, kind=K.AID)
    assert exc.value.message_dict["aid_amount"] == ["帮扶援助必须填写帮扶金额"]
    record = _create(township_clerk, vet_a1a, kind=K.AID, aid_amount=Decimal("1500.00"))
    assert record.aid_amount == Decimal("1500.00")


@pytest.mark.parametrize("kind", [k for k in K.values if k != K.AID])
def test_aid_amount_forbidden_otherwise(township_clerk, vet_a1a, kind):
    with pytest.raises(ValidationError) as exc:
        _create(township_clerk, vet_a1a, kind=kind, aid_amount=Decimal("100"))
    assert "只有帮扶援助可以填写帮扶金额" in exc.value.message_dict["aid_amount"]
    assert not ServiceRecord.objects.exists()


def test_aid_amount_must_be_positive(township_clerk, vet_a1a):
    with pytest.raises(ValidationError) as exc:
        _create(township_clerk, vet_a1a, kind=K.AID, aid_amount=Decimal("0"))
    assert "aid_amount" in exc.value.message_dict


def test_date_not_in_future(township_clerk, vet_a1a):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        _create(township_clerk, vet_a1a, date=tomorrow)
    assert exc.value.message_dict["date"] == ["服务日期不能晚于今天"]
    assert _create(township_clerk, vet_a1a, date=timezone.localdate())


def test_summary_required(township_clerk, vet_a1a):
    with pytest.raises(ValidationError) as exc:
        _create(township_clerk, vet_a1a, summary="   ")
    assert "summary" in exc.value.message_dict


def test_station_may_be_an_ancestor_in_scope(township_clerk, world, vet_a1a):
    record = _create(township_clerk, vet_a1a, station=world["townshipA1"])
    assert record.station_id == world["townshipA1"].code
    with pytest.raises(PermissionDenied):
        _create(township_clerk, vet_a1a, station=world["countyA"])  # above the clerk's station


def test_veteran_outside_scope_refused(township_clerk, vet_b1a):
    with pytest.raises(PermissionDenied):
        _create(township_clerk, vet_b1a)
    assert not ServiceRecord.objects.exists()


def test_without_permission_refused(county_stats_viewer, vet_a1a):
    with pytest.raises(PermissionDenied):
        _create(county_stats_viewer, vet_a1a)


# --- closing rules ------------------------------------------------------------------------
def test_close_sets_closed_at(township_clerk, vet_a1a):
    record = _create(township_clerk, vet_a1a)
    closed = actions.service_record_close(user=township_clerk, record=record, outcome="已当面解答")
    assert closed.status == ServiceRecord.Status.CLOSED
    assert closed.closed_at is not None
    assert closed.outcome == "已当面解答"


def test_rights_case_needs_outcome_to_close(township_clerk, vet_a1a):
    record = _create(township_clerk, vet_a1a, kind=K.RIGHTS, summary="反映养老保险接续问题")
    with pytest.raises(ValidationError) as exc:
        actions.service_record_close(user=township_clerk, record=record, outcome="  ")
    assert exc.value.message_dict["outcome"] == ["权益维护事项须填写办理结果后才能办结"]
    record.refresh_from_db()
    assert record.status == ServiceRecord.Status.OPEN and record.closed_at is None
    actions.service_record_close(user=township_clerk, record=record, outcome="协调社保部门完成接续")
    record.refresh_from_db()
    assert record.is_closed


def test_closed_record_is_read_only(township_clerk, vet_a1a):
    record = _create(township_clerk, vet_a1a)
    actions.service_record_close(user=township_clerk, record=record)
    with pytest.raises(ValidationError):
        actions.service_record_update(user=township_clerk, record=record, summary="改")
    with pytest.raises(ValidationError):
        actions.service_record_close(user=township_clerk, record=record)


def test_update_open_record(township_clerk, vet_a1a):
    record = _create(township_clerk, vet_a1a)
    actions.service_record_update(user=township_clerk, record=record, kind=K.AID, aid_amount=Decimal("300"))
    record.refresh_from_db()
    assert record.kind == K.AID and record.aid_amount == Decimal("300.00")


def test_close_outside_scope_refused(other_village_clerk, township_clerk, vet_a1a):
    record = _create(township_clerk, vet_a1a)
    with pytest.raises(PermissionDenied):
        actions.service_record_close(user=other_village_clerk, record=record)


# --- pages --------------------------------------------------------------------------------
def test_new_record_by_name_search(client_for, township_clerk, vet_a1a, vet_b1a):
    client = client_for(township_clerk)
    page = client.post("/station/services/new/", {"q": "王建"})
    assert page.status_code == 200
    assert f"?veteran={vet_a1a.pk}" in page.content.decode()
    # a veteran of another county is not found
    other = client.post("/station/services/new/", {"q": "李卫东"}).content.decode()
    assert f"?veteran={vet_b1a.pk}" not in other
    assert "没有找到" in other


def test_new_record_by_full_id_number(client_for, township_clerk, vet_a1a, vet_b1a):
    client = client_for(township_clerk)
    body = client.post("/station/services/new/", {"q": vet_a1a.id_number}).content.decode()
    assert f"?veteran={vet_a1a.pk}" in body
    assert vet_a1a.masked_id_number in body
    assert body.count(vet_a1a.id_number) == 1  # only echoed in the search box, results are masked
    body = client.post("/station/services/new/", {"q": vet_b1a.id_number}).content.decode()
    assert f"?veteran={vet_b1a.pk}" not in body


def test_new_record_post(client_for, township_clerk, vet_a1a):
    client = client_for(township_clerk)
    form = client.get(f"/station/services/new/?veteran={vet_a1a.pk}")
    assert form.status_code == 200
    assert vet_a1a.name in form.content.decode()
    response = client.post(
        "/station/services/new/",
        {
            "veteran": vet_a1a.pk,
            "kind": K.CONSULTATION,
            "date": "2026-11-20",
            "station": vet_a1a.station_id,
            "summary": "咨询参战人员补助标准",
            "outcome": "",
            "aid_amount": "",
        },
    )
    record = ServiceRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/station/services/{record.pk}/"
    assert record.handled_by == township_clerk
    event = AuditEvent.objects.get(action="service_record_create")
    assert event.ip_address == "127.0.0.1" and event.username == township_clerk.username
    assert vet_a1a.id_number not in str(event.detail)


def test_new_record_form_errors_in_chinese(client_for, township_clerk, vet_a1a):
    response = client_for(township_clerk).post(
        "/station/services/new/",
        {
            "veteran": vet_a1a.pk,
            "kind": K.AID,
            "date": "2026-11-20",
            "station": vet_a1a.station_id,
            "summary": "临时生活困难",
            "aid_amount": "",
        },
    )
    assert response.status_code == 200
    assert "帮扶援助必须填写帮扶金额" in response.content.decode()
    assert not ServiceRecord.objects.exists()


def test_new_record_veteran_outside_scope_404(client_for, township_clerk, vet_b1a):
    client = client_for(township_clerk)
    assert client.get(f"/station/services/new/?veteran={vet_b1a.pk}").status_code == 404
    response = client.post(
        "/station/services/new/",
        {"veteran": vet_b1a.pk, "kind": K.VISIT, "date": "2026-11-20", "summary": "来访"},
    )
    assert response.status_code == 404
    assert not ServiceRecord.objects.exists()


def test_station_choices_are_veteran_chain_in_scope(client_for, village_clerk, vet_a1a, world):
    body = client_for(village_clerk).get(f"/station/services/new/?veteran={vet_a1a.pk}").content.decode()
    assert f'value="{world["villageA1a"].code}"' in body
    assert f'value="{world["townshipA1"].code}"' not in body


def test_detail_close_and_read_only(client_for, township_clerk, vet_a1a):
    record = ServiceRecordFactory(veteran=vet_a1a, kind=K.RIGHTS, summary="拖欠工资")
    client = client_for(township_clerk)
    assert client.get(f"/station/services/{record.pk}/").status_code == 200
    response = client.post(f"/station/services/{record.pk}/close/", {"outcome": ""})
    assert response.status_code == 400
    assert "权益维护事项须填写办理结果后才能办结" in response.content.decode()
    response = client.post(f"/station/services/{record.pk}/close/", {"outcome": "已协调企业支付"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.is_closed and record.closed_at
    # read-only afterwards
    edit = client.get(f"/station/services/{record.pk}/edit/")
    assert edit.status_code == 302
    client.post(f"/station/services/{record.pk}/edit/", {"kind": K.VISIT, "summary": "x", "date": "2026-11-01"})
    record.refresh_from_db()
    assert record.kind == K.RIGHTS
    assert "办结" not in client.get(f"/station/services/{record.pk}/").content.decode().split("已办结")[-1]


def test_edit_open_record(client_for, township_clerk, vet_a1a):
    record = ServiceRecordFactory(veteran=vet_a1a)
    response = client_for(township_clerk).post(
        f"/station/services/{record.pk}/edit/",
        {
            "kind": K.VISIT,
            "date": "2026-11-03",
            "station": vet_a1a.station_id,
            "summary": "来访咨询并反映住房困难",
            "outcome": "",
            "aid_amount": "",
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.kind == K.VISIT and record.date == datetime.date(2026, 11, 3)


def test_list_filters(client_for, township_clerk, vet_a1a, world):
    ServiceRecordFactory(veteran=vet_a1a, kind=K.VISIT, date=datetime.date(2026, 10, 5), summary="十月来访")
    ServiceRecordFactory(veteran=vet_a1a, kind=K.CONSULTATION, date=datetime.date(2026, 11, 5), summary="十一月咨询")
    other = VeteranFactory(station=world["villageA1b"])
    ServiceRecordFactory(veteran=other, summary="另一社区咨询", date=datetime.date(2026, 11, 6))
    client = client_for(township_clerk)

    def summaries(**params):
        body = client.get("/station/services/", params).content.decode()
        return {s for s in ("十月来访", "十一月咨询", "另一社区咨询") if s in body}

    assert summaries() == {"十月来访", "十一月咨询", "另一社区咨询"}
    assert summaries(kind=K.VISIT) == {"十月来访"}
    assert summaries(month="2026-11") == {"十一月咨询", "另一社区咨询"}
    assert summaries(station=world["villageA1b"].code) == {"另一社区咨询"}
    assert summaries(status="closed") == set()
    assert summaries(veteran=vet_a1a.pk) == {"十月来访", "十一月咨询"}


@pytest.mark.parametrize("month", ["2026-13", "2026/11", "abc", "26-11"])
def test_list_month_validated_in_chinese(client_for, township_clerk, month):
    response = client_for(township_clerk).get("/station/services/", {"month": month})
    assert response.status_code == 200
    assert "月份格式不正确" in response.content.decode()


def test_list_station_filter_choices_scoped(client_for, township_clerk, world):
    response = client_for(township_clerk).get("/station/services/", {"station": world["villageB1a"].code})
    body = response.content.decode()
    assert world["villageB1a"].name not in body
    assert "选择一个有效的选项" in body or "有效" in body


def test_list_only_own_subtree(client_for, village_clerk, vet_a1a, vet_b1a):
    ServiceRecordFactory(veteran=vet_a1a, summary="本村咨询")
    ServiceRecordFactory(veteran=vet_b1a, summary="外县咨询")
    body = client_for(village_clerk).get("/station/services/").content.decode()
    assert "本村咨询" in body and "外县咨询" not in body


def test_list_constant_queries(client_for, county_clerk, world, django_assert_max_num_queries):
    client = client_for(county_clerk)
    vets = [VeteranFactory(station=world[k]) for k in ("villageA1a", "villageA1b", "villageA2a", "townshipA2")]
    ServiceRecordFactory(veteran=vets[0])
    client.get("/station/services/")  # warm caches (content types, permissions)
    with django_assert_max_num_queries(12) as few:
        client.get("/station/services/")
    for i in range(40):
        ServiceRecordFactory(veteran=vets[i % 4], kind=K.AID if i % 3 == 0 else K.VISIT)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get("/station/services/", {"page": 2})
    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_veteran_panel_lists_records_newest_first(rf, township_clerk, vet_a1a):
    from django.template import Context, Template

    ServiceRecordFactory(veteran=vet_a1a, date=datetime.date(2026, 9, 1), summary="较早的来访")
    ServiceRecordFactory(veteran=vet_a1a, date=datetime.date(2026, 11, 1), summary="最近的咨询")
    request = rf.get("/")
    request.user = township_clerk
    html = Template("{% load services_panels %}{% veteran_services_panel veteran %}").render(
        Context({"request": request, "veteran": vet_a1a})
    )
    assert html.index("最近的咨询") < html.index("较早的来访")
    assert f"/station/services/new/?veteran={vet_a1a.pk}" in html
    assert "登记服务" in html
    assert "公益性岗位" not in html
    PublicWelfarePostFactory(veteran=vet_a1a, post_name="护林防火员")
    html = Template("{% load services_panels %}{% veteran_services_panel veteran %}").render(
        Context({"request": request, "veteran": vet_a1a})
    )
    assert "公益性岗位：护林防火员" in html


def test_id_lookup_uses_blind_index(township_clerk, world):
    from services import selectors

    number = make_id_number("130902", "19750505", 321)
    vet = VeteranFactory(station=world["villageA1b"], id_number=number)
    assert selectors.veteran_search(township_clerk, number.lower()) == [vet]


@pytest.mark.parametrize(
    ("home", "visible"),
    [
        ("city", {"甲", "乙", "丙"}),
        ("countyA", {"甲", "乙"}),
        ("townshipA1", {"甲"}),
        ("villageA1a", {"甲"}),
        ("villageA1b", set()),
        ("countyB", {"丙"}),
    ],
)
def test_records_selector_by_tier(world, make_user, home, visible):
    from services import selectors

    for station, summary in (("villageA1a", "甲"), ("villageA2b", "乙"), ("villageB2a", "丙")):
        ServiceRecordFactory(veteran=VeteranFactory(station=world[station]), summary=summary)
    user = make_user("经办员", world[home])
    assert {r.summary for r in selectors.service_records_for_user(user)} == visible
    assert selectors.filter_station_choices(user).first() == world[home]


def test_record_station_must_be_the_veterans_or_above(township_clerk, vet_a1a, world):
    """A neighbouring village would count the service for the wrong station in the statistics."""
    with pytest.raises(ValidationError) as exc:
        _create(township_clerk, vet_a1a, station=world["villageA1b"])
    assert "上级服务站" in exc.value.message_dict["station"][0]
    assert _create(township_clerk, vet_a1a, station=world["townshipA1"]).station == world["townshipA1"]
    assert ServiceRecord.objects.count() == 1


def test_admin_saves_records_through_the_actions(client_for, county_clerk, vet_a1a, world):
    client = client_for(county_clerk)
    data = {
        "veteran": vet_a1a.pk,
        "station": world["villageA1b"].code,
        "kind": K.CONSULTATION,
        "date": "2026-11-02",
        "summary": "咨询",
        "outcome": "",
        "aid_amount": "",
        "status": ServiceRecord.Status.OPEN,
    }
    page = client.post("/admin/services/servicerecord/add/", data)
    assert page.status_code == 200 and "上级服务站" in page.content.decode()
    assert not ServiceRecord.objects.exists()
    data["station"] = world["townshipA1"].code
    assert client.post("/admin/services/servicerecord/add/", data).status_code == 302
    record = ServiceRecord.objects.get()
    assert record.handled_by == county_clerk
    assert AuditEvent.objects.filter(action="service_record_create").count() == 1
