"""Ventures: founders from the registry, business registration (credit code checked), sector,
incubation at the employment base, support received (append-only, Decimal), status over time."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from employment import actions
from employment.models import Venture, VentureFounder, VentureStatusChange, VentureSupport

from .factories import OrganizationFactory, VeteranFactory, make_credit_code

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
CODE = make_credit_code(700001)


def _register(user, lead, **extra):
    data = {
        "business_name": "老兵物流配送站",
        "credit_code": CODE,
        "sector": "logistics",
        "start_date": TODAY - 30 * DAY,
        "jobs_created": 4,
        **extra,
    }
    return actions.venture_register(lead=lead, user=user, **data)


@pytest.fixture
def venture(village_clerk, veteran_a):
    return _register(village_clerk, veteran_a)


def test_register_with_founders_and_history(village_clerk, veteran_a, world):
    partner = VeteranFactory(station=world["villageA1a"])
    venture = _register(village_clerk, veteran_a, co_founders=[partner])
    assert set(venture.founders.all()) == {veteran_a, partner}
    assert VentureFounder.objects.get(venture=venture, is_lead=True).veteran == veteran_a
    change = VentureStatusChange.objects.get(venture=venture)
    assert (change.from_status, change.to_status, change.date) == ("", "operating", venture.start_date)


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"credit_code": "91130902MA0000000X"}, "credit_code", "校验位错误"),
        ({"credit_code": "123"}, "credit_code", "应为18位"),
        ({"credit_code": ""}, "credit_code", "经营中的创业项目须填写"),
        ({"start_date": TODAY + DAY}, "start_date", "创办日期不能晚于今天"),
        ({"business_name": " "}, "business_name", "请填写企业/个体名称"),
    ],
)
def test_register_bad_input(village_clerk, veteran_a, extra, field, message):
    with pytest.raises(ValidationError) as exc:
        _register(village_clerk, veteran_a, **extra)
    assert message in exc.value.message_dict[field][0]
    assert not Venture.objects.exists() and not VentureFounder.objects.exists()


def test_preparing_venture_may_wait_for_its_code(village_clerk, veteran_a):
    venture = _register(village_clerk, veteran_a, credit_code="", status="preparing")
    assert venture.status == "preparing"
    with pytest.raises(ValidationError) as exc:
        actions.venture_set_status(venture=venture, to_status="operating", date=TODAY, user=village_clerk)
    assert exc.value.message_dict["note"] == ["转为经营中前须先登记统一社会信用代码"]
    actions.venture_update(venture=venture, credit_code=CODE.lower(), user=village_clerk)
    actions.venture_set_status(venture=venture, to_status="operating", date=TODAY, user=village_clerk)
    venture.refresh_from_db()
    assert venture.status == "operating" and venture.credit_code == CODE


def test_duplicate_credit_code_and_founder_rules(venture, village_clerk, world, veteran_b):
    with pytest.raises(ValidationError) as exc:
        _register(village_clerk, VeteranFactory(station=world["villageA1a"]))
    assert exc.value.message_dict["credit_code"] == ["该统一社会信用代码已登记过创业项目"]
    dead = VeteranFactory(station=world["villageA1a"], status="deceased")
    with pytest.raises(ValidationError, match="已故"):
        _register(village_clerk, dead, credit_code=make_credit_code(700002))
    with pytest.raises(PermissionDenied):
        _register(village_clerk, veteran_b, credit_code=make_credit_code(700003))
    with pytest.raises(PermissionDenied):
        _register(village_clerk, venture.veteran, co_founders=[veteran_b], credit_code=make_credit_code(700004))


def test_incubation_only_at_an_employment_base(village_clerk, veteran_a, world):
    plain = OrganizationFactory(is_employment_base=False)
    with pytest.raises(ValidationError) as exc:
        _register(village_clerk, veteran_a, incubation_base=plain, incubated_from=TODAY)
    assert exc.value.message_dict["incubation_base"] == ["孵化基地须为就业创业基地"]
    base = OrganizationFactory(is_employment_base=True, name="沧州高新区退役军人就业创业基地")
    with pytest.raises(ValidationError) as exc:
        _register(village_clerk, veteran_a, incubation_base=base)
    assert exc.value.message_dict["incubated_from"] == ["入驻孵化基地的须填写入驻日期"]
    venture = _register(village_clerk, veteran_a, incubation_base=base, incubated_from=TODAY - 40 * DAY)
    assert venture.incubated and venture.incubation_base == base


# --- support -------------------------------------------------------------------------------------------
def test_loan_of_zero_is_refused(venture, village_clerk):
    with pytest.raises(ValidationError) as exc:
        actions.venture_support_add(
            venture=venture, kind="loan", date=TODAY, amount=Decimal("0"), guarantor="担保中心", user=village_clerk
        )
    assert exc.value.message_dict["amount"] == ["贷款金额须大于0元"]
    assert not VentureSupport.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"kind": "loan", "amount": Decimal("100000"), "guarantor": ""},
            "guarantor",
            "创业担保贷款须填写担保人或担保机构",
        ),
        ({"kind": "loan", "amount": None, "guarantor": "中心"}, "amount", "请填写金额（元）"),
        ({"kind": "loan", "amount": Decimal("-5"), "guarantor": "中心"}, "amount", "贷款金额须大于0元"),
        ({"kind": "subsidy", "amount": Decimal("0.00")}, "amount", "补贴金额须大于0元"),
        ({"kind": "subsidy", "amount": Decimal("5000.005")}, "amount", "金额精确到分（最多两位小数）"),
        ({"kind": "guidance", "date": TODAY + DAY}, "date", "日期不能晚于今天"),
        ({"kind": "bogus"}, "kind", "请选择扶持类型"),
    ],
)
def test_support_bad_input(venture, village_clerk, data, field, message):
    with pytest.raises(ValidationError) as exc:
        actions.venture_support_add(venture=venture, user=village_clerk, **{"date": TODAY, **data})
    assert exc.value.message_dict[field] == [message]
    assert not VentureSupport.objects.exists()


def test_support_is_append_only_and_corrected_by_new_entries(venture, village_clerk, client_for):
    loan = actions.venture_support_add(
        venture=venture,
        kind="loan",
        date=TODAY,
        amount=Decimal("200000.00"),
        guarantor="沧州市创业担保贷款担保中心",
        provider="沧州银行",
        user=village_clerk,
    )
    loan.amount = Decimal("1")
    with pytest.raises(PermissionError):
        loan.save()
    fixed = actions.venture_support_add(
        venture=venture,
        kind="loan",
        date=TODAY,
        amount=Decimal("150000.00"),
        guarantor="沧州市创业担保贷款担保中心",
        corrects=loan,
        user=village_clerk,
    )
    with pytest.raises(ValidationError, match="已被更正或作废"):
        actions.venture_support_add(venture=venture, kind="guidance", date=TODAY, corrects=loan, user=village_clerk)
    subsidy = actions.venture_support_add(
        venture=venture, kind="subsidy", date=TODAY, amount=Decimal("5000.00"), user=village_clerk
    )
    assert list(VentureSupport.objects.in_force().order_by("id")) == [fixed, subsidy]
    c = client_for(village_clerk)
    body = c.get(f"/station/employment/ventures/{venture.pk}/").content.decode()
    assert "创业担保贷款 150000.00元" in body and "创业补贴 5000.00元" in body
    assert (
        c.post(
            f"/station/employment/ventures/{venture.pk}/", {"verb": "void", "target": subsidy.pk, "note": "重复登记"}
        ).status_code
        == 302
    )
    assert list(VentureSupport.objects.in_force()) == [fixed]
    assert VentureSupport.objects.get(corrects=subsidy).void


# --- status over time ---------------------------------------------------------------------------------
def test_status_moves_are_kept_with_their_dates(venture, village_clerk):
    with pytest.raises(ValidationError) as exc:
        actions.venture_set_status(venture=venture, to_status="suspended", date=TODAY, user=village_clerk)
    assert exc.value.message_dict["note"] == ["停业或注销须填写说明"]
    with pytest.raises(ValidationError) as exc:
        actions.venture_set_status(
            venture=venture, to_status="suspended", date=venture.start_date - DAY, note="x", user=village_clerk
        )
    assert "不能早于上一次状态变更" in exc.value.message_dict["date"][0]
    with pytest.raises(ValidationError, match="不能变更为“筹备中”"):
        actions.venture_set_status(venture=venture, to_status="preparing", date=TODAY, user=village_clerk)
    actions.venture_set_status(
        venture=venture, to_status="suspended", date=TODAY - 5 * DAY, note="疫情停业", user=village_clerk
    )
    actions.venture_set_status(venture=venture, to_status="operating", date=TODAY, user=village_clerk)
    actions.venture_set_status(venture=venture, to_status="closed", date=TODAY, note="注销", user=village_clerk)
    with pytest.raises(ValidationError, match="已注销"):
        actions.venture_set_status(venture=venture, to_status="operating", date=TODAY, user=village_clerk)
    history = list(
        VentureStatusChange.objects.filter(venture=venture)
        .order_by("date", "id")
        .values_list("from_status", "to_status")
    )
    assert history == [
        ("", "operating"),
        ("operating", "suspended"),
        ("suspended", "operating"),
        ("operating", "closed"),
    ]


# --- pages ----------------------------------------------------------------------------------------------
def test_register_page_from_the_veterans_page(client_for, village_clerk, veteran_a, world):
    c = client_for(village_clerk)
    assert (
        f"/station/employment/ventures/new/?veteran={veteran_a.pk}"
        in c.get(f"/station/veterans/{veteran_a.pk}/").content.decode()
    )
    form = c.get(f"/station/employment/ventures/new/?veteran={veteran_a.pk}").content.decode()
    assert veteran_a.id_number in form
    data = {
        "lead_id_number": veteran_a.id_number,
        "co_founders": "",
        "business_name": "老兵便利店",
        "credit_code": "91130902MA0000000X",
        "status": "operating",
        "sector": "retail",
        "start_date": f"{TODAY:%Y-%m-%d}",
        "jobs_created": "2",
    }
    body = c.post("/station/employment/ventures/new/", data).content.decode()
    assert "校验位错误" in body and not Venture.objects.exists()
    response = c.post("/station/employment/ventures/new/", {**data, "credit_code": CODE})
    assert response.status_code == 302
    venture = Venture.objects.get()
    assert "老兵便利店" in c.get(f"/station/veterans/{veteran_a.pk}/").content.decode()
    body = c.post(
        f"/station/employment/ventures/{venture.pk}/",
        {"verb": "support", "kind": "loan", "date": f"{TODAY:%Y-%m-%d}", "amount": "0", "guarantor": "中心"},
    ).content.decode()
    assert "贷款金额须大于0元" in body
    body = c.post(
        f"/station/employment/ventures/{venture.pk}/",
        {"verb": "support", "kind": "subsidy", "date": f"{TODAY:%Y-%m-%d}", "amount": "12.345"},
    ).content.decode()
    assert "金额精确到分（最多两位小数）" in body and not VentureSupport.objects.exists()


def test_venture_pages_out_of_scope_are_404(client_for, other_village_clerk, venture, veteran_a):
    c = client_for(other_village_clerk)
    for url in (
        f"/station/employment/ventures/{venture.pk}/",
        f"/station/employment/ventures/{venture.pk}/edit/",
        f"/station/employment/ventures/new/?veteran={veteran_a.pk}",
        "/station/employment/ventures/new/?veteran=abc",
    ):
        assert c.get(url).status_code == 404, url
    assert (
        c.post(
            f"/station/employment/ventures/{venture.pk}/", {"verb": "founder", "id_number": veteran_a.id_number}
        ).status_code
        == 404
    )
    body = c.post(
        "/station/employment/ventures/new/",
        {
            "lead_id_number": veteran_a.id_number,
            "business_name": "x",
            "credit_code": make_credit_code(700009),
            "status": "operating",
            "sector": "retail",
            "start_date": f"{TODAY:%Y-%m-%d}",
            "jobs_created": "0",
        },
    ).content.decode()
    assert "未在本辖区退役军人信息库中找到" in body and Venture.objects.count() == 1
