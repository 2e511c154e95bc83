"""Training per veteran: enrolment (single and bulk), capacity under concurrency, attendance,
completion and drop-out; the station pages and the veteran's page."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections, transaction
from django.utils import timezone

from employment import actions
from employment.models import Enrolment, TrainingAttendance, TrainingKind
from veterans.choices import RegistryStatus

from .factories import EnrolmentFactory, TrainingProgrammeFactory, VeteranFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def programme(world):
    return TrainingProgrammeFactory(
        county=world["countyA"],
        title="校企合一焊工班",
        start_date=TODAY - 10 * DAY,
        end_date=TODAY + 20 * DAY,
        capacity=3,
    )


# --- enrolment -----------------------------------------------------------------------------------------
def test_clerk_enrols_a_veteran_of_their_subtree(programme, village_clerk, veteran_a):
    enrolment = actions.enrolment_create(programme=programme, veteran=veteran_a, user=village_clerk)
    assert enrolment.status == "enrolled" and enrolment.enrolled_by == village_clerk


@pytest.mark.parametrize(
    ("status", "message"), [(RegistryStatus.DECEASED, "已故"), (RegistryStatus.MOVED_OUT, "已迁出")]
)
def test_deceased_or_moved_out_veteran_cannot_enrol(programme, village_clerk, world, status, message):
    veteran = VeteranFactory(station=world["villageA1a"], status=status, status_date=TODAY)
    with pytest.raises(ValidationError) as exc:
        actions.enrolment_create(programme=programme, veteran=veteran, user=village_clerk)
    assert message in exc.value.messages[0] and "不能报名培训" in exc.value.messages[0]
    assert not Enrolment.objects.exists()


def test_out_of_scope_veteran_refused(programme, village_clerk, veteran_b):
    with pytest.raises(PermissionDenied):
        actions.enrolment_create(programme=programme, veteran=veteran_b, user=village_clerk)


def test_full_programme_refuses_and_a_drop_out_frees_a_place(programme, city_bureau, world):
    veterans = [VeteranFactory(station=world["villageA1a"]) for _ in range(4)]
    first, *_ = [actions.enrolment_create(programme=programme, veteran=v, user=city_bureau) for v in veterans[:3]]
    with pytest.raises(ValidationError, match="已满员（计划3人）"):
        actions.enrolment_create(programme=programme, veteran=veterans[3], user=city_bureau)
    actions.enrolment_drop(enrolment=first, dropped_on=TODAY, reason="已实现就业", user=city_bureau)
    actions.enrolment_create(programme=programme, veteran=veterans[3], user=city_bureau)
    assert Enrolment.objects.holding_place().filter(programme=programme).count() == 3


def test_twice_and_ended_programme_refused(programme, village_clerk, veteran_a, world):
    actions.enrolment_create(programme=programme, veteran=veteran_a, user=village_clerk)
    with pytest.raises(ValidationError, match="不能重复报名"):
        actions.enrolment_create(programme=programme, veteran=veteran_a, user=village_clerk)
    ended = TrainingProgrammeFactory(county=world["countyA"], start_date=TODAY - 40 * DAY, end_date=TODAY - DAY)
    with pytest.raises(ValidationError, match="已于.*结业，不能再报名"):
        actions.enrolment_create(programme=ended, veteran=veteran_a, user=village_clerk)


def test_stats_viewer_cannot_enrol(programme, county_stats_viewer, veteran_a):
    with pytest.raises(PermissionDenied):
        actions.enrolment_create(programme=programme, veteran=veteran_a, user=county_stats_viewer)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_no_over_booking_when_two_clerks_enrol_at_once(world, city_bureau):
    """Clerk A has counted the last place and not committed yet when clerk B tries: B waits for
    A's row lock, then sees the programme full. Without the lock B would count the same free
    place (A's row is not visible to B yet) and over-book."""
    programme = TrainingProgrammeFactory(county=world["countyA"], capacity=1, end_date=TODAY + 5 * DAY)
    first, second = VeteranFactory(station=world["villageA1a"]), VeteranFactory(station=world["villageA1b"])
    a_enrolled, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def clerk_a():
        try:
            with transaction.atomic():
                actions.enrolment_create(programme=programme, veteran=first, user=city_bureau)
                a_enrolled.set()
                release.wait(timeout=10)
            outcome["a"] = "ok"
        except Exception as exc:  # noqa: BLE001 - reported below
            outcome["a"] = exc
        finally:
            connections.close_all()

    def clerk_b():
        a_enrolled.wait(timeout=10)
        try:
            actions.enrolment_create(programme=programme, veteran=second, user=city_bureau)
            outcome["b"] = "ok"
        except Exception as exc:  # noqa: BLE001 - reported below
            outcome["b"] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=clerk_a), threading.Thread(target=clerk_b)]
    for t in threads:
        t.start()
    threads[1].join(timeout=1.5)  # B must still be waiting for A's lock
    release.set()
    for t in threads:
        t.join(timeout=20)
    assert outcome["a"] == "ok"
    assert isinstance(outcome["b"], ValidationError) and "已满员" in outcome["b"].messages[0]
    assert Enrolment.objects.filter(programme=programme).count() == 1


# --- bulk enrolment ----------------------------------------------------------------------------------
def test_bulk_enrolment_is_all_or_nothing_and_names_every_bad_line(programme, county_clerk, world):
    good = VeteranFactory(station=world["villageA1a"])
    dead = VeteranFactory(station=world["villageA2a"], status=RegistryStatus.DECEASED)
    outside = VeteranFactory(station=world["villageB1a"])
    text = "\n".join([good.id_number, "123", dead.id_number, outside.id_number, good.id_number])
    with pytest.raises(ValidationError) as exc:
        actions.enrolments_create_bulk(programme=programme, id_numbers=text, user=county_clerk)
    messages = exc.value.messages
    assert messages[0].startswith("第2行") and "应为18位" in messages[0]
    assert any(m.startswith("第3行") and "已故" in m for m in messages)
    assert any(m.startswith("第4行") and "未在本辖区" in m for m in messages)
    assert any(m.startswith("第5行") and "与第1行重复" in m for m in messages)
    assert good.id_number not in " ".join(messages)  # numbers are masked in the report
    assert not Enrolment.objects.exists()


def test_bulk_enrolment_respects_capacity(programme, county_clerk, world):
    veterans = [VeteranFactory(station=world["villageA1a"]) for _ in range(4)]
    with pytest.raises(ValidationError, match="剩余名额3个，本次报名4人"):
        actions.enrolments_create_bulk(
            programme=programme, id_numbers="\n".join(v.id_number for v in veterans), user=county_clerk
        )
    created = actions.enrolments_create_bulk(
        programme=programme, id_numbers=",".join(v.id_number for v in veterans[:3]), user=county_clerk
    )
    assert len(created) == 3 == Enrolment.objects.count()


# --- completion, drop-out, attendance ----------------------------------------------------------------
@pytest.fixture
def enrolment(programme, veteran_a, village_clerk):
    return actions.enrolment_create(programme=programme, veteran=veteran_a, user=village_clerk)


def test_completion_before_start_date_refused(enrolment, village_clerk, programme):
    with pytest.raises(ValidationError) as exc:
        actions.enrolment_complete(
            enrolment=enrolment,
            completed_on=programme.start_date - DAY,
            result="passed",
            certificate_number="ZS001",
            user=village_clerk,
        )
    assert exc.value.message_dict["completed_on"] == [f"结业日期不能早于开班日期（{programme.start_date:%Y-%m-%d}）"]
    enrolment.refresh_from_db()
    assert not enrolment.completed


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"completed_on": TODAY + DAY}, "completed_on", "结业日期不能晚于今天"),
        ({"result": "bogus"}, "result", "请选择结业成绩"),
        ({"certificate_number": ""}, "certificate_number", "成绩合格的须填写证书编号"),
        ({"result": "failed"}, "certificate_number", "成绩不合格的不发放证书，请勿填写证书编号"),
    ],
)
def test_completion_bad_input(enrolment, village_clerk, kwargs, field, message):
    data = {"completed_on": TODAY, "result": "passed", "certificate_number": "ZS001", **kwargs}
    with pytest.raises(ValidationError) as exc:
        actions.enrolment_complete(enrolment=enrolment, user=village_clerk, **data)
    assert exc.value.message_dict[field] == [message]


def test_completion_then_no_second_outcome(enrolment, village_clerk, programme, world):
    actions.enrolment_complete(
        enrolment=enrolment, completed_on=TODAY, result="excellent", certificate_number="ZS2026-1", user=village_clerk
    )
    enrolment.refresh_from_db()
    assert enrolment.status == "completed" and enrolment.result == "excellent" and enrolment.outcome_by == village_clerk
    with pytest.raises(ValidationError, match="不能重复登记"):
        actions.enrolment_complete(
            enrolment=enrolment, completed_on=TODAY, result="passed", certificate_number="X", user=village_clerk
        )
    with pytest.raises(ValidationError, match="已结业，不能登记退训"):
        actions.enrolment_drop(enrolment=enrolment, dropped_on=TODAY, reason="x", user=village_clerk)
    other = actions.enrolment_create(
        programme=programme, veteran=VeteranFactory(station=world["villageA1a"]), user=village_clerk
    )
    with pytest.raises(ValidationError) as exc:
        actions.enrolment_complete(
            enrolment=other, completed_on=TODAY, result="passed", certificate_number="ZS2026-1", user=village_clerk
        )
    assert exc.value.message_dict["certificate_number"] == ["证书编号“ZS2026-1”已被使用"]


def test_drop_needs_reason_and_past_date(enrolment, village_clerk):
    with pytest.raises(ValidationError) as exc:
        actions.enrolment_drop(enrolment=enrolment, dropped_on=TODAY + DAY, reason=" ", user=village_clerk)
    assert exc.value.message_dict == {"drop_reason": ["请填写退训原因"], "dropped_on": ["退训日期不能晚于今天"]}


def test_outcome_by_other_subtree_refused(enrolment, other_village_clerk):
    with pytest.raises(PermissionDenied):
        actions.enrolment_drop(enrolment=enrolment, dropped_on=TODAY, reason="x", user=other_village_clerk)


def test_attendance_roll_call(programme, county_clerk, world):
    a = actions.enrolment_create(
        programme=programme, veteran=VeteranFactory(station=world["villageA1a"]), user=county_clerk
    )
    b = actions.enrolment_create(
        programme=programme, veteran=VeteranFactory(station=world["villageA1b"]), user=county_clerk
    )
    day = TODAY - DAY
    assert actions.attendance_record(programme=programme, day=day, present_ids={a.pk}, user=county_clerk) == 2
    assert dict(TrainingAttendance.objects.values_list("enrolment_id", "present")) == {a.pk: True, b.pk: False}
    # the same day again replaces that day's entries
    actions.attendance_record(programme=programme, day=day, present_ids={a.pk, b.pk}, user=county_clerk)
    assert TrainingAttendance.objects.filter(present=True).count() == 2 == TrainingAttendance.objects.count()
    for bad in (programme.start_date - DAY, TODAY + DAY):
        with pytest.raises(ValidationError, match="考勤日期须在培训期间内"):
            actions.attendance_record(programme=programme, day=bad, present_ids=set(), user=county_clerk)
    with pytest.raises(ValidationError, match="不在本培训项目的在训名单中"):
        actions.attendance_record(programme=programme, day=day, present_ids={999999}, user=county_clerk)


# --- pages -------------------------------------------------------------------------------------------
def test_enrol_from_the_veterans_page(client_for, village_clerk, veteran_a, programme):
    c = client_for(village_clerk)
    page = c.get(f"/station/veterans/{veteran_a.pk}/").content.decode()
    assert f"/station/employment/veterans/{veteran_a.pk}/enrol/" in page
    form = c.get(f"/station/employment/veterans/{veteran_a.pk}/enrol/").content.decode()
    assert "校企合一焊工班" in form and "已报0/3人" in form
    response = c.post(f"/station/employment/veterans/{veteran_a.pk}/enrol/", {"programme": programme.pk})
    assert response.status_code == 302
    enrolment = Enrolment.objects.get()
    actions.enrolment_complete(
        enrolment=enrolment, completed_on=TODAY, result="passed", certificate_number="ZS-9", user=village_clerk
    )
    page = c.get(f"/station/veterans/{veteran_a.pk}/").content.decode()
    assert "校企合一焊工班" in page and "结业，合格" in page and "ZS-9" in page


def test_enrol_page_bad_input(client_for, village_clerk, veteran_a, programme):
    c = client_for(village_clerk)
    body = c.post(f"/station/employment/veterans/{veteran_a.pk}/enrol/", {"programme": "abc"}).content.decode()
    assert "所选培训项目不存在或已结业" in body
    veteran_a.status = RegistryStatus.DECEASED
    veteran_a.save()
    body = c.post(f"/station/employment/veterans/{veteran_a.pk}/enrol/", {"programme": programme.pk}).content.decode()
    assert "已故" in body and not Enrolment.objects.exists()


def test_bulk_page_reports_lines(client_for, county_clerk, programme, world):
    good = VeteranFactory(station=world["villageA1a"])
    c = client_for(county_clerk)
    assert c.get(f"/station/employment/training/enrol/?programme={programme.pk}").status_code == 200
    body = c.post(
        "/station/employment/training/enrol/", {"programme": programme.pk, "id_numbers": f"{good.id_number}\n12345"}
    ).content.decode()
    assert "第2行" in body and "未报名" in body and not Enrolment.objects.exists()
    response = c.post("/station/employment/training/enrol/", {"programme": programme.pk, "id_numbers": good.id_number})
    assert response.status_code == 302 and Enrolment.objects.count() == 1


def test_programme_page_roll_call_and_completion_page(client_for, county_clerk, programme, world):
    a = actions.enrolment_create(
        programme=programme, veteran=VeteranFactory(station=world["villageA1a"]), user=county_clerk
    )
    c = client_for(county_clerk)
    body = c.get(f"/station/employment/training/{programme.pk}/").content.decode()
    assert a.veteran.name in body
    response = c.post(f"/station/employment/training/{programme.pk}/", {"day": f"{TODAY:%Y-%m-%d}", "present": [a.pk]})
    assert response.status_code == 302 and TrainingAttendance.objects.get().present
    body = c.post(f"/station/employment/training/{programme.pk}/", {"day": "2000-01-01"}).content.decode()
    assert "考勤日期须在培训期间内" in body
    body = c.post(
        f"/station/employment/enrolments/{a.pk}/",
        {
            "verb": "complete",
            "completed_on": f"{programme.start_date - DAY:%Y-%m-%d}",
            "result": "passed",
            "certificate_number": "Z1",
        },
    ).content.decode()
    assert "结业日期不能早于开班日期" in body
    response = c.post(
        f"/station/employment/enrolments/{a.pk}/",
        {"verb": "complete", "completed_on": f"{TODAY:%Y-%m-%d}", "result": "passed", "certificate_number": "Z1"},
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.completed and a.certificate_number == "Z1"


def test_training_pages_out_of_scope_are_404(client_for, other_village_clerk, village_clerk, programme, veteran_a):
    enrolment = actions.enrolment_create(programme=programme, veteran=veteran_a, user=village_clerk)
    c = client_for(other_village_clerk)
    for url in (
        f"/station/employment/training/{programme.pk}/",
        f"/station/employment/enrolments/{enrolment.pk}/",
        f"/station/employment/veterans/{veteran_a.pk}/enrol/",
    ):
        assert c.get(url).status_code == 404, url
    assert c.post(f"/station/employment/veterans/{veteran_a.pk}/enrol/", {"programme": programme.pk}).status_code == 404
    assert Enrolment.objects.count() == 1


def test_programme_roster_shows_own_subtree_but_counts_everyone(
    client_for, county_clerk, city_bureau, programme, world
):
    actions.enrolment_create(
        programme=programme, veteran=VeteranFactory(station=world["villageA1a"], name="本县学员"), user=city_bureau
    )
    actions.enrolment_create(
        programme=programme, veteran=VeteranFactory(station=world["villageB1a"], name="外县学员"), user=city_bureau
    )
    body = client_for(county_clerk).get(f"/station/employment/training/{programme.pk}/").content.decode()
    assert "本县学员" in body and "外县学员" not in body
    assert 'data-testid="enrolled">2<' in body


def test_training_list_query_count_is_constant(client_for, city_bureau, world, django_assert_max_num_queries):
    c = client_for(city_bureau)
    TrainingProgrammeFactory(county=world["countyA"], kind=TrainingKind.SKILLS)
    with django_assert_max_num_queries(12) as few:
        c.get("/station/employment/training/")
    for _ in range(5):
        p = TrainingProgrammeFactory(county=world["countyA"])
        EnrolmentFactory(programme=p, veteran=VeteranFactory(station=world["villageA1a"]))
    with django_assert_max_num_queries(len(few.captured_queries)):
        c.get("/station/employment/training/")
