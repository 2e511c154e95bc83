"""The provincial platform's API (/api/v1/): keys (hashed, revocable, expiring, rate-limited per
key, every use audited), pagination and bad input as JSON errors in Chinese, no personal data."""

import datetime
import json

import pytest
from django.core.cache import cache
from django.utils import timezone

from employment import actions
from employment.models import PartnerAPIKey
from services.models import AuditEvent

from .factories import (
    ApplicationFactory,
    EmployerFactory,
    FairRegistrationFactory,
    JobFairFactory,
    JobPostingFactory,
    VeteranFactory,
    make_api_key,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def key():
    return make_api_key()


def _get(client, url, key=None, **params):
    headers = {"HTTP_AUTHORIZATION": f"Api-Key {key}"} if key else {}
    response = client.get(url, params, **headers)
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response, response.json()


# --- keys --------------------------------------------------------------------------------------------------
def test_key_is_stored_hashed(key):
    obj, raw = key
    stored = PartnerAPIKey.objects.get(pk=obj.pk)
    assert raw not in (stored.id, stored.hashed_key) and raw.split(".")[1] not in stored.hashed_key
    assert stored.hashed_key.startswith("sha512$$")


def test_no_key_invalid_key_revoked_key_expired_key(client, key, posting_a):
    obj, raw = key
    response, body = _get(client, "/api/v1/postings/")
    assert response.status_code == 403 and "Authorization: Api-Key" in body["detail"]
    response, body = _get(client, "/api/v1/postings/", key=raw[:-1] + ("A" if raw[-1] != "A" else "B"))
    assert response.status_code == 403 and body == {"detail": "接口密钥无效或已被吊销"}
    assert _get(client, "/api/v1/postings/", key=raw)[0].status_code == 200
    obj.revoked = True
    obj.save()
    response, body = _get(client, "/api/v1/postings/", key=raw)
    assert response.status_code == 403 and body == {"detail": "接口密钥无效或已被吊销"}
    _expired, raw2 = make_api_key(name="过期", expiry_date=timezone.now() - datetime.timedelta(minutes=1))
    response, body = _get(client, "/api/v1/postings/", key=raw2)
    assert response.status_code == 403 and body == {"detail": "接口密钥已过期"}


def test_rate_limited_per_key(client, posting_a):
    cache.clear()
    slow, raw_slow = make_api_key(name="慢速平台", requests_per_minute=2)
    _fast, raw_fast = make_api_key(name="省平台", requests_per_minute=100)
    assert [_get(client, "/api/v1/postings/", key=raw_slow)[0].status_code for _ in range(2)] == [200, 200]
    response, body = _get(client, "/api/v1/postings/", key=raw_slow)
    assert response.status_code == 429 and "该密钥每分钟最多2次" in body["detail"]
    assert int(response["Retry-After"]) >= 1
    assert _get(client, "/api/v1/postings/", key=raw_fast)[0].status_code == 200  # the other key is not affected
    denied = AuditEvent.objects.filter(action="api_request", detail__key=slow.prefix, result="denied")
    assert denied.count() == 1 and denied.get().detail["status"] == 429


def test_every_use_is_audited(client, key, posting_a):
    obj, raw = key
    _get(client, "/api/v1/postings/", key=raw, county="130902000000")
    _get(client, f"/api/v1/postings/{posting_a.pk}/", key=raw)
    _get(client, "/api/v1/postings/", key="nope.nope")
    _get(client, "/api/v1/postings/")  # no key at all: nothing to attribute
    events = list(AuditEvent.objects.filter(action="api_request").order_by("id"))
    assert [(e.result, e.detail["status"]) for e in events] == [("success", 200), ("success", 200), ("denied", 403)]
    first = events[0]
    assert first.detail["key"] == obj.prefix and first.detail["partner"] == obj.name
    assert first.username == f"接口密钥:{obj.prefix}"
    assert first.detail["path"] == "/api/v1/postings/" and first.detail["query"] == "county=130902000000"
    assert first.ip_address == "127.0.0.1" and first.user is None


# --- pagination and bad input --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"page_size": "100000"}, "请求参数有误：每页条数须为1到100之间的整数，收到“100000”"),
        ({"page_size": "0"}, "请求参数有误：每页条数须为1到100之间的整数，收到“0”"),
        ({"page_size": "abc"}, "请求参数有误：每页条数须为1到100之间的整数，收到“abc”"),
        ({"page": "x"}, "请求参数有误：页码须为1到10000之间的整数，收到“x”"),
        ({"county": "130902001001"}, "请求参数有误：“130902001001”不是县（市、区）的12位统计用区划代码"),
        ({"updated_since": "yesterday"}, "请求参数有误：输入一个有效的日期/时间。"),
    ],
)
def test_bad_parameters_are_json_errors_in_chinese(client, key, posting_a, params, message):
    response, body = _get(client, "/api/v1/postings/", key=key[1], **params)
    assert response.status_code == 400
    assert body["detail"] == message and isinstance(body["errors"], dict)


def test_bad_category_and_page_out_of_range(client, key, posting_a):
    response, body = _get(client, "/api/v1/postings/", key=key[1], category="spaceman")
    assert response.status_code == 400 and "spaceman" in body["detail"] and "category" in body["errors"]
    response, body = _get(client, "/api/v1/postings/", key=key[1], page="9")
    assert response.status_code == 404 and body["detail"] == "页码9超出范围"
    response, body = _get(client, "/api/v1/fairs/", key=key[1], kind="party")
    assert response.status_code == 400 and "kind" in body["errors"]


def test_unknown_addresses_and_methods(client, key, posting_a):
    response, body = _get(client, "/api/v1/nothing/here/")
    assert response.status_code == 404 and "接口不存在" in body["detail"]
    response, body = _get(client, "/api/v1/postings/abc/", key=key[1])
    assert response.status_code == 404 and "接口不存在" in body["detail"]
    response = client.post("/api/v1/postings/", {}, HTTP_AUTHORIZATION=f"Api-Key {key[1]}")
    assert response.status_code == 405 and "POST" in response.json()["detail"]


def test_pagination_and_detail(client, key, employer_a):
    postings = [JobPostingFactory(employer=employer_a) for _ in range(5)]
    response, body = _get(client, "/api/v1/postings/", key=key[1], page_size="2", page="2")
    assert body["count"] == 5 and len(body["results"]) == 2
    assert body["next"].endswith("page=3&page_size=2") and "page_size=2" in body["previous"]
    newest_first = sorted(postings, key=lambda p: (p.published_at, p.pk), reverse=True)
    assert [r["id"] for r in body["results"]] == [p.pk for p in newest_first[2:4]]
    one = newest_first[0]
    response, body = _get(client, f"/api/v1/postings/{one.pk}/", key=key[1])
    assert body["employer"] == {
        "name": employer_a.name,
        "credit_code": employer_a.credit_code,
        "industry": employer_a.organization.industry,
        "is_partner": True,
    }
    assert body["county_code"] == "130902000000" and body["url"] == f"http://testserver/jobs/{one.pk}/"
    one.status = "closed"
    one.save()
    response, body = _get(client, f"/api/v1/postings/{one.pk}/", key=key[1])
    assert response.status_code == 404 and body == {"detail": "该岗位不存在或已停止招聘"}


def test_updated_since_filter(client, key, employer_a):
    old = JobPostingFactory(employer=employer_a)
    from employment.models import JobPosting

    JobPosting.objects.filter(pk=old.pk).update(updated_at=timezone.now() - datetime.timedelta(days=3))
    new = JobPostingFactory(employer=employer_a)
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    body = _get(client, "/api/v1/postings/", key=key[1], updated_since=since)[1]
    assert [r["id"] for r in body["results"]] == [new.pk]


# --- fairs ---------------------------------------------------------------------------------------------------
def test_fairs_with_figures_and_public_postings_only(client, key, world, city_bureau, employer_a):
    fair = JobFairFactory(county=world["countyA"], kind="livestream", stream_url="https://live.douyin.com/9")
    open_ = JobPostingFactory(employer=employer_a, headcount=4)
    shut = JobPostingFactory(employer=employer_a, headcount=6)
    actions.fair_add_employer(fair=fair, employer=employer_a, user=city_bureau)
    shut.status = "closed"
    shut.save()
    FairRegistrationFactory(
        fair=fair, veteran=VeteranFactory(station=world["villageA1a"]), checked_in_at=timezone.now()
    )
    ApplicationFactory(posting=open_, fair=fair, status="hired", veteran=VeteranFactory(station=world["villageA1a"]))
    JobFairFactory(county=world["countyA"], date=TODAY - 200 * DAY)  # long past: not public
    body = _get(client, "/api/v1/fairs/", key=key[1])[1]
    assert body["count"] == 1
    item = body["results"][0]
    assert item["stream_url"] == "https://live.douyin.com/9" and item["kind_label"] == "直播带岗"
    assert item["posting_ids"] == [open_.pk]
    assert item["figures"] == {
        "employers": 1,
        "postings": 2,
        "positions": 10,
        "registrations": 1,
        "checkins": 1,
        "applications": 1,
        "hires": 1,
    }
    assert _get(client, f"/api/v1/fairs/{fair.pk}/", key=key[1])[1]["id"] == fair.pk


def test_no_personal_data_anywhere(client, key, world, city_bureau):
    employer = EmployerFactory(
        organization__contact_name="王联系", organization__contact_phone="13700001111", county=world["countyA"]
    )
    posting = JobPostingFactory(employer=employer)
    veteran = VeteranFactory(station=world["villageA1a"], name="赵保密", phone="13811112222")
    fair = JobFairFactory(county=world["countyA"])
    actions.fair_add_employer(fair=fair, employer=employer, user=city_bureau)
    FairRegistrationFactory(fair=fair, veteran=veteran)
    ApplicationFactory(posting=posting, veteran=veteran, name="赵保密", phone="13811112222", fair=fair)
    text = "".join(
        json.dumps(_get(client, url, key=key[1])[1], ensure_ascii=False)
        for url in (
            "/api/v1/postings/",
            f"/api/v1/postings/{posting.pk}/",
            "/api/v1/fairs/",
            f"/api/v1/fairs/{fair.pk}/",
        )
    )
    for secret in ("王联系", "13700001111", "赵保密", "13811112222", veteran.id_number, veteran.id_number[-6:]):
        assert secret not in text


def test_query_count_is_constant(client, key, world, city_bureau, django_assert_max_num_queries):
    def fill(n):
        for _ in range(n):
            e = EmployerFactory(county=world["countyA"])
            JobPostingFactory(employer=e)
            f = JobFairFactory(county=world["countyA"])
            actions.fair_add_employer(fair=f, employer=e, user=city_bureau)

    fill(1)
    with django_assert_max_num_queries(6) as small:  # key, count, page, audit (+ savepoints)
        _get(client, "/api/v1/postings/", key=key[1])
    with django_assert_max_num_queries(8) as small_fairs:
        _get(client, "/api/v1/fairs/", key=key[1])
    fill(6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(_get(client, "/api/v1/postings/", key=key[1])[1]["results"]) == 7
    with django_assert_max_num_queries(len(small_fairs.captured_queries)):
        assert len(_get(client, "/api/v1/fairs/", key=key[1])[1]["results"]) == 7


# --- schema and admin ---------------------------------------------------------------------------------------
def test_schema_is_served_locally(client):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert set(schema["paths"]) == {
        "/api/v1/postings/",
        "/api/v1/postings/{id}/",
        "/api/v1/fairs/",
        "/api/v1/fairs/{id}/",
    }
    assert schema["components"]["securitySchemes"]["PartnerApiKey"]["name"] == "Authorization"


def test_schema_validates():
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_bureau_creates_and_revokes_keys_in_the_admin(client_for, city_bureau):
    c = client_for(city_bureau)
    response = c.post(
        "/admin/employment/partnerapikey/add/",
        {"name": "河北省退役军人网上招聘平台", "requests_per_minute": "120", "contact": "省厅信息中心"},
        follow=True,
    )
    assert response.status_code == 200
    obj = PartnerAPIKey.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    assert any("接口密钥为：" in m and "只显示这一次" in m for m in shown)
    raw = next(m for m in shown if "接口密钥为：" in m).split("接口密钥为：")[1].split()[0]
    assert PartnerAPIKey.objects.is_valid(raw) and obj.created_by == city_bureau
    assert AuditEvent.objects.filter(action="api_key.create", detail__key=obj.prefix, user=city_bureau).exists()
    c.post(
        f"/admin/employment/partnerapikey/{obj.pk}/change/",
        {"name": obj.name, "requests_per_minute": "120", "contact": "省厅信息中心", "revoked": "on"},
    )
    obj.refresh_from_db()
    assert obj.revoked and not PartnerAPIKey.objects.is_valid(raw)
    assert AuditEvent.objects.filter(action="api_key.revoke", detail__key=obj.prefix).exists()
    assert c.get(f"/admin/employment/partnerapikey/{obj.pk}/delete/").status_code == 403


def test_only_bureau_staff_manage_keys(client_for, county_clerk, sysadmin):
    for user in (county_clerk, sysadmin):
        assert client_for(user).get("/admin/employment/partnerapikey/add/").status_code == 403
