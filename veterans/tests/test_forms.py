"""Forms of the registry: scoped choices, Chinese messages naming the field, edit without exposing numbers."""

import datetime

import pytest

from veterans import choices
from veterans.forms import TransferForm, VeteranEditForm, VeteranFilterForm, VeteranForm
from veterans.tests.factories import HouseholdFactory, VeteranFactory, make_id_number
from veterans.tests.test_views import form_data

pytestmark = pytest.mark.django_db


def test_valid_form_gives_action_data(world, village_clerk):
    form = VeteranForm(form_data(world["villageA1a"]), user=village_clerk)
    assert form.is_valid(), form.errors
    data = form.action_data()
    assert data["station"] == world["villageA1a"]
    assert data["enlistment_date"] == datetime.date(1998, 12, 1)
    assert "version" not in data and "birth_date" not in data and "gender" not in data


def test_lower_case_x_is_normalised(world, village_clerk):
    form = VeteranForm(form_data(world["villageA1a"], id_number="11010519491231002x"), user=village_clerk)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["id_number"] == "11010519491231002X"


@pytest.mark.parametrize(
    ("id_number", "message"),
    [
        ("130902198001011230", "身份证号校验位错误：末位应为"),
        ("130902800101123", "身份证号应为18位，当前为15位"),
        ("", "请填写身份证号"),
    ],
)
def test_id_errors_name_the_field(world, village_clerk, id_number, message):
    form = VeteranForm(form_data(world["villageA1a"], id_number=id_number), user=village_clerk)
    assert not form.is_valid()
    assert message in form.errors["id_number"][0]


def test_generic_errors_name_the_field(world, village_clerk):
    data = form_data(
        world["villageA1a"], name="", category="", enlistment_date="1998-13-01", ethnicity="火星族", household="999"
    )
    form = VeteranForm(data, user=village_clerk)
    assert not form.is_valid()
    assert form.errors["name"] == ["请填写姓名"]
    assert form.errors["category"] == ["请选择人员类别"]
    assert form.errors["enlistment_date"] == ["入伍时间：日期格式不正确，应为“年-月-日”"]
    assert form.errors["ethnicity"] == ["民族：所选项无效"]
    assert form.errors["household"] == ["家庭户：所选项无效"]


def test_station_and_household_choices_are_scoped(world, township_clerk):
    world["villageA1b"].is_active = False
    world["villageA1b"].save()
    mine = HouseholdFactory(station=world["villageA1a"])
    HouseholdFactory(station=world["villageB1a"])
    form = VeteranForm(user=township_clerk)
    assert {s.code for s in form.fields["station"].queryset} == {world["townshipA1"].code, world["villageA1a"].code}
    assert list(form.fields["household"].queryset) == [mine]
    assert form.initial["station"] == world["townshipA1"].code


def test_station_outside_scope_is_invalid(world, village_clerk):
    form = VeteranForm(form_data(world["villageA1b"]), user=village_clerk)
    assert not form.is_valid()
    assert form.errors["station"] == ["登记服务站：所选项无效"]


def test_household_outside_scope_is_invalid(world, village_clerk):
    other = HouseholdFactory(station=world["villageB1a"])
    form = VeteranForm(form_data(world["villageA1a"], household=other.pk), user=village_clerk)
    assert not form.is_valid()
    assert "household" in form.errors


def test_edit_form_never_carries_the_stored_numbers(world, village_clerk):
    v = VeteranFactory(station=world["villageA1a"], phone="13955556666")
    form = VeteranEditForm(instance=v, user=village_clerk)
    html = str(form["id_number"]) + str(form["phone"]) + form["id_number"].help_text
    assert v.id_number not in html and "13955556666" not in html
    assert v.masked_id_number in html
    assert "station" not in form.fields
    assert form.initial["version"] == v.version


def test_edit_form_blank_numbers_keep_the_stored_ones(world, village_clerk):
    v = VeteranFactory(station=world["villageA1a"], phone="13955556666")
    data = form_data(world["villageA1a"], id_number="", phone="", version=v.version)
    form = VeteranEditForm(data, instance=v, user=village_clerk)
    assert form.is_valid(), form.errors
    assert form.action_data()["id_number"] == v.id_number
    assert form.action_data()["phone"] == "13955556666"
    assert "station" not in form.action_data() and "version" not in form.action_data()


def test_edit_form_may_correct_the_id_number(world, village_clerk):
    v = VeteranFactory(station=world["villageA1a"])
    new_id = make_id_number("130903", "19700101", 551)
    data = form_data(world["villageA1a"], id_number=new_id, version=v.version)
    form = VeteranEditForm(data, instance=v, user=village_clerk)
    assert form.is_valid(), form.errors
    assert form.action_data()["id_number"] == new_id


def test_edit_form_requires_version(world, village_clerk):
    v = VeteranFactory(station=world["villageA1a"])
    form = VeteranEditForm(form_data(world["villageA1a"], id_number=""), instance=v, user=village_clerk)
    assert not form.is_valid()
    assert "version" in form.errors


def test_filter_form_refuses_station_outside_scope_but_keeps_other_filters(world, village_clerk):
    form = VeteranFilterForm({"station": world["villageB1a"].code, "status": "active"}, user=village_clerk)
    assert not form.is_valid()
    assert form.errors["station"][0].startswith("服务站：")
    assert form.filters() == {"status": "active"}


def test_filter_form_accepts_subtree_station(world, township_clerk):
    form = VeteranFilterForm({"station": world["villageA1b"].code}, user=township_clerk)
    assert form.is_valid()
    assert form.filters() == {"station": world["villageA1b"]}


def test_filter_form_choices_leave_villages_out_for_the_city(world, city_bureau):
    form = VeteranFilterForm(user=city_bureau)
    offered = {value for value, _label in form.fields["station"].widget.choices}
    assert world["townshipA1"].code in offered and world["villageA1a"].code not in offered
    bound = VeteranFilterForm({"station": world["villageA1a"].code}, user=city_bureau)
    assert bound.is_valid()


def test_filter_form_unknown_choice(world, village_clerk):
    form = VeteranFilterForm({"category": "nope"}, user=village_clerk)
    assert not form.is_valid()
    assert form.filters() == {}


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "请填写迁入服务站"),
        ("12345", "区划代码“12345”不存在"),
        ("130900000000", "须为乡镇（街道）或村（社区）服务站"),
    ],
)
def test_transfer_form_errors(world, code, message):
    form = TransferForm({"to_station": code, "date": "2026-11-01"})
    assert not form.is_valid()
    assert message in form.errors["to_station"][0]


def test_transfer_form_accepts_any_city_station(world):
    form = TransferForm({"to_station": world["villageB2b"].code, "date": "2026-11-01", "reason": ""})
    assert form.is_valid()
    assert form.cleaned_data["to_station"] == world["villageB2b"]


def test_form_renders_fieldsets_in_chinese(world, village_clerk, client_for):
    html = client_for(village_clerk).get("/station/veterans/new/").content.decode()
    for legend in ("基本信息", "服役信息", "政治面貌与文化程度", "优抚保障", "就业情况", "在册状态", "提交登记"):
        assert legend in html
    assert choices.Category.SOLDIER.label in html
