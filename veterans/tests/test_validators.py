"""Resident ID numbers (GB 11643-1999), mobile numbers and the model's cross-field rules."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import ric

from veterans import choices
from veterans.models import Veteran
from veterans.tests.factories import CANGZHOU_AREAS, VeteranFactory, make_id_number
from veterans.validators import parse_resident_id, validate_mobile

KNOWN_GOOD = [
    "11010519491231002X",  # the standard's own example (check character X)
    "110101199003074477",
    "130902198001011236",
    "130903197512310010",
]


def _with_check(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "X")


def _code(number: str) -> str:
    with pytest.raises(ValidationError) as exc:
        parse_resident_id(number)
    return exc.value.code


@pytest.mark.parametrize("number", KNOWN_GOOD)
def test_known_good_numbers_are_accepted(number):
    assert parse_resident_id(number).number == number


@pytest.mark.parametrize("area", CANGZHOU_AREAS)
def test_every_cangzhou_area_code_is_accepted(area):
    assert parse_resident_id(make_id_number(area, "19950615", 42)).birth_date == datetime.date(1995, 6, 15)


def test_birth_date_and_gender_are_derived():
    male = parse_resident_id(make_id_number("130902", "19800101", 123))
    female = parse_resident_id(make_id_number("130902", "19800101", 124))
    assert (male.birth_date, male.gender) == (datetime.date(1980, 1, 1), "M")
    assert female.gender == "F"


def test_every_wrong_check_character_is_refused_with_the_expected_one():
    number = "130902198001011236"
    wrong = [c for c in "0123456789X" if c != number[-1]]
    assert len(wrong) == 10
    for char in wrong:
        with pytest.raises(ValidationError) as exc:
            parse_resident_id(number[:17] + char)
        assert exc.value.code == "id_checksum"
        assert exc.value.messages[0] == "身份证号校验位错误：末位应为6，请核对号码"


def test_lower_case_x_is_normalised():
    assert parse_resident_id("11010519491231002x").number == "11010519491231002X"
    assert parse_resident_id(" 110105 19491231002x ").number == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "code", "fragment"),
    [
        ("130902800101123", "id_length", "应为18位，当前为15位"),  # old 15-digit number
        ("1309021980010112345", "id_length", "当前为19位"),
        ("", "id_length", "当前为0位"),
        ("13090219800101123A", "id_format", "末位为数字或X"),
        ("1309021980O101123X", "id_format", "前17位须为数字"),
    ],
)
def test_malformed_numbers(number, code, fragment):
    with pytest.raises(ValidationError) as exc:
        parse_resident_id(number)
    assert exc.value.code == code
    assert fragment in exc.value.messages[0]
    assert exc.value.messages[0].startswith("身份证号")


def test_impossible_birth_date_is_refused():
    with pytest.raises(ValidationError) as exc:
        parse_resident_id(_with_check("13090219800230123"))
    assert exc.value.code == "id_birth"
    assert exc.value.messages[0] == "身份证号中的出生日期1980-02-30不是有效日期"


def test_future_birth_date_is_refused():
    assert _code(_with_check("13090220991231123")) == "id_birth_future"


def test_birth_before_1900_is_refused():
    assert _code(_with_check("13090218991231123")) == "id_birth_old"


@pytest.mark.parametrize("area", ["990101", "000000", "130000", "130999", "710000"])
def test_bad_area_code_is_refused(area):
    with pytest.raises(ValidationError) as exc:
        parse_resident_id(_with_check(f"{area}19800101123"))
    assert exc.value.code == "id_area"
    assert f"前6位{area}不是有效的行政区划代码" in exc.value.messages[0]


def test_area_code_not_yet_in_force_is_a_warning_only():
    # 泊头市 (130981) exists since 1993; people born earlier carry such numbers after re-issue.
    parsed = parse_resident_id(make_id_number("130981", "19800101", 123))
    assert "在出生年份未启用" in parsed.warning


@pytest.mark.parametrize(
    ("value", "expected"),
    [("13812345678", "13812345678"), ("+86 138 1234 5678", "13812345678"), ("199-1234-5678", "19912345678")],
)
def test_valid_mobiles(value, expected):
    assert validate_mobile(value) == expected


@pytest.mark.parametrize("value", ["12812345678", "1381234567", "138123456789", "0317-1234567", "abc"])
def test_invalid_mobiles(value):
    with pytest.raises(ValidationError) as exc:
        validate_mobile(value)
    assert exc.value.messages[0].startswith("手机号码")


# --- the model's rules (Veteran.clean) ------------------------------------------------


def _errors(veteran) -> dict:
    with pytest.raises(ValidationError) as exc:
        veteran.full_clean()
    return exc.value.message_dict


@pytest.mark.django_db
def test_discharge_before_enlistment(world):
    v = VeteranFactory.build(station=world["villageA1a"])
    v.enlistment_date, v.discharge_date = datetime.date(2000, 12, 1), datetime.date(2000, 11, 30)
    assert _errors(v)["discharge_date"] == ["退役时间不能早于入伍时间"]
    v.discharge_date = datetime.date(2000, 12, 1)
    v.full_clean()


@pytest.mark.django_db
def test_party_join_date_must_follow_the_18th_birthday(world):
    v = VeteranFactory.build(station=world["villageA1a"], id_number=make_id_number("130902", "19800315", 11))
    v.is_party_member, v.party_join_date = True, datetime.date(1998, 3, 14)
    assert _errors(v)["party_join_date"] == ["入党时间须在年满18周岁（1998-03-15）之后"]
    v.party_join_date = datetime.date(1998, 3, 15)
    v.full_clean()


@pytest.mark.django_db
def test_enlistment_before_birth(world):
    v = VeteranFactory.build(station=world["villageA1a"], id_number=make_id_number("130902", "19800315", 11))
    v.enlistment_date, v.discharge_date = datetime.date(1979, 1, 1), None
    assert _errors(v)["enlistment_date"] == ["入伍时间不能早于出生日期"]


@pytest.mark.django_db
def test_phone_is_checked_and_normalised_by_the_model(world):
    v = VeteranFactory.build(station=world["villageA1a"], phone="12345")
    assert _errors(v)["phone"][0].startswith("手机号码“12345”")
    v.phone = "+86 139 0000 1111"
    v.full_clean()
    assert v.phone == "13900001111"


@pytest.mark.django_db
def test_duplicate_id_names_the_holding_station(world):
    held = VeteranFactory(station=world["villageB1a"])
    twin = VeteranFactory.build(station=world["villageA1a"], id_number=held.id_number.lower())
    assert _errors(twin)["id_number"] == ["该身份证号已在“运河区1街道1社区”登记，不能重复登记"]


@pytest.mark.django_db
def test_disability_grade_implies_care_category(world):
    v = VeteranFactory.build(station=world["villageA1a"], disability_grade=6)
    v.full_clean()
    assert v.care_category == choices.CareCategory.DISABLED


@pytest.mark.django_db
def test_saved_record_keeps_derived_values(world):
    v = VeteranFactory(station=world["villageA1a"], id_number=make_id_number("130902", "19750704", 35).lower())
    v.refresh_from_db()
    assert (v.birth_date, v.gender) == (datetime.date(1975, 7, 4), "M")
    assert Veteran.objects.by_id_number(v.id_number.lower()).get() == v


def test_name_initials_spells_as_lazy_pinyin_does():
    """The single-reading fast path gives lazy_pinyin's answer; polyphones, letters and the middle
    dot of minority names go through lazy_pinyin itself."""
    import random

    from pypinyin import Style, lazy_pinyin

    from veterans.models import name_initials

    rng = random.Random(2026)
    common = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌海波辉鹏单解朴区仇"
    names = ["".join(rng.choice(common) for _ in range(rng.choice((2, 3, 4)))) for _ in range(3000)]
    names += ["张三丰", "单田芳", "曾国藩", "买买提·艾力", "王Ab1", "欧阳娜娜", ""]
    for name in names:
        assert name_initials(name) == "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()[:20], name
    assert name_initials("张三丰") == "zsf"


# --- issue 15, point 10: full-width input (a Chinese input method types １３０９…Ｘ) -----------------
def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


@pytest.mark.parametrize("number", ["11010519491231002X", "130902198001011236"])
@pytest.mark.parametrize(
    "typed",
    [
        lambda n: _full_width(n),
        lambda n: _full_width(n.lower()),
        lambda n: n[:17] + _full_width(n[17]),
        lambda n: "\u3000" + _full_width(n[:6]) + "\u3000" + n[6:] + " ",
    ],
    ids=["all-full-width", "full-width-lower-x", "full-width-check-char", "full-width-spaces"],
)
def test_full_width_digits_and_x_are_accepted_as_ascii(number, typed):
    assert parse_resident_id(typed(number)).number == number


def test_digits_of_other_scripts_are_a_format_error():
    arabic_indic = "".join(chr(0x0660 + int(c)) for c in "13090219800101123") + "6"
    assert _code(arabic_indic) == "id_format"
    with pytest.raises(ValidationError):
        validate_mobile("１３９" + "\u0661" * 8)


def test_full_width_mobile_is_accepted():
    assert validate_mobile("１３９ １２３４ ５６７８") == "13912345678"


def test_registry_lookup_by_a_full_width_id(world):
    vet = VeteranFactory(station=world["villageA1a"], id_number="11010519491231002X")
    assert list(Veteran.objects.by_id_number(_full_width("11010519491231002x"))) == [vet]


def test_registration_form_takes_a_full_width_id(world, client_for, village_clerk):
    from veterans.forms import VeteranForm

    form = VeteranForm(user=village_clerk)
    form.cleaned_data = {"id_number": _full_width("11010519491231002x")}
    assert form.clean_id_number() == "11010519491231002X"
