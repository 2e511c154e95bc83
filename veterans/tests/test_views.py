"""Clerk pages of the registry: list, 信息采集, detail, edit, transfer, reveal, history."""

import datetime

import pytest
from django.urls import reverse

from services import roles
from services.models import AuditEvent
from veterans import choices
from veterans.models import Veteran, VeteranTransfer
from veterans.tests.factories import VeteranFactory, make_id_number

pytestmark = pytest.mark.django_db

LIST = reverse("veterans:list")
CREATE = reverse("veterans:create")


def _urls(v):
    return {
        "detail": ("get", reverse("veterans:detail", args=[v.pk])),
        "edit": ("get", reverse("veterans:edit", args=[v.pk])),
        "transfer": ("get", reverse("veterans:transfer", args=[v.pk])),
        "reveal": ("post", reverse("veterans:reveal", args=[v.pk])),
        "history": ("get", reverse("veterans:history", args=[v.pk])),
    }


def form_data(station, **overrides):
    data = {
        "station": station.code,
        "name": "张三丰",
        "ethnicity": "汉族",
        "id_number": make_id_number("130902", "19800101", 123),
        "phone": "13812345678",
        "household_address": "沧州市新华区建设北街1号",
        "current_address": "沧州市新华区建设北街1号",
        "service_branch": choices.Branch.ARMY,
        "enlistment_date": "1998-12-01",
        "discharge_date": "2003-12-01",
        "last_rank": choices.Rank.SERGEANT,
        "category": choices.Category.SOLDIER,
        "placement": choices.Placement.SELF_EMPLOYMENT,
        "education": choices.Education.SENIOR,
        "care_category": choices.CareCategory.NONE,
        "employment_status": choices.EmploymentStatus.EMPLOYED,
        "employer_name": "沧州某公司",
        "status": choices.RegistryStatus.ACTIVE,
        "registered_on": "2026-11-01",
    }
    data.update(overrides)
    return data


# --- list --------------------------------------------------------------------------------


def test_list_shows_only_the_subtree_newest_first(world, village_clerk, client_for):
    old = VeteranFactory(station=world["villageA1a"], registered_on=datetime.date(2020, 1, 1), name="旧记录")
    new = VeteranFactory(station=world["villageA1a"], registered_on=datetime.date(2026, 1, 1), name="新记录")
    VeteranFactory(station=world["villageA1b"], name="邻村人")
    VeteranFactory(station=world["villageB1a"], name="外县人")
    response = client_for(village_clerk).get(LIST)
    assert response.status_code == 200
    assert [v.pk for v in response.context["veterans"]] == [new.pk, old.pk]
    html = response.content.decode()
    assert "邻村人" not in html and "外县人" not in html


def test_list_search_by_name_initials_id_and_phone(world, county_clerk, client_for):
    target = VeteranFactory(station=world["villageA1a"], name="张三丰", phone="13912340000")
    VeteranFactory(station=world["villageA1b"], name="李四")
    client = client_for(county_clerk)

    def found(q):
        return [v.pk for v in client.get(LIST, {"q": q}).context["veterans"]]

    assert found("三丰") == [target.pk]
    assert found("zsf") == [target.pk]
    assert found("ZS") == [target.pk]
    assert found(target.id_number) == [target.pk]
    assert found(target.id_number[:17] + target.id_number[17].lower()) == [target.pk]
    assert found("139 1234 0000") == [target.pk]
    assert found(target.id_number[:10]) == []  # partial numbers are not searchable (blind index)
    assert found("王五") == []


def test_list_filters(world, county_clerk, client_for):
    a = VeteranFactory(station=world["villageA1a"], category=choices.Category.SOLDIER)
    b = VeteranFactory(
        station=world["villageA2a"],
        category=choices.Category.OFFICER_TRANSFERRED,
        employment_status=choices.EmploymentStatus.UNEMPLOYED,
        status=choices.RegistryStatus.DECEASED,
    )
    client = client_for(county_clerk)

    def found(**params):
        return {v.pk for v in client.get(LIST, params).context["veterans"]}

    assert found() == {a.pk, b.pk}
    assert found(station=world["townshipA2"].code) == {b.pk}
    assert found(station=world["villageA1a"].code) == {a.pk}
    assert found(category="officer_transferred") == {b.pk}
    assert found(employment_status="unemployed") == {b.pk}
    assert found(status="deceased") == {b.pk}
    assert found(status="active", category="soldier") == {a.pk}


@pytest.mark.parametrize("code", ["130903001001", "130903000000", "999999999999", "abc", "130902001009"])
def test_list_station_filter_outside_scope_is_refused_not_applied(world, county_clerk, client_for, code):
    mine = VeteranFactory(station=world["villageA1a"])
    VeteranFactory(station=world["villageB1a"])
    response = client_for(county_clerk).get(LIST, {"station": code, "q": ""})
    assert response.status_code == 200
    assert [v.pk for v in response.context["veterans"]] == [mine.pk]
    assert "所选服务站不存在或不在您的辖区范围内" in response.content.decode()


def test_list_station_choices_are_the_subtree(world, township_clerk, client_for):
    response = client_for(township_clerk).get(LIST)
    html = response.content.decode()
    assert world["villageA1a"].code in html and world["villageA1b"].code in html
    assert world["villageA2a"].code not in html and world["villageB1a"].code not in html


def _list_queries(client, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(LIST)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["county_clerk", "city_bureau"])
def test_list_query_count_is_constant(world, client_for, request, django_assert_max_num_queries, who):
    # 5 vs 50 rows (the bureau's page also writes its pii_list_view audit row)
    client = client_for(request.getfixturevalue(who))
    VeteranFactory.create_batch(5, station=world["villageA1a"])
    small = _list_queries(client, django_assert_max_num_queries, 12)
    VeteranFactory.create_batch(45, station=world["villageA2b"])
    large = _list_queries(client, django_assert_max_num_queries, 12)
    searched = client.get(LIST, {"q": "zs", "station": world["countyA"].code, "category": "soldier"})
    assert searched.status_code == 200
    assert small == large


def test_list_paginates_with_a_capped_count(world, village_clerk, client_for):
    VeteranFactory.create_batch(25, station=world["villageA1a"])
    client = client_for(village_clerk)
    first = client.get(LIST)
    assert len(first.context["veterans"]) == 20
    assert first.context["page"].paginator.count == 25
    second = client.get(LIST, {"page": 2})
    assert len(second.context["veterans"]) == 5


def test_list_needs_a_station_role(world, make_user, client_for, auditor):
    assert client_for(auditor).get(LIST).status_code == 403
    employer = make_user(roles.ROLE_EMPLOYER, None)
    assert client_for(employer).get(LIST).status_code == 403


def test_anonymous_users_are_sent_to_login(world, client):
    v = VeteranFactory(station=world["villageA1a"])
    for url in [LIST, CREATE, *[u for _m, u in _urls(v).values()]]:
        response = client.get(url)
        assert response.status_code in (302, 405)
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"]


# --- create -----------------------------------------------------------------------------


def test_clerk_registers_a_veteran(world, village_clerk, client_for):
    client = client_for(village_clerk)
    assert client.get(CREATE).status_code == 200
    response = client.post(CREATE, form_data(world["villageA1a"], id_number="11010519491231002x"), follow=True)
    v = Veteran.objects.get()
    assert response.redirect_chain[-1][0] == reverse("veterans:detail", args=[v.pk])
    assert "已登记退役军人“张三丰”的信息" in response.content.decode()
    assert v.id_number == "11010519491231002X"
    assert (v.birth_date, v.gender) == (datetime.date(1949, 12, 31), "F")
    assert v.station == world["villageA1a"] and v.created_by == village_clerk and v.version == 1


def test_create_with_wrong_check_character_shows_chinese_error(world, village_clerk, client_for):
    bad = make_id_number("130902", "19800101", 123)[:17] + "0"
    response = client_for(village_clerk).post(CREATE, form_data(world["villageA1a"], id_number=bad))
    assert response.status_code == 200
    assert "身份证号校验位错误：末位应为" in response.content.decode()
    assert not Veteran.objects.exists()


def test_create_refuses_station_outside_scope(world, village_clerk, client_for):
    response = client_for(village_clerk).post(CREATE, form_data(world["villageB1a"]))
    assert response.status_code == 200
    assert "登记服务站：所选项无效" in response.content.decode()
    assert not Veteran.objects.exists()


def test_create_offers_only_subtree_stations(world, township_clerk, client_for):
    form = client_for(township_clerk).get(CREATE).context["form"]
    codes = {s.code for s in form.fields["station"].queryset}
    assert codes == {world["townshipA1"].code, world["villageA1a"].code, world["villageA1b"].code}


def test_duplicate_in_another_subtree_names_only_the_station(world, village_clerk, client_for):
    held = VeteranFactory(station=world["villageB1a"], name="外县老兵", phone="13700001111")
    response = client_for(village_clerk).post(CREATE, form_data(world["villageA1a"], id_number=held.id_number))
    html = response.content.decode()
    assert "该身份证号已在“运河区1街道1社区”登记，不能重复登记" in html
    assert "外县老兵" not in html and "13700001111" not in html and "137****1111" not in html
    assert Veteran.objects.count() == 1


def test_create_rules_have_chinese_messages_naming_the_field(world, village_clerk, client_for):
    data = form_data(
        world["villageA1a"],
        name="",
        phone="1234",
        discharge_date="1998-11-30",
        enlistment_date="1998-12-01",
        is_party_member="on",
        party_join_date="1990-01-01",
        registered_on="2026-02-30",
    )
    html = client_for(village_clerk).post(CREATE, data).content.decode()
    assert "请填写姓名" in html
    assert "手机号码“1234”不是有效的大陆手机号码" in html
    assert "登记日期：日期格式不正确" in html
    assert not Veteran.objects.exists()


def test_model_rules_reach_the_form(world, village_clerk, client_for):
    data = form_data(
        world["villageA1a"],
        discharge_date="1998-11-30",
        enlistment_date="1998-12-01",
        is_party_member="on",
        party_join_date="1990-01-01",
    )
    html = client_for(village_clerk).post(CREATE, data).content.decode()
    assert "退役时间不能早于入伍时间" in html
    assert "入党时间须在年满18周岁（1998-01-01）之后" in html


def test_stats_viewer_may_not_register(world, county_stats_viewer, client_for):
    assert client_for(county_stats_viewer).get(CREATE).status_code == 403


def test_reviewer_may_read_but_not_register(world, county_reviewer, client_for):
    v = VeteranFactory(station=world["villageA1a"])
    client = client_for(county_reviewer)
    assert client.get(LIST).status_code == 200
    assert client.get(reverse("veterans:detail", args=[v.pk])).status_code == 200
    assert client.get(CREATE).status_code == 403
    assert client.get(reverse("veterans:edit", args=[v.pk])).status_code == 403
    assert client.get(reverse("veterans:transfer", args=[v.pk])).status_code == 403


# --- detail -----------------------------------------------------------------------------


def test_detail_shows_fields_chain_and_panels(world, village_clerk, client_for):
    v = VeteranFactory(station=world["villageA1a"], name="王大山", id_number=make_id_number("130902", "19750704", 35))
    response = client_for(village_clerk).get(reverse("veterans:detail", args=[v.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("王大山", "1975-07-04", "男", "新华区", "新华区第1街道", "退役士兵", "迁移记录", v.masked_id_number):
        assert text in html
    assert "显示完整号码" not in html  # clerks lack the permission
    assert "变更历史" not in html  # history is for bureau staff and auditors


# --- jurisdiction -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["detail", "edit", "transfer", "reveal", "history"])
def test_other_subtree_gets_404_on_every_record_url(world, make_user, client_for, name):
    v = VeteranFactory(station=world["villageA1a"])
    other_bureau = make_user(roles.ROLE_BUREAU, world["countyB"], username="bureau_b")
    other_clerk = make_user(roles.ROLE_CLERK, world["villageA1b"], username="neighbour")
    method, url = _urls(v)[name]
    for user in (other_bureau, other_clerk):
        response = getattr(client_for(user), method)(url)
        assert response.status_code == 404, (user.username, name, response.status_code)


def test_unknown_record_is_404(world, city_bureau, client_for):
    assert client_for(city_bureau).get(reverse("veterans:detail", args=[999999])).status_code == 404


def test_edit_and_transfer_post_out_of_scope_change_nothing(world, other_village_clerk, client_for):
    v = VeteranFactory(station=world["villageA1a"], name="原名")
    client = client_for(other_village_clerk)
    data = form_data(world["villageA1a"], name="被改", version=1)
    assert client.post(reverse("veterans:edit", args=[v.pk]), data).status_code == 404
    transfer = {"to_station": world["villageB1a"].code, "date": "2026-11-01"}
    assert client.post(reverse("veterans:transfer", args=[v.pk]), transfer).status_code == 404
    v.refresh_from_db()
    assert (v.name, v.station_id) == ("原名", world["villageA1a"].code)


# --- edit -------------------------------------------------------------------------------


def test_edit_saves_and_keeps_id_when_left_blank(world, village_clerk, client_for):
    v = VeteranFactory(station=world["villageA1a"])
    url = reverse("veterans:edit", args=[v.pk])
    client = client_for(village_clerk)
    page = client.get(url)
    assert page.context["form"].initial["version"] == 1
    data = form_data(world["villageA1a"], id_number="", phone="", name="改后的名", version=1)
    del data["station"]
    response = client.post(url, data)
    assert response.status_code == 302
    updated = Veteran.objects.get(pk=v.pk)
    assert (updated.name, updated.id_number, updated.phone, updated.version) == ("改后的名", v.id_number, v.phone, 2)


def test_edit_cannot_move_the_station(world, township_clerk, client_for):
    v = VeteranFactory(station=world["villageA1a"])
    data = form_data(world["villageA1b"], id_number="", version=1)
    client_for(township_clerk).post(reverse("veterans:edit", args=[v.pk]), data)
    v.refresh_from_db()
    assert v.station == world["villageA1a"]


def test_stale_edit_is_refused_and_first_data_kept(world, village_clerk, township_clerk, client_for):
    v = VeteranFactory(station=world["villageA1a"], skills="")
    url = reverse("veterans:edit", args=[v.pk])
    first, second = client_for(village_clerk), client_for(township_clerk)
    v1 = first.get(url).context["form"].initial["version"]
    v2 = second.get(url).context["form"].initial["version"]
    assert v1 == v2 == 1
    base = form_data(world["villageA1a"], id_number="", phone="")
    del base["station"]
    assert first.post(url, {**base, "skills": "电工", "version": v1}).status_code == 302
    response = second.post(url, {**base, "skills": "焊工", "version": v2})
    assert response.status_code == 200
    assert "该记录已被他人修改，请刷新后重新编辑" in response.content.decode()
    v.refresh_from_db()
    assert (v.skills, v.version) == ("电工", 2)


# --- transfer ---------------------------------------------------------------------------


def test_transfer_out_of_the_subtree(world, village_clerk, client_for):
    v = VeteranFactory(station=world["villageA1a"], registered_on=datetime.date(2020, 1, 1))
    client = client_for(village_clerk)
    url = reverse("veterans:transfer", args=[v.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert world["villageA1b"].code in page.content.decode()  # same-county suggestions
    response = client.post(url, {"to_station": world["villageB1a"].code, "date": "2026-11-01", "reason": "户籍迁移"})
    assert response.status_code == 302 and response["Location"] == LIST  # no longer visible to this clerk
    v.refresh_from_db()
    assert v.station == world["villageB1a"] and v.version == 2
    t = VeteranTransfer.objects.get()
    assert (t.from_station, t.to_station, t.created_by, t.reason) == (
        world["villageA1a"],
        world["villageB1a"],
        village_clerk,
        "户籍迁移",
    )
    assert AuditEvent.objects.filter(action="veteran_transfer", object_id=str(v.pk)).exists()
    assert client.get(reverse("veterans:detail", args=[v.pk])).status_code == 404


@pytest.mark.parametrize(
    ("to", "date", "message"),
    [
        ("130902001001", "2026-11-01", "迁入服务站与当前登记服务站相同"),
        ("130902000000", "2026-11-01", "须为乡镇（街道）或村（社区）服务站"),
        ("130902009009", "2026-11-01", "区划代码“130902009009”不存在"),
        ("130903001001", "2099-01-01", "迁移日期不能晚于今天"),
        ("130903001001", "2019-12-31", "迁移日期不能早于登记日期（2020-01-01）"),
        ("130903001001", "", "请填写迁移日期"),
    ],
)
def test_transfer_errors(world, village_clerk, client_for, to, date, message):
    v = VeteranFactory(station=world["villageA1a"], registered_on=datetime.date(2020, 1, 1))
    response = client_for(village_clerk).post(
        reverse("veterans:transfer", args=[v.pk]), {"to_station": to, "date": date}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not VeteranTransfer.objects.exists()


def test_transfer_to_inactive_station_is_refused(world, village_clerk, client_for):
    world["villageB1b"].is_active = False
    world["villageB1b"].save()
    v = VeteranFactory(station=world["villageA1a"])
    response = client_for(village_clerk).post(
        reverse("veterans:transfer", args=[v.pk]), {"to_station": world["villageB1b"].code, "date": "2026-11-01"}
    )
    assert "已停用" in response.content.decode()
    assert not VeteranTransfer.objects.exists()


# --- reveal -----------------------------------------------------------------------------


def test_reveal_requires_the_permission_and_post(world, village_clerk, city_bureau, client_for):
    v = VeteranFactory(station=world["villageA1a"])
    url = reverse("veterans:reveal", args=[v.pk])
    assert client_for(village_clerk).post(url).status_code == 403
    assert client_for(city_bureau).get(url).status_code == 405
    assert not AuditEvent.objects.filter(action="pii_reveal").exists()


def test_reveal_shows_full_numbers_once_and_audits(world, city_bureau, client_for):
    v = VeteranFactory(station=world["villageA1a"], phone="13811112222")
    client = client_for(city_bureau)
    detail = client.get(reverse("veterans:detail", args=[v.pk])).content.decode()
    assert "显示完整号码" in detail and v.id_number not in detail
    response = client.post(reverse("veterans:reveal", args=[v.pk]), REMOTE_ADDR="10.1.2.3")
    html = response.content.decode()
    assert response.status_code == 200
    assert v.id_number in html and "13811112222" in html
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="pii_reveal")
    assert (event.user, event.object_id, event.ip_address) == (city_bureau, str(v.pk), "10.1.2.3")
    assert v.id_number not in str(event.detail) and "13811112222" not in str(event.detail)
    again = client.get(reverse("veterans:detail", args=[v.pk])).content.decode()
    assert v.id_number not in again
