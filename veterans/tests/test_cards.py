"""优待证: application, county review, number, made/issued/lost/reissued/revoked, death, counter check."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from services.models import AuditEvent
from veterans import actions, choices, selectors
from veterans.models import CardCounter, PreferentialCard
from veterans.tests.factories import HouseholdFactory, HouseholdMemberFactory, VeteranFactory, make_id_number
from veterans.validators import card_number, is_valid_card_number

pytestmark = pytest.mark.django_db
CS = choices.CardStatus
TODAY = timezone.localdate()


@pytest.fixture
def veteran(world):
    return VeteranFactory(station=world["villageA1a"], name="张三明")


@pytest.fixture
def member(world):
    household = HouseholdFactory(station=world["villageA1a"], head_name="李大")
    return HouseholdMemberFactory(household=household, name="王秀英", relation=choices.Relation.MOTHER)


def _issued(veteran, clerk, reviewer) -> PreferentialCard:
    card = actions.card_apply(user=clerk, kind=choices.CardKind.VETERAN, veteran=veteran)
    card = actions.card_review(user=reviewer, card=card, approve=True)
    card = actions.card_mark_made(user=clerk, card=card)
    return actions.card_issue(user=clerk, card=card)


# --- numbers ------------------------------------------------------------------------------
def test_card_number_format_and_check_character():
    number = card_number("T", "130902", 2026, 1)
    assert len(number) == 18 and number.startswith("T1309022026000001")
    assert is_valid_card_number(number)
    assert is_valid_card_number(" " + number.lower() + " ")
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    assert not is_valid_card_number(wrong)
    assert not is_valid_card_number("Q" + number[1:])
    assert not is_valid_card_number(number[:-2])


def test_full_life_cycle_with_dates_number_and_registry(world, veteran, village_clerk, county_reviewer):
    card = actions.card_apply(user=village_clerk, kind=choices.CardKind.VETERAN, veteran=veteran)
    assert (card.status, card.number, card.station_id) == (CS.APPLIED, None, veteran.station_id)
    card = actions.card_review(user=county_reviewer, card=card, approve=True, comment="符合条件")
    assert card.status == CS.APPROVED and card.approved_on == TODAY
    assert card.number == card_number("T", "130902", TODAY.year, 1)
    assert AuditEvent.objects.filter(action="approve", object_id=str(card.pk)).exists()
    card = actions.card_mark_made(user=village_clerk, card=card)
    card = actions.card_issue(user=village_clerk, card=card)
    assert (card.status, card.made_on, card.issued_on) == (CS.ISSUED, TODAY, TODAY)
    veteran.refresh_from_db()
    assert (veteran.preferential_card_number, veteran.preferential_card_date) == (card.number, TODAY)
    assert [h.history_change_reason for h in card.history.order_by("history_id")] == [
        "申领优待证",
        "审核通过",
        "制证",
        "发放",
    ]


def test_numbers_are_sequential_per_county_and_year(world, village_clerk, county_reviewer, make_user):
    other_reviewer = make_user("审核员", world["countyB"])
    other_clerk = make_user("经办员", world["villageB1a"])
    a1 = actions.card_apply(user=village_clerk, kind="veteran", veteran=VeteranFactory(station=world["villageA1a"]))
    a2 = actions.card_apply(user=village_clerk, kind="veteran", veteran=VeteranFactory(station=world["villageA1a"]))
    b1 = actions.card_apply(user=other_clerk, kind="veteran", veteran=VeteranFactory(station=world["villageB1a"]))
    numbers = [
        actions.card_review(user=county_reviewer, card=a1, approve=True).number,
        actions.card_review(user=county_reviewer, card=a2, approve=True).number,
        actions.card_review(user=other_reviewer, card=b1, approve=True).number,
    ]
    assert [n[:17] for n in numbers] == [
        f"T130902{TODAY.year}000001",
        f"T130902{TODAY.year}000002",
        f"T130903{TODAY.year}000001",
    ]
    assert CardCounter.objects.get(county="130902", year=TODAY.year).last_serial == 2


def test_family_member_card_records_the_members_id(world, member, village_clerk, county_reviewer):
    number = make_id_number("130902", "19550505", 22)
    card = actions.card_apply(user=village_clerk, kind="family", member=member, member_id_number=number)
    member.refresh_from_db()
    assert member.id_number == number and member.masked_id_number == "130902********" + number[-4:]
    card = actions.card_review(user=county_reviewer, card=card, approve=True)
    assert card.number.startswith("J130902")


# --- bad input ------------------------------------------------------------------------------
def test_member_needs_a_valid_id_number(member, village_clerk):
    with pytest.raises(ValidationError) as exc:
        actions.card_apply(user=village_clerk, kind="family", member=member, member_id_number="130902195505052")
    assert "18位" in str(exc.value)
    bad_check = make_id_number("130902", "19550505", 22)[:-1] + "0"
    with pytest.raises(ValidationError, match="校验位"):
        actions.card_apply(user=village_clerk, kind="family", member=member, member_id_number=bad_check)
    assert not PreferentialCard.objects.exists()
    member.refresh_from_db()
    assert member.id_number == ""


@pytest.mark.parametrize(
    "kind,holder,message",
    [
        ("family", "veteran", "退役军人本人"),
        ("veteran", "member", "家庭成员"),
        ("", "veteran", "种类"),
    ],
)
def test_kind_must_fit_the_holder(kind, holder, message, veteran, member, village_clerk):
    target = {"veteran": veteran} if holder == "veteran" else {"member": member}
    with pytest.raises(ValidationError, match=message):
        actions.card_apply(
            user=village_clerk, kind=kind, member_id_number=make_id_number("130902", "19550505", 22), **target
        )
    assert not PreferentialCard.objects.exists()


def test_no_second_live_card_of_a_kind(veteran, village_clerk):
    actions.card_apply(user=village_clerk, kind="veteran", veteran=veteran)
    with pytest.raises(ValidationError, match="不能重复申领"):
        actions.card_apply(user=village_clerk, kind="veteran", veteran=veteran)
    assert PreferentialCard.objects.count() == 1


def test_database_refuses_two_live_cards_and_two_holders(world, veteran, member, village_clerk):
    card = actions.card_apply(user=village_clerk, kind="veteran", veteran=veteran)
    with pytest.raises(IntegrityError), transaction.atomic():
        PreferentialCard.objects.create(kind="veteran", veteran=veteran, station=card.station, applied_on=TODAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        PreferentialCard.objects.create(
            kind="family", veteran=veteran, member=member, station=card.station, applied_on=TODAY
        )


def test_deceased_or_out_of_scope_holder_refused(world, veteran, other_village_clerk, village_clerk):
    with pytest.raises(PermissionDenied):
        actions.card_apply(user=other_village_clerk, kind="veteran", veteran=veteran)
    veteran.status, veteran.status_date = "deceased", TODAY
    veteran.save()
    with pytest.raises(ValidationError, match="在册状态"):
        actions.card_apply(user=village_clerk, kind="veteran", veteran=veteran)
    assert not PreferentialCard.objects.exists()


def test_future_application_date_refused(veteran, village_clerk):
    with pytest.raises(ValidationError, match="不能晚于今天"):
        actions.card_apply(
            user=village_clerk, kind="veteran", veteran=veteran, applied_on=TODAY + datetime.timedelta(days=1)
        )


# --- review ----------------------------------------------------------------------------------
def test_review_only_by_a_county_reviewer_of_the_subtree(world, veteran, village_clerk, city_reviewer, make_user):
    card = actions.card_apply(user=village_clerk, kind="veteran", veteran=veteran)
    with pytest.raises(PermissionDenied, match="县级"):
        actions.card_review(user=city_reviewer, card=card, approve=True)
    with pytest.raises(PermissionDenied, match="辖区"):
        actions.card_review(user=make_user("审核员", world["countyB"]), card=card, approve=True)
    with pytest.raises(PermissionDenied, match="权限"):
        actions.card_review(user=village_clerk, card=card, approve=True)
    card.refresh_from_db()
    assert card.status == CS.APPLIED and card.number is None
    assert AuditEvent.objects.filter(result="denied", object_id=str(card.pk)).count() == 3


def test_reviewer_cannot_review_own_application(world, veteran, make_user):
    user = make_user("审核员", world["countyA"])
    user.user_permissions.add(Permission.objects.get(codename="add_preferentialcard"))
    card = actions.card_apply(user=user, kind="veteran", veteran=veteran)
    with pytest.raises(PermissionDenied, match="自己"):
        actions.card_review(user=user, card=card, approve=True)


def test_rejection_needs_a_reason_and_frees_the_holder(veteran, village_clerk, county_reviewer):
    card = actions.card_apply(user=village_clerk, kind="veteran", veteran=veteran)
    with pytest.raises(ValidationError, match="原因"):
        actions.card_review(user=county_reviewer, card=card, approve=False)
    card = actions.card_review(user=county_reviewer, card=card, approve=False, comment="材料不全")
    assert card.status == CS.REJECTED and card.number is None
    assert actions.card_apply(user=village_clerk, kind="veteran", veteran=veteran).status == CS.APPLIED


def test_steps_out_of_order_refused(veteran, village_clerk, county_reviewer):
    card = actions.card_apply(user=village_clerk, kind="veteran", veteran=veteran)
    for step in (actions.card_mark_made, actions.card_issue, actions.card_report_lost, actions.card_reissue):
        with pytest.raises(ValidationError, match="当前状态"):
            step(user=village_clerk, card=card)
    card = actions.card_review(user=county_reviewer, card=card, approve=True)
    with pytest.raises(ValidationError, match="当前状态"):
        actions.card_review(user=county_reviewer, card=card, approve=True)
    with pytest.raises(ValidationError, match="不能早于"):
        actions.card_mark_made(user=village_clerk, card=card, made_on=card.approved_on - datetime.timedelta(days=1))


# --- lost, reissued, revoked, death ------------------------------------------------------------
def test_lost_and_reissued_card_gets_a_new_number(veteran, village_clerk, county_reviewer):
    card = _issued(veteran, village_clerk, county_reviewer)
    old_number = card.number
    card = actions.card_report_lost(user=village_clerk, card=card)
    assert selectors.card_check(old_number).label == "已挂失"
    new = actions.card_reissue(user=village_clerk, card=card)
    card.refresh_from_db()
    assert card.status == CS.REISSUED and card.reissued_on == TODAY
    assert new.replaces == card and new.status == CS.MADE and new.number != old_number
    assert selectors.card_check(new.number).label == "无效"  # not yet handed out
    actions.card_issue(user=village_clerk, card=new)
    assert selectors.card_check(new.number).label == "有效"
    assert selectors.card_check(old_number).label == "已挂失"
    veteran.refresh_from_db()
    assert veteran.preferential_card_number == new.number


def test_revoke_needs_a_reason(veteran, village_clerk, county_reviewer):
    card = _issued(veteran, village_clerk, county_reviewer)
    with pytest.raises(ValidationError, match="注销原因"):
        actions.card_revoke(user=village_clerk, card=card, reason=" ")
    card = actions.card_revoke(user=village_clerk, card=card, reason="不再符合条件")
    assert card.status == CS.REVOKED and selectors.card_check(card.number).label == "已注销"
    with pytest.raises(ValidationError, match="不能注销"):
        actions.card_revoke(user=village_clerk, card=card, reason="再次")


def test_death_of_a_veteran_revokes_the_card(veteran, village_clerk, county_reviewer):
    card = _issued(veteran, village_clerk, county_reviewer)
    veteran.refresh_from_db()
    died = TODAY
    actions.veteran_update(
        user=village_clerk,
        veteran=veteran,
        data={"status": "deceased", "status_date": died},
        version=veteran.version,
    )
    card.refresh_from_db()
    assert (card.status, card.revoked_on, card.revoke_reason) == (CS.REVOKED, died, "持证人已故")
    assert selectors.card_check(card.number).label == "已注销"


def test_death_of_a_member_revokes_their_card(member, village_clerk, county_reviewer):
    number = make_id_number("130902", "19550505", 22)
    card = actions.card_apply(user=village_clerk, kind="survivor", member=member, member_id_number=number)
    actions.household_member_record_death(user=village_clerk, member=member, date=TODAY)
    card.refresh_from_db()
    assert card.status == CS.REVOKED
    with pytest.raises(ValidationError, match="已登记"):
        actions.household_member_record_death(user=village_clerk, member=member, date=TODAY)


def test_card_follows_a_transfer(world, veteran, village_clerk, county_reviewer, city_bureau):
    card = _issued(veteran, village_clerk, county_reviewer)
    veteran.refresh_from_db()
    actions.veteran_transfer(user=city_bureau, veteran=veteran, to_station=world["villageB1a"], date=TODAY)
    card.refresh_from_db()
    assert card.station_id == world["villageB1a"].code
    assert not PreferentialCard.objects.for_user(village_clerk).exists()


# --- the counter check -----------------------------------------------------------------------------
def test_counter_check_says_only_verdict_masked_name_and_kind(
    veteran, village_clerk, county_reviewer, django_assert_max_num_queries
):
    card = _issued(veteran, village_clerk, county_reviewer)
    with django_assert_max_num_queries(1):
        result = selectors.card_check(card.number.lower())
    assert (result.result, result.label, result.holder_name, result.kind) == (
        "valid",
        "有效",
        "张*明",
        "退役军人优待证",
    )
    assert set(vars(result)) == {"result", "label", "holder_name", "kind"}


def test_counter_check_invalid_numbers(veteran, village_clerk, county_reviewer, django_assert_num_queries):
    card = actions.card_apply(user=village_clerk, kind="veteran", veteran=veteran)
    card = actions.card_review(user=county_reviewer, card=card, approve=True)
    assert selectors.card_check(card.number) == selectors.CardCheck("invalid", "无效")  # approved, not issued
    with django_assert_num_queries(0):
        assert selectors.card_check("T130902").label == "无效"
        assert selectors.card_check(card.number[:-1] + ("1" if card.number[-1] == "0" else "0")).label == "无效"
        assert selectors.card_check("").label == "无效"
    assert selectors.card_check(card_number("T", "130902", 2020, 99)).label == "无效"  # well-formed, unknown
