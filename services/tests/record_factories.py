"""factory_boy factories of the station services (records, public-welfare posts, evaluations)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from services.models import PublicWelfarePost, ServiceRecord, StationEvaluation
from veterans.tests.factories import VeteranFactory


class ServiceRecordFactory(DjangoModelFactory):
    class Meta:
        model = ServiceRecord

    veteran = factory.SubFactory(VeteranFactory)
    station = factory.LazyAttribute(lambda o: o.veteran.station)
    kind = ServiceRecord.Kind.CONSULTATION
    date = factory.LazyFunction(lambda: datetime.date(2026, 11, 2))
    summary = "咨询退役军人优待证办理流程"
    outcome = ""
    aid_amount = factory.LazyAttribute(lambda o: Decimal("800.00") if o.kind == ServiceRecord.Kind.AID else None)
    status = ServiceRecord.Status.OPEN


class PublicWelfarePostFactory(DjangoModelFactory):
    class Meta:
        model = PublicWelfarePost

    post_name = "村级服务站专职人员"
    veteran = factory.SubFactory(VeteranFactory)
    station = factory.LazyAttribute(lambda o: o.veteran.station)
    start_date = factory.LazyFunction(lambda: datetime.date(2026, 3, 1))
    end_date = None
    monthly_subsidy = Decimal("1800.00")


class StationEvaluationFactory(DjangoModelFactory):
    class Meta:
        model = StationEvaluation

    year = 2025
    has_organization = True
    has_staffing = True
    has_personnel = True
    has_funding = True
    has_support = False
    score = Decimal("86.5")
    stars = 4
