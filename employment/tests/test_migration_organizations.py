"""The data migration that turns employers into the employer role of organizations, both ways."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from .factories import make_credit_code

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

BEFORE = [("employment", "0005_posting_search_grams"), ("services", "0007_organizations_and_alliances")]
AFTER = [("employment", "0008_employer_identity_on_organization")]


def _apps(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def test_every_employer_becomes_a_unit_and_back():
    try:
        old = _apps(BEFORE)
        Station = old.get_model("services", "Station")
        Employer = old.get_model("employment", "Employer")
        JobPosting = old.get_model("employment", "JobPosting")
        city = Station.objects.create(code="130900000000", name="沧州市", level="city")
        county = Station.objects.create(code="130921000000", name="沧县", level="county", parent=city)
        common = {"county": county, "industry": "餐饮", "address": "沧县兴业路1号", "contact_name": "王经理"}
        member = Employer.objects.create(
            name="沧县拥军饭店有限公司", credit_code=make_credit_code(1), is_alliance_member=True, **common
        )
        base = Employer.objects.create(
            name="沧县老兵创业园有限公司",
            credit_code=make_credit_code(2),
            is_partner=True,
            is_employment_base=True,
            is_school_enterprise=True,
            preferential_offers="免试用期",
            **common,
        )
        long_ago = timezone.now() - datetime.timedelta(days=400)
        Employer.objects.filter(pk=member.pk).update(created_at=long_ago)
        posting = JobPosting.objects.create(
            employer=base,
            title="厨师",
            description="—",
            category="catering",
            county=county,
            salary_min=3000,
            salary_max=5000,
            expires_on=timezone.localdate(),
        )

        new = _apps(AFTER)
        Employer = new.get_model("employment", "Employer")
        Organization = new.get_model("services", "Organization")
        Membership = new.get_model("services", "AllianceMembership")
        assert Employer.objects.count() == 2 and Organization.objects.count() == 2
        unit = Employer.objects.get(pk=base.pk).organization
        assert (unit.name, unit.credit_code, unit.county_id, unit.address) == (
            "沧县老兵创业园有限公司",
            make_credit_code(2),
            county.pk,
            "沧县兴业路1号",
        )
        assert unit.is_employment_base and unit.is_school_enterprise and not unit.is_enterprise_training
        assert Employer.objects.get(pk=base.pk).is_partner
        assert Employer.objects.get(pk=base.pk).preferential_offers == "免试用期"
        assert new.get_model("employment", "JobPosting").objects.get(pk=posting.pk).employer_id == base.pk
        joined = Employer.objects.get(pk=member.pk).organization
        assert abs(joined.created_at - long_ago) < datetime.timedelta(seconds=1)
        [membership] = Membership.objects.all()
        assert membership.organization_id == joined.pk and membership.status == "approved"
        assert membership.plaque_number == "CZYJ-130921-0001" and membership.industry == "catering"
        assert membership.alliance.name == "沧县爱国拥军志愿者联合会"
        assert membership.events.get().kind == "migrate"

        old = _apps(BEFORE)
        Employer = old.get_model("employment", "Employer")
        restored = Employer.objects.get(pk=member.pk)
        assert (restored.name, restored.credit_code, restored.county_id) == (
            "沧县拥军饭店有限公司",
            make_credit_code(1),
            county.pk,
        )
        assert restored.is_alliance_member and not restored.is_employment_base
        assert Employer.objects.get(pk=base.pk).is_employment_base
        assert not old.get_model("services", "AllianceMembership").objects.exists()
    finally:
        # back to the latest state of every app (later migrations of employment included)
        _apps(MigrationExecutor(connection).loader.graph.leaf_nodes())
