import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from honors import actions
from honors.models import Award, HonorType, Nomination, NominationAttachment, NominationStatus
from services import roles

from .factories import (
    DeliveryFactory,
    HouseholdFactory,
    MeritFactory,
    NominationFactory,
    ServingMemberFactory,
    VeteranFactory,
)
from .test_validators import PDF

pytestmark = pytest.mark.django_db
S = NominationStatus


def _approved(types, household, clerk, county, city, code=HonorType.JRJT, year=2026):
    n = actions.nomination_create(honor_type=types[code], year=year, household=household, reasons="好", user=clerk)
    actions.nomination_submit(nomination=n, user=clerk)
    actions.nomination_county_approve(nomination=n, user=county)
    return actions.nomination_city_approve(nomination=n, user=city)


@pytest.fixture
def other_county_reviewer(world, make_user):
    return make_user(roles.ROLE_REVIEWER, world["countyB"], username="reviewer_b", is_staff=True)


# --- the whole workflow through the screens ---------------------------------------------------
def test_workflow_through_the_screens(
    types, household, village_clerk, county_reviewer, city_reviewer, client_for, client
):
    clerk = client_for(village_clerk)
    resp = clerk.post(
        "/station/honors/nominations/new/",
        {
            "honor_type": types[HonorType.JRJT].pk,
            "year": 2026,
            "household": household.pk,
            "reasons": "父子两代参军，支持国防建设",
            "attachment": SimpleUploadedFile("证明.pdf", PDF),
        },
    )
    n = Nomination.objects.get()
    assert resp.status_code == 302 and resp.url == f"/station/honors/nominations/{n.pk}/"
    assert n.attachments.count() == 1
    assert clerk.post(f"/station/honors/nominations/{n.pk}/submit/").status_code == 302
    n.refresh_from_db()
    assert n.status == S.SUBMITTED

    county = client_for(county_reviewer)
    queue = county.get("/station/honors/review/")
    assert "刘光荣户" in queue.content.decode()
    page = county.get(f"/station/honors/nominations/{n.pk}/").content.decode()
    assert "县级审核" in page and 'value="approve"' in page
    county.post(f"/station/honors/nominations/{n.pk}/review/", {"decision": "approve", "comment": "同意上报"})
    n.refresh_from_db()
    assert n.status == S.COUNTY_APPROVED

    city = client_for(city_reviewer)
    resp = city.post(f"/station/honors/nominations/{n.pk}/review/", {"decision": "approve"}, follow=True)
    assert "CZ-JRJT-2026-0001" in resp.content.decode()
    roll = client.get("/honors/").content.decode()
    assert "刘光荣户" in roll and "新华区" in roll


def test_review_reject_without_reason_shows_chinese_error(types, household, village_clerk, county_reviewer, client_for):
    n = actions.nomination_create(
        honor_type=types[HonorType.JRJT], year=2026, household=household, reasons="好", user=village_clerk
    )
    actions.nomination_submit(nomination=n, user=village_clerk)
    resp = client_for(county_reviewer).post(
        f"/station/honors/nominations/{n.pk}/review/", {"decision": "reject", "comment": ""}, follow=True
    )
    assert "请填写不予通过的理由" in resp.content.decode()
    n.refresh_from_db()
    assert n.status == S.SUBMITTED


def test_city_reviewer_cannot_skip_county_through_the_screen(
    types, household, village_clerk, city_reviewer, client_for
):
    n = actions.nomination_create(
        honor_type=types[HonorType.JRJT], year=2026, household=household, reasons="好", user=village_clerk
    )
    actions.nomination_submit(nomination=n, user=village_clerk)
    resp = client_for(city_reviewer).post(
        f"/station/honors/nominations/{n.pk}/review/", {"decision": "approve"}, follow=True
    )
    assert "尚未通过县级审核" in resp.content.decode()
    n.refresh_from_db()
    assert n.status == S.SUBMITTED and not Award.objects.exists()


def test_create_form_errors_in_chinese(types, household, veteran, village_clerk, client_for):
    c = client_for(village_clerk)
    resp = c.post("/station/honors/nominations/new/", {"honor_type": types[HonorType.JRJT].pk, "year": 1990})
    html = resp.content.decode()
    assert "请填写推荐理由" in html and "授予家庭户，请选择家庭户" in html and "提名年度须在" in html
    resp = c.post(
        "/station/honors/nominations/new/",
        {
            "honor_type": types[HonorType.ZMTY].pk,
            "year": 2026,
            "veteran": veteran.pk,
            "reasons": "x",
            "attachment": SimpleUploadedFile("a.pdf", b"not a pdf"),
        },
    )
    assert "不是 PDF、JPG 或 PNG" in resp.content.decode()
    assert not Nomination.objects.exists()


def test_create_form_subject_choices_are_scoped(types, household, other_household, village_clerk, client_for):
    html = client_for(village_clerk).get("/station/honors/nominations/new/").content.decode()
    assert "刘光荣户" in html and "孙远方户" not in html
    resp = client_for(village_clerk).post(
        "/station/honors/nominations/new/",
        {"honor_type": types[HonorType.JRJT].pk, "year": 2026, "household": other_household.pk, "reasons": "x"},
    )
    assert "选择一个有效的选项" in resp.content.decode() or "有效" in resp.content.decode()
    assert not Nomination.objects.exists()


def test_attachment_upload_and_download(types, household, village_clerk, other_village_clerk, client_for):
    n = actions.nomination_create(
        honor_type=types[HonorType.JRJT], year=2026, household=household, reasons="好", user=village_clerk
    )
    c = client_for(village_clerk)
    resp = c.post(
        f"/station/honors/nominations/{n.pk}/attachments/",
        {"file": SimpleUploadedFile("x.png", b"GIF89a" + b"\x00" * 20)},
        follow=True,
    )
    assert "不是 PDF、JPG 或 PNG" in resp.content.decode()
    c.post(f"/station/honors/nominations/{n.pk}/attachments/", {"file": SimpleUploadedFile("证明.pdf", PDF)})
    att = NominationAttachment.objects.get()
    resp = c.get(f"/station/honors/attachments/{att.pk}/")
    assert resp.status_code == 200 and b"".join(resp.streaming_content).startswith(b"%PDF-")
    assert client_for(other_village_clerk).get(f"/station/honors/attachments/{att.pk}/").status_code == 404


def test_party50_page(world, village_clerk, client_for):
    VeteranFactory(
        station=world["villageA1a"], name="老党员甲", is_party_member=True, party_join_date=datetime.date(1976, 7, 1)
    )
    late = VeteranFactory(
        station=world["villageA1a"], name="老党员乙", is_party_member=True, party_join_date=datetime.date(1976, 7, 2)
    )
    VeteranFactory(
        station=world["villageB1a"], name="外县党员", is_party_member=True, party_join_date=datetime.date(1960, 1, 1)
    )
    c = client_for(village_clerk)
    html = c.get("/station/honors/party50/?year=2026").content.decode()
    assert "老党员甲" in html and "老党员乙" not in html and "外县党员" not in html
    assert "颁发年度须在2000年至" in c.get("/station/honors/party50/?year=1800").content.decode()
    assert "年度须为四位数字" in c.get("/station/honors/party50/?year=abc").content.decode()
    甲 = __import__("veterans.models", fromlist=["Veteran"]).Veteran.objects.get(name="老党员甲")
    resp = c.post("/station/honors/party50/", {"year": 2026, "veteran": [甲.pk]}, follow=True)
    assert "已生成 1 份" in resp.content.decode()
    n = Nomination.objects.get()
    assert n.veteran_id == 甲.pk and n.status == S.DRAFT and n.honor_type.code == HonorType.GRZD
    # an out-of-subtree or ineligible selection creates nothing
    assert c.post("/station/honors/party50/", {"year": 2026, "veteran": [late.pk]}).status_code == 302
    assert Nomination.objects.count() == 1


def test_party50_bulk_create_refuses_out_of_subtree(world, village_clerk, client_for):
    outsider = VeteranFactory(
        station=world["villageB1a"], is_party_member=True, party_join_date=datetime.date(1960, 1, 1)
    )
    resp = client_for(village_clerk).post("/station/honors/party50/", {"year": 2026, "veteran": [outsider.pk]})
    assert resp.status_code == 404 and not Nomination.objects.exists()


def test_serving_member_merit_and_delivery(world, household, village_clerk, client_for):
    c = client_for(village_clerk)
    resp = c.post(
        "/station/honors/serving/new/",
        {"name": "陈志勇", "hometown_station": world["villageA1a"].pk, "household": household.pk, "unit": "某部"},
    )
    assert resp.status_code == 302
    member_url = resp.url
    c.post(member_url, {"kind": "third_class", "year": 2026, "description": "演习中表现突出"})
    merit = __import__("honors.models", fromlist=["Merit"]).Merit.objects.get()
    html = c.get("/station/honors/deliveries/").content.decode()
    assert "陈志勇" in html and "待送达喜报" in html
    resp = c.post(f"/station/honors/merits/{merit.pk}/deliver/", {"date": "2099-01-01", "deliverer": "张站长"})
    assert "送达日期不能晚于今天" in resp.content.decode()
    resp = c.post(f"/station/honors/merits/{merit.pk}/deliver/", {"date": "2026-08-01", "deliverer": "张站长"})
    assert resp.status_code == 302
    resp = c.post(f"/station/honors/merits/{merit.pk}/deliver/", {"date": "2026-08-02", "deliverer": "张站长"})
    assert "不能重复登记" in resp.content.decode()


# --- jurisdiction: every station URL ------------------------------------------------------------
@pytest.fixture
def objects_in_county_a(types, world, household, village_clerk, county_reviewer, city_reviewer):
    award = _approved(types, household, village_clerk, county_reviewer, city_reviewer)
    draft = NominationFactory(
        household=HouseholdFactory(station=world["villageA1a"]), station=world["villageA1a"], created_by=village_clerk
    )
    att = NominationAttachment.objects.create(
        nomination=draft, file=SimpleUploadedFile("a.pdf", PDF), original_name="a.pdf", kind="pdf", size=len(PDF)
    )
    member = ServingMemberFactory(hometown_station=world["villageA1a"])
    merit = MeritFactory(serving_member=member)
    delivered = MeritFactory(serving_member=member)
    delivery = DeliveryFactory(merit=delivered)
    return {"award": award, "draft": draft, "att": att, "member": member, "merit": merit, "delivery": delivery}


def _detail_urls(o):
    d = o["draft"].pk
    return [
        ("get", f"/station/honors/nominations/{d}/"),
        ("get", f"/station/honors/nominations/{d}/edit/"),
        ("post", f"/station/honors/nominations/{d}/submit/"),
        ("post", f"/station/honors/nominations/{d}/attachments/"),
        ("get", f"/station/honors/attachments/{o['att'].pk}/"),
        ("get", f"/station/honors/serving/{o['member'].pk}/"),
        ("get", f"/station/honors/merits/{o['merit'].pk}/deliver/"),
    ]


def test_other_subtree_gets_404_on_every_object_url(objects_in_county_a, other_village_clerk, client_for):
    c = client_for(other_village_clerk)
    for method, url in _detail_urls(objects_in_county_a):
        assert getattr(c, method)(url).status_code == 404, url
    assert Nomination.objects.get(pk=objects_in_county_a["draft"].pk).status == S.DRAFT


def test_other_county_reviewer_gets_404_on_review(
    objects_in_county_a, types, world, village_clerk, other_county_reviewer, client_for
):
    n = NominationFactory(
        household=HouseholdFactory(station=world["villageA1b"]),
        station=world["villageA1b"],
        created_by=village_clerk,
        status=S.SUBMITTED,
    )
    c = client_for(other_county_reviewer)
    assert c.post(f"/station/honors/nominations/{n.pk}/review/", {"decision": "approve"}).status_code == 404
    assert c.get(f"/station/honors/nominations/{n.pk}/").status_code == 404
    n.refresh_from_db()
    assert n.status == S.SUBMITTED


def test_lists_show_only_own_subtree(objects_in_county_a, other_village_clerk, village_clerk, client_for):
    other = client_for(other_village_clerk)
    for url in (
        "/station/honors/",
        "/station/honors/awards/",
        "/station/honors/serving/",
        "/station/honors/deliveries/",
    ):
        html = other.get(url).content.decode()
        assert "刘光荣户" not in html and objects_in_county_a["member"].name not in html, url
    mine = client_for(village_clerk)
    assert "刘光荣户" in mine.get("/station/honors/awards/").content.decode()
    assert objects_in_county_a["member"].name in mine.get("/station/honors/serving/").content.decode()


STATION_URLS = [
    "/station/honors/",
    "/station/honors/review/",
    "/station/honors/nominations/new/",
    "/station/honors/awards/",
    "/station/honors/party50/",
    "/station/honors/serving/",
    "/station/honors/serving/new/",
    "/station/honors/deliveries/",
]


def test_station_urls_need_login(client, world):
    for url in STATION_URLS:
        resp = client.get(url)
        assert resp.status_code == 302 and "/accounts/login/" in resp.url, url


def test_station_urls_refuse_non_business_roles(auditor, client_for):
    c = client_for(auditor)
    for url in STATION_URLS:
        assert c.get(url).status_code == 403, url


def test_station_urls_answer_for_their_roles(world, village_clerk, county_reviewer, client_for):
    clerk, reviewer = client_for(village_clerk), client_for(county_reviewer)
    for url in STATION_URLS:
        expected = 403 if url == "/station/honors/review/" else 200
        assert clerk.get(url).status_code == expected, url
    assert reviewer.get("/station/honors/review/").status_code == 200
    assert reviewer.get("/station/honors/nominations/new/").status_code == 403


def test_filters_are_validated(world, village_clerk, client_for):
    resp = client_for(village_clerk).get("/station/honors/?year=abc&status=bogus")
    html = resp.content.decode()
    assert resp.status_code == 200 and "年度须为四位数字" in html and "状态不存在" in html


# --- query counts ---------------------------------------------------------------------------------
def _many_awards(types, world, clerk, county, city, n):
    for _ in range(n):
        _approved(types, HouseholdFactory(station=world["villageA1a"]), clerk, county, city)


def test_list_pages_constant_queries(
    types, world, village_clerk, county_reviewer, city_reviewer, client_for, django_assert_max_num_queries
):
    _many_awards(types, world, village_clerk, county_reviewer, city_reviewer, 3)
    member = ServingMemberFactory(hometown_station=world["villageA1a"])
    for _ in range(3):
        DeliveryFactory(merit=MeritFactory(serving_member=member))
        MeritFactory(serving_member=ServingMemberFactory(hometown_station=world["villageA1b"]))
    clerk = client_for(village_clerk)
    budgets = {}
    for url in (
        "/station/honors/",
        "/station/honors/awards/",
        "/station/honors/serving/",
        "/station/honors/deliveries/",
    ):
        with django_assert_max_num_queries(12) as ctx:
            assert clerk.get(url).status_code == 200
        budgets[url] = len(ctx.captured_queries)
    _many_awards(types, world, village_clerk, county_reviewer, city_reviewer, 6)
    for _ in range(5):
        DeliveryFactory(merit=MeritFactory(serving_member=ServingMemberFactory(hometown_station=world["villageA2a"])))
    for url, n in budgets.items():
        with django_assert_max_num_queries(n):
            clerk.get(url)


# --- the public honor roll -------------------------------------------------------------------------
def test_honor_roll_shows_no_personal_data(
    types, world, village_clerk, county_reviewer, city_reviewer, client, django_assert_max_num_queries
):
    hh = HouseholdFactory(station=world["villageA1a"], head_name="周振华", address="沧州市新华区光荣路18号")
    _approved(types, hh, village_clerk, county_reviewer, city_reviewer)
    v = VeteranFactory(
        station=world["villageA1a"],
        name="吴建军",
        household=hh,
        is_party_member=True,
        party_join_date=datetime.date(1970, 1, 1),
    )
    n = actions.nomination_create(
        honor_type=types[HonorType.GRZD], year=2026, veteran=v, reasons="老党员", user=village_clerk
    )
    actions.nomination_submit(nomination=n, user=village_clerk)
    actions.nomination_county_approve(nomination=n, user=county_reviewer)
    actions.nomination_city_approve(nomination=n, user=city_reviewer)
    ServingMemberFactory(hometown_station=world["villageA1a"], household=hh, unit="第八十一集团军某合成旅")
    with django_assert_max_num_queries(6):
        resp = client.get("/honors/")
    html = resp.content.decode()
    assert "周振华户" in html and "吴建军" in html and "新华区" in html and "光荣在党50年纪念章" in html
    for secret in (
        v.id_number,
        v.id_number[-4:] + "<",
        v.phone,
        "光荣路18号",
        "解放路88号",
        "集团军",
        "机械厂",
        "新华区1街道1社区",
    ):
        assert secret not in html, secret
    assert not re.search(r"\d{17}[\dX]", html)
    assert not re.search(r"1[3-9]\d{9}", html)


def test_honor_roll_filters_and_grouping(types, world, village_clerk, county_reviewer, city_reviewer, client):
    _approved(
        types,
        HouseholdFactory(station=world["villageA1a"], head_name="甲家"),
        village_clerk,
        county_reviewer,
        city_reviewer,
    )
    _approved(
        types,
        HouseholdFactory(station=world["villageA1a"], head_name="乙家"),
        village_clerk,
        county_reviewer,
        city_reviewer,
        code=HonorType.JRSJ,
        year=2025,
    )
    html = client.get("/honors/?type=JRSJ").content.decode()
    assert "乙家户" in html and "甲家户" not in html and "2025年 · 军人世家" in html
    html = client.get("/honors/?year=2026").content.decode()
    assert "甲家户" in html and "乙家户" not in html
    resp = client.get("/honors/?year=abc&type=NOPE")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "年度须为四位数字" in html and "荣誉类型不存在" in html


def test_honor_roll_constant_queries(
    types, world, village_clerk, county_reviewer, city_reviewer, client, django_assert_max_num_queries
):
    _many_awards(types, world, village_clerk, county_reviewer, city_reviewer, 2)
    with django_assert_max_num_queries(6) as ctx:
        client.get("/honors/?type=JRJT&year=2026")
    first = len(ctx.captured_queries)
    _many_awards(types, world, village_clerk, county_reviewer, city_reviewer, 8)
    with django_assert_max_num_queries(first):
        client.get("/honors/?type=JRJT&year=2026")


def test_review_queue_and_party50_constant_queries(
    types, world, village_clerk, county_reviewer, client_for, django_assert_max_num_queries
):
    def add(n):
        for _ in range(n):
            nomination = actions.nomination_create(
                honor_type=types[HonorType.JRJT],
                year=2026,
                household=HouseholdFactory(station=world["villageA1a"]),
                reasons="好",
                user=village_clerk,
            )
            actions.nomination_submit(nomination=nomination, user=village_clerk)
            VeteranFactory(station=world["villageA1a"], is_party_member=True, party_join_date=datetime.date(1970, 1, 1))

    add(2)
    reviewer, clerk = client_for(county_reviewer), client_for(village_clerk)
    with django_assert_max_num_queries(12) as q1:
        assert reviewer.get("/station/honors/review/").status_code == 200
    with django_assert_max_num_queries(12) as q2:
        assert clerk.get("/station/honors/party50/?year=2026").status_code == 200
    add(6)
    with django_assert_max_num_queries(len(q1.captured_queries)):
        reviewer.get("/station/honors/review/")
    with django_assert_max_num_queries(len(q2.captured_queries)):
        clerk.get("/station/honors/party50/?year=2026")


def test_county_clerk_gets_403_on_the_create_form(county_clerk, client_for):
    resp = client_for(county_clerk).get("/station/honors/nominations/new/")
    assert resp.status_code == 403 and "村（社区）、乡镇（街道）" in resp.content.decode()
