import random

import pytest
from django.utils import timezone

from employment import demo
from employment.models import (
    Application,
    Employer,
    Enrolment,
    FairRegistration,
    JobFair,
    JobPosting,
    Placement,
    PostingStatus,
    TrainingAttendance,
    TrainingProgramme,
    Venture,
    VentureFounder,
    VentureStatusChange,
    VentureSupport,
)
from employment.validators import validate_credit_code
from services.management.commands.seed_demo import DemoContext
from services.models import Organization, User

from .factories import VeteranFactory

pytestmark = pytest.mark.django_db


def _ctx(seed=7, veterans=300):
    return DemoContext(rng=random.Random(seed), veterans=veterans, seed=seed, today=timezone.localdate())


def test_seed_creates_every_state_deterministically(world):
    for i in range(30):
        VeteranFactory(station=world["villageA1a" if i % 2 else "villageB2b"])
    counts = demo.seed(_ctx())
    assert counts["招聘岗位"] == JobPosting.objects.count() >= 60
    assert set(JobPosting.objects.values_list("status", flat=True)) == set(PostingStatus.values)
    for code in Employer.objects.values_list("organization__credit_code", flat=True):
        validate_credit_code(code)
    for code in Venture.objects.values_list("credit_code", flat=True):
        validate_credit_code(code)
    assert Application.objects.filter(veteran__isnull=False).exists()
    assert Application.objects.filter(needs_follow_up=True).exists()
    assert Placement.objects.exists()
    assert JobPosting.objects.public().exists()
    snapshot = sorted(JobPosting.objects.values_list("title", "status", "salary_min"))
    people = (
        sorted(Enrolment.objects.values_list("programme__title", "veteran_id", "completed", "certificate_number")),
        sorted(FairRegistration.objects.values_list("number", "veteran_id", "checked_in_at")),
        sorted(Venture.objects.values_list("business_name", "credit_code", "status")),
        sorted(VentureSupport.objects.values_list("kind", "amount", "date")),
    )
    assert demo.seed(_ctx())["已有就业数据（未重复生成）"]  # a re-run adds nothing
    # same seed, same data
    for model in (
        TrainingAttendance,
        Enrolment,
        VentureSupport,
        VentureStatusChange,
        VentureFounder,
        Venture,
        Placement,
        Application,
        FairRegistration,
        JobFair,
        TrainingProgramme,
        JobPosting,
    ):
        model.objects.all().delete()
    User.objects.filter(username="employer").delete()
    Employer.objects.all().delete()
    Organization.objects.all().delete()
    demo.seed(_ctx())
    assert sorted(JobPosting.objects.values_list("title", "status", "salary_min")) == snapshot
    assert (
        sorted(Enrolment.objects.values_list("programme__title", "veteran_id", "completed", "certificate_number")),
        sorted(FairRegistration.objects.values_list("number", "veteran_id", "checked_in_at")),
        sorted(Venture.objects.values_list("business_name", "credit_code", "status")),
        sorted(VentureSupport.objects.values_list("kind", "amount", "date")),
    ) == people
    assert Enrolment.objects.exists() and FairRegistration.objects.exists() and VentureFounder.objects.exists()


def test_seed_gives_people_in_the_seeds_proportions(world):
    """Seed 000: 「参加"校企合一"技能培训296人、"企训合一"培训339人」, 「创业71人」 (per 300,000
    veterans in a year, counted from records the way the monthly statistics count them); seed 001:
    the year's fairs offered 「就业岗位近万个」. Scaled to 30,000 veterans: 30, 34, 7 and ~1,000."""
    import datetime

    from django.db.models import Max, Min, Sum
    from django.db.models.functions import TruncDate

    from employment.models import FairRegistration, TrainingAttendance, TrainingKind, VentureSupport

    for i in range(260):
        VeteranFactory(station=world[("villageA1a", "villageA2b", "villageB1a", "villageB2b")[i % 4]])
    ctx = _ctx(seed=11, veterans=30_000)
    demo.seed(ctx)
    today, year_ago = ctx.today, ctx.today - datetime.timedelta(days=365)
    completed = Enrolment.objects.filter(completed=True, completed_on__gt=year_ago)
    assert completed.filter(programme__kind=TrainingKind.SCHOOL_ENTERPRISE).count() == round(296 / 10)
    assert completed.filter(programme__kind=TrainingKind.ENTERPRISE_TRAINING).count() == round(339 / 10)
    assert VentureFounder.objects.filter(venture__start_date__gt=year_ago).values(
        "veteran"
    ).distinct().count() == round(71 / 10)
    positions = JobFair.postings.through.objects.filter(jobfair__date__gt=year_ago, jobfair__date__lte=today).aggregate(
        n=Sum("jobposting__headcount")
    )["n"]
    assert 1000 <= positions < 1000 + 4 * 10  # per fair at most one posting's headcount over
    # every figure on a fair comes from records: registrations, check-ins, applications, hires
    assert FairRegistration.objects.filter(checked_in_at__isnull=False).exists()
    assert Application.objects.filter(fair__isnull=False).exists()
    assert Enrolment.objects.filter(dropped_on__isnull=False).exists() and TrainingAttendance.objects.exists()
    assert VentureSupport.objects.filter(kind="loan", amount__gt=0).exclude(guarantor="").exists()
    # recorded events are never dated after today (only schedules — a fair or class to come — are)
    latest = [
        Enrolment.objects.aggregate(m=Max("completed_on"))["m"],
        Enrolment.objects.aggregate(m=Max("dropped_on"))["m"],
        TrainingAttendance.objects.aggregate(m=Max("date"))["m"],
        FairRegistration.objects.annotate(d=TruncDate("checked_in_at")).aggregate(m=Max("d"))["m"],
        Application.objects.annotate(d=TruncDate("created_at")).aggregate(m=Max("d"))["m"],
        Placement.objects.aggregate(m=Max("start_date"))["m"],
        Venture.objects.aggregate(m=Max("start_date"))["m"],
        VentureSupport.objects.aggregate(m=Max("date"))["m"],
        VentureStatusChange.objects.aggregate(m=Max("date"))["m"],
    ]
    assert all(d is not None and d <= today for d in latest), latest
    assert not FairRegistration.objects.filter(fair__date__gt=today).exists()
    assert Enrolment.objects.aggregate(m=Min("programme__start_date"))["m"] >= year_ago - datetime.timedelta(days=60)
