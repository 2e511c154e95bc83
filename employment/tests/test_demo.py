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
from services.models import User

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
    for code in Employer.objects.values_list("credit_code", flat=True):
        validate_credit_code(code)
    for code in Venture.objects.values_list("credit_code", flat=True):
        validate_credit_code(code)
    assert Application.objects.filter(veteran__isnull=False).exists()
    assert Application.objects.filter(needs_follow_up=True).exists()
    assert Placement.objects.exists()
    assert JobPosting.objects.public().exists()
    snapshot = sorted(JobPosting.objects.values_list("title", "status", "salary_min"))
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
    demo.seed(_ctx())
    assert sorted(JobPosting.objects.values_list("title", "status", "salary_min")) == snapshot
    assert Enrolment.objects.exists()
