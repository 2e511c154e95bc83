import datetime
from zoneinfo import ZoneInfo

import pytest

from employment.models import JobPosting, TrainingKind
from employment.stats import monthly_metrics

from .factories import (
    ApplicationFactory,
    EnrolmentFactory,
    JobPostingFactory,
    PlacementFactory,
    TrainingProgrammeFactory,
    VentureFactory,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOV = (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))


def test_monthly_metrics(world, employer_a, veteran_a, veteran_b, django_assert_max_num_queries):
    in_month = datetime.date(2026, 11, 15)
    before = datetime.date(2026, 10, 31)
    PlacementFactory(veteran=veteran_a, start_date=in_month)
    PlacementFactory(veteran=veteran_a, start_date=before)
    PlacementFactory(veteran=veteran_b, start_date=in_month)
    VentureFactory(veteran=veteran_a, start_date=in_month)
    VentureFactory(veteran=veteran_a, start_date=before)
    se = TrainingProgrammeFactory(kind=TrainingKind.SCHOOL_ENTERPRISE)
    et = TrainingProgrammeFactory(kind=TrainingKind.ENTERPRISE_TRAINING)
    sk = TrainingProgrammeFactory(kind=TrainingKind.SKILLS)
    EnrolmentFactory(programme=se, veteran=veteran_a, completed=True, completed_on=in_month)
    EnrolmentFactory(programme=et, veteran=veteran_b, completed=True, completed_on=in_month)
    EnrolmentFactory(programme=sk, veteran=veteran_b, completed=True, completed_on=in_month)
    EnrolmentFactory(programme=et, veteran=veteran_a, completed=False)
    # published at 00:30 on 1 Nov Shanghai time (= 31 Oct UTC) counts for November
    p1 = JobPostingFactory(employer=employer_a, county=world["countyA"])
    p2 = JobPostingFactory(employer=employer_a, county=world["countyB"])
    p3 = JobPostingFactory(employer=employer_a, county=world["countyB"])
    JobPosting.objects.filter(pk=p1.pk).update(published_at=datetime.datetime(2026, 11, 1, 0, 30, tzinfo=SHANGHAI))
    JobPosting.objects.filter(pk=p2.pk).update(published_at=datetime.datetime(2026, 11, 30, 23, 30, tzinfo=SHANGHAI))
    JobPosting.objects.filter(pk=p3.pk).update(published_at=datetime.datetime(2026, 10, 31, 23, 30, tzinfo=SHANGHAI))
    a1 = ApplicationFactory(posting=p1, veteran=veteran_a)
    a2 = ApplicationFactory(posting=p1, stated_county=world["countyB"])
    from employment.models import Application

    Application.objects.filter(pk__in=[a1.pk, a2.pk]).update(
        created_at=datetime.datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)
    )
    with django_assert_max_num_queries(6):
        metrics = monthly_metrics(month_start=NOV[0], month_end=NOV[1])
    va, vb = veteran_a.station_id, veteran_b.station_id
    assert metrics[va] == {"placements": 1, "ventures_new": 1, "training_school_enterprise": 1, "applications": 1}
    assert metrics[vb] == {"placements": 1, "training_enterprise": 1}
    assert metrics[world["countyA"].code] == {"jobs_published": 1}
    assert metrics[world["countyB"].code] == {"jobs_published": 1, "applications": 1}


def test_counts_from_records_match_the_monthly_statistics(world, city_bureau):
    """Training completions and founders recorded through the actions are what the monthly
    statistics count, at the veteran's station and rolled up to the township, county and city."""
    from django.utils import timezone

    from employment import actions
    from employment.models import Enrolment, VentureFounder
    from services import stats
    from services.models import MonthlyStatistic

    from .factories import VeteranFactory, make_credit_code

    today = timezone.localdate()
    month = today.replace(day=1)
    before = month - datetime.timedelta(days=1)
    day = datetime.timedelta(days=1)
    vets = {k: VeteranFactory(station=world[k]) for k in ("villageA1a", "villageA1b", "villageA2a", "villageB1a")}
    extra = VeteranFactory(station=world["villageA1a"])
    se = TrainingProgrammeFactory(
        kind=TrainingKind.SCHOOL_ENTERPRISE,
        county=world["countyA"],
        start_date=before - 5 * day,
        end_date=today,
        capacity=10,
    )
    et = TrainingProgrammeFactory(
        kind=TrainingKind.ENTERPRISE_TRAINING, county=world["countyB"], start_date=before - 5 * day, end_date=today
    )
    enrol = {k: actions.enrolment_create(programme=se, veteran=v, user=city_bureau) for k, v in vets.items()}
    enrol_et = actions.enrolment_create(programme=et, veteran=vets["villageA1b"], user=city_bureau)
    enrol_extra = actions.enrolment_create(programme=se, veteran=extra, user=city_bureau)
    for n, key in enumerate(("villageA1a", "villageA2a", "villageB1a")):
        actions.enrolment_complete(
            enrolment=enrol[key], completed_on=today, result="passed", certificate_number=f"C{n}", user=city_bureau
        )
    actions.enrolment_complete(
        enrolment=enrol_et, completed_on=today, result="failed", user=city_bureau
    )  # counts: 结业
    actions.enrolment_complete(  # last month: not this month's figure
        enrolment=enrol_extra, completed_on=before, result="passed", certificate_number="C9", user=city_bureau
    )
    actions.enrolment_drop(enrolment=enrol["villageA1b"], dropped_on=today, reason="就业", user=city_bureau)
    common = {"sector": "retail", "jobs_created": 1}
    actions.venture_register(
        lead=vets["villageA1a"],
        co_founders=[vets["villageA1b"]],
        business_name="甲",
        credit_code=make_credit_code(801),
        start_date=today,
        user=city_bureau,
        **common,
    )
    actions.venture_register(  # the same founder again this month: one person
        lead=vets["villageA1a"],
        business_name="乙",
        credit_code=make_credit_code(802),
        start_date=today,
        user=city_bureau,
        **common,
    )
    actions.venture_register(
        lead=vets["villageB1a"],
        business_name="丙",
        credit_code=make_credit_code(803),
        start_date=before,
        user=city_bureau,
        **common,
    )

    stats.compute_month(month)

    start, end = stats.month_bounds(month)
    completions = Enrolment.objects.filter(completed=True, completed_on__range=(start, end)).select_related(
        "programme", "veteran"
    )
    founders = VentureFounder.objects.filter(venture__start_date__range=(start, end)).select_related("veteran")

    def expected(code, kind=None):
        if kind is None:
            return len({f.veteran_id for f in founders if f.veteran.station_id.startswith(code)})
        return sum(1 for e in completions if e.programme.kind == kind and e.veteran.station_id.startswith(code))

    for key, prefix in (("villageA1a", "130902001001"), ("townshipA1", "130902001"), ("countyA", "130902"),
                        ("countyB", "130903"), ("city", "1309")):  # fmt: skip
        row = MonthlyStatistic.objects.get(station=world[key], month=month)
        assert row.training_school_enterprise == expected(prefix, TrainingKind.SCHOOL_ENTERPRISE), key
        assert row.training_enterprise == expected(prefix, TrainingKind.ENTERPRISE_TRAINING), key
        assert row.ventures_new == expected(prefix), key
    city = MonthlyStatistic.objects.get(station=world["city"], month=month)
    assert (city.training_school_enterprise, city.training_enterprise, city.ventures_new) == (3, 1, 2)
