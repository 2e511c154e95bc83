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
