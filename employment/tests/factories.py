"""factory_boy factories of the employment app."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory
from stdnum.cn import uscc

from employment.models import (
    Application,
    Employer,
    Enrolment,
    FairRegistration,
    JobFair,
    JobPosting,
    PartnerAPIKey,
    Placement,
    PostingStatus,
    TrainingKind,
    TrainingProgramme,
    Venture,
    VentureFounder,
)
from employment.numbers import new_application_number
from services.models import Organization, Station
from veterans.tests.factories import VeteranFactory, make_id_number  # noqa: F401 - re-exported


def make_credit_code(n: int) -> str:
    """A valid 18-character unified social credit code (GB 32100-2015)."""
    first17 = f"91130902{n % 10**9:09d}"
    return first17 + uscc.calc_check_digit(first17)


def _county() -> Station:
    county = Station.objects.filter(level="county").order_by("code").first()
    if county is None:
        county = Station.objects.create(code="130902000000", name="新华区", level="county")
    return county


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"沧州测试单位有限公司{n}")
    credit_code = factory.Sequence(lambda n: make_credit_code(300000 + n))
    industry = "制造业"
    county = factory.LazyFunction(_county)


class EmployerFactory(DjangoModelFactory):
    """An employer and its unit: ``EmployerFactory(name=…, county=…, credit_code=…)`` still works —
    the unit's fields are passed to the organization."""

    class Meta:
        model = Employer

    class Params:
        name = factory.Sequence(lambda n: f"沧州测试实业有限公司{n}")
        credit_code = factory.Sequence(make_credit_code)
        industry = "制造业"
        county = factory.LazyFunction(_county)
        is_employment_base = False
        is_school_enterprise = False
        is_enterprise_training = False

    organization = factory.SubFactory(
        OrganizationFactory,
        name=factory.SelfAttribute("..name"),
        credit_code=factory.SelfAttribute("..credit_code"),
        industry=factory.SelfAttribute("..industry"),
        county=factory.SelfAttribute("..county"),
        is_employment_base=factory.SelfAttribute("..is_employment_base"),
        is_school_enterprise=factory.SelfAttribute("..is_school_enterprise"),
        is_enterprise_training=factory.SelfAttribute("..is_enterprise_training"),
    )
    is_partner = True


class JobPostingFactory(DjangoModelFactory):
    class Meta:
        model = JobPosting

    employer = factory.SubFactory(EmployerFactory)
    title = factory.Sequence(lambda n: f"安保队长{n}")
    description = "负责园区安全巡逻，退役军人优先。"
    category = "security"
    county = factory.LazyAttribute(lambda o: o.employer.county)
    salary_min = 4000
    salary_max = 6000
    headcount = 2
    status = PostingStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))


class ApplicationFactory(DjangoModelFactory):
    class Meta:
        model = Application

    posting = factory.SubFactory(JobPostingFactory)
    number = factory.LazyFunction(new_application_number)
    name = "王建军"
    id_number = factory.Sequence(lambda n: make_id_number("130902", "19850101", n % 1000))
    phone = "13912345678"
    stated_county = factory.LazyAttribute(lambda o: o.posting.county)
    station = factory.LazyAttribute(lambda o: o.veteran.station if o.veteran else o.stated_county)
    veteran = None
    needs_follow_up = factory.LazyAttribute(lambda o: o.veteran is None)


class PlacementFactory(DjangoModelFactory):
    class Meta:
        model = Placement

    veteran = factory.SubFactory(VeteranFactory)
    employer = factory.SubFactory(EmployerFactory)
    start_date = factory.LazyFunction(timezone.localdate)


class TrainingProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = TrainingProgramme

    title = factory.Sequence(lambda n: f"退役军人职业技能培训班{n}")
    kind = TrainingKind.SCHOOL_ENTERPRISE
    county = factory.LazyFunction(_county)
    start_date = factory.LazyFunction(timezone.localdate)
    end_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    capacity = 30


class EnrolmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrolment

    programme = factory.SubFactory(TrainingProgrammeFactory)
    veteran = factory.SubFactory(VeteranFactory)


class JobFairFactory(DjangoModelFactory):
    class Meta:
        model = JobFair

    title = factory.Sequence(lambda n: f"退役军人专场招聘会{n}")
    kind = "onsite"
    date = factory.LazyFunction(timezone.localdate)
    end_date = factory.LazyAttribute(lambda o: o.date)
    county = factory.LazyFunction(_county)


class VentureFactory(DjangoModelFactory):
    class Meta:
        model = Venture
        skip_postgeneration_save = True

    veteran = factory.SubFactory(VeteranFactory)
    business_name = factory.Sequence(lambda n: f"老兵创业商行{n}")
    credit_code = factory.Sequence(lambda n: make_credit_code(500000 + n))
    start_date = factory.LazyFunction(timezone.localdate)
    jobs_created = 3

    @factory.post_generation
    def founder(obj, create, extracted, **kwargs):
        """The lead founder is always among the founders (as venture_register makes it)."""
        if create:
            VentureFounder.objects.get_or_create(venture=obj, veteran=obj.veteran, defaults={"is_lead": True})


class FairRegistrationFactory(DjangoModelFactory):
    class Meta:
        model = FairRegistration

    fair = factory.SubFactory(JobFairFactory)
    veteran = factory.SubFactory(VeteranFactory)
    number = factory.Sequence(lambda n: f"F20261129{n:06d}")


def make_api_key(name: str = "河北省退役军人网上招聘平台", **extra) -> tuple[PartnerAPIKey, str]:
    return PartnerAPIKey.objects.create_key(name=name, **extra)
