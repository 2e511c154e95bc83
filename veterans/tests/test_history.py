"""Change history (django-simple-history): who, when, which fields; for bureau staff and auditors."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from veterans import actions, selectors
from veterans.tests.factories import VeteranFactory, make_id_number
from veterans.tests.test_masking import _assert_masked
from veterans.tests.test_views import form_data

pytestmark = pytest.mark.django_db


def _history_of(world, clerk):
    v = actions.veteran_register(
        user=clerk,
        data={
            "station": world["villageA1a"],
            "name": "赵云",
            "id_number": make_id_number("130902", "19850505", 31),
            "phone": "13811110000",
            "category": "soldier",
        },
    )
    v = actions.veteran_update(
        user=clerk, veteran=v, data={"skills": "厨师", "phone": "13822220000", "is_hardship": True}, version=1
    )
    actions.veteran_transfer(user=clerk, veteran=v, to_station=world["villageA1b"], date=timezone.localdate())
    return v


def test_every_change_is_a_history_row(world, township_clerk):
    v = _history_of(world, township_clerk)
    rows = list(v.history.order_by("history_date", "history_id"))
    assert [r.history_type for r in rows] == ["+", "~", "~"]
    assert all(r.history_user == township_clerk for r in rows)
    assert [r.version for r in rows] == [1, 2, 3]
    assert rows[-1].station_id == world["villageA1b"].code


def test_history_selector_lists_fields_with_masked_pii(world, township_clerk, city_bureau):
    v = _history_of(world, township_clerk)
    entries = selectors.veteran_history(v, user=township_clerk)
    assert [e.kind for e in entries] == ["修改", "修改", "新建"]
    transfer, edit, created = entries
    assert {c.label: (c.old, c.new) for c in transfer.changes}["登记服务站"] == ("新华区1街道1社区", "新华区1街道2社区")
    edit_changes = {c.label: (c.old, c.new) for c in edit.changes}
    assert edit_changes["专业技能"] == ("（空）", "厨师")
    assert edit_changes["困难退役军人"] == ("否", "是")
    assert edit_changes["手机号码"] == ("138****0000", "138****0000")
    assert created.changes == [] and created.reason == "信息采集登记"
    assert "测试用户" in created.user
    bureau = {c.label: c.new for c in selectors.veteran_history(v, user=city_bureau)[1].changes}
    assert bureau["手机号码"] == "138****0000"  # masked for everyone: the audited reveal is the only way


def test_history_selector_pages(world, village_clerk):
    v = VeteranFactory(station=world["villageA1a"])
    for version in range(1, 6):
        actions.veteran_update(user=village_clerk, veteran=v, data={"skills": f"技能{version}"}, version=version)
    page = selectors.veteran_history(v, user=village_clerk, limit=2, offset=1)
    assert [c.new for e in page for c in e.changes] == ["技能4", "技能3"]


def test_history_query_count_is_constant(world, village_clerk, django_assert_max_num_queries):
    v = VeteranFactory(station=world["villageA1a"])
    for version in range(1, 4):
        actions.veteran_update(user=village_clerk, veteran=v, data={"skills": f"技能{version}"}, version=version)
    actions.veteran_transfer(
        user=village_clerk, veteran=v, to_station=world["villageB1a"], date=datetime.date(2026, 1, 1)
    )
    with django_assert_max_num_queries(4):
        selectors.veteran_history(v, user=village_clerk, limit=20)


def test_bureau_sees_history_on_the_detail_page(world, township_clerk, city_bureau, client_for):
    v = _history_of(world, township_clerk)
    html = client_for(city_bureau).get(reverse("veterans:detail", args=[v.pk])).content.decode()
    assert "变更历史" in html and "专业技能" in html and "迁移：新华区1街道1社区 → 新华区1街道2社区" in html
    _assert_masked(html)


def test_auditor_reads_the_history_page_only(world, township_clerk, auditor, client_for):
    v = _history_of(world, township_clerk)
    client = client_for(auditor)
    response = client.get(reverse("veterans:history", args=[v.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "赵云 的变更历史" in html and "困难退役军人" in html
    _assert_masked(html)
    assert client.get(reverse("veterans:detail", args=[v.pk])).status_code == 403


def test_clerks_do_not_see_history(world, village_clerk, client_for):
    v = VeteranFactory(station=world["villageA1a"])
    client = client_for(village_clerk)
    assert client.get(reverse("veterans:history", args=[v.pk])).status_code == 403
    assert "变更历史" not in client.get(reverse("veterans:detail", args=[v.pk])).content.decode()


def test_edit_through_the_page_records_the_user(world, village_clerk, client_for):
    v = VeteranFactory(station=world["villageA1a"])
    data = form_data(world["villageA1a"], id_number="", phone="", name="改名", version=1)
    client_for(village_clerk).post(reverse("veterans:edit", args=[v.pk]), data)
    latest = v.history.order_by("-history_date", "-history_id").first()
    assert (latest.name, latest.history_user) == ("改名", village_clerk)
