"""The access decisions that are not jurisdiction (canghzou_portal.access), per role and tier."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.views import View

from canghzou_portal import access, codes
from canghzou_portal.scoping import scope_queryset, user_can_reach_code
from services import roles
from services.models import AuditEvent, Station

pytestmark = pytest.mark.django_db


def test_user_tier_is_the_station_level(city_bureau, county_clerk, township_clerk, village_clerk, superuser, make_user):
    assert access.user_tier(city_bureau) == codes.CITY
    assert access.user_tier(county_clerk) == codes.COUNTY
    assert access.user_tier(township_clerk) == codes.TOWNSHIP
    assert access.user_tier(village_clerk) == codes.VILLAGE
    assert access.user_tier(superuser) == codes.CITY
    assert access.user_tier(make_user(roles.ROLE_CLERK, None)) is None
    assert access.user_tier(AnonymousUser()) is None


def test_station_staff_are_the_business_roles(village_clerk, county_reviewer, auditor, sysadmin, superuser, make_user):
    employer = make_user(roles.ROLE_EMPLOYER, None)
    assert access.is_station_staff(village_clerk) and access.is_station_staff(county_reviewer)
    assert access.is_station_staff(superuser)
    assert not access.is_station_staff(auditor) and not access.is_station_staff(sysadmin)
    assert not access.is_station_staff(employer) and not access.is_station_staff(AnonymousUser())
    assert access.is_auditor(auditor) and not access.is_auditor(village_clerk)


def test_an_employer_account_needs_the_role_and_an_employer(world, make_user):
    from employment.tests.factories import EmployerFactory

    employer = EmployerFactory(name="沧州拥军物流", county=world["countyA"])
    assert access.is_employer_account(make_user(roles.ROLE_EMPLOYER, None, employer=employer))
    assert not access.is_employer_account(make_user(roles.ROLE_EMPLOYER, None))
    assert not access.is_employer_account(make_user(roles.ROLE_CLERK, world["villageA1a"], employer=employer))


def test_full_pii_is_one_permission(city_bureau, village_clerk, auditor):
    assert access.can_see_full_pii(city_bureau)
    assert not access.can_see_full_pii(village_clerk)
    assert not access.can_see_full_pii(auditor)
    assert not access.can_see_full_pii(None)


def test_nominators_hold_the_permission_at_a_village_or_township(
    village_clerk, township_clerk, county_clerk, county_reviewer
):
    assert access.may_nominate(village_clerk) and access.may_nominate(township_clerk)
    assert not access.may_nominate(county_clerk) and not access.may_nominate(county_reviewer)
    with pytest.raises(PermissionDenied, match="村（社区）、乡镇（街道）"):
        access.require_nominator(county_clerk)
    with pytest.raises(PermissionDenied, match="没有办理荣誉提名的权限"):
        access.require_nominator(county_reviewer)


def test_require_station_staff(world, village_clerk, superuser, auditor, make_user):
    assert access.require_station_staff(village_clerk) == world["villageA1a"]
    assert access.require_station_staff(superuser) == world["city"]
    with pytest.raises(PermissionDenied, match="仅供服务中心（站）工作人员"):
        access.require_station_staff(auditor)
    with pytest.raises(PermissionDenied, match="仅供服务中心（站）工作人员"):
        access.require_station_staff(make_user(roles.ROLE_CLERK, None))
    with pytest.raises(PermissionDenied, match="没有查看统计"):
        access.require_station_staff(village_clerk, "services.view_auditevent", "您没有查看统计报表的权限")


def _request(user):
    request = RequestFactory().get("/station/x/")
    request.user = user
    return request


@access.station_staff_required("veterans.view_veteran")
def _view(request):
    return HttpResponse(request.station.code)


class _ClassView(access.StationStaffRequiredMixin, View):
    permission_required = "veterans.view_veteran"
    permission_message = "您没有查看退役军人信息的权限"

    def get(self, request):
        return HttpResponse(request.station.code)


@pytest.mark.parametrize("view", [_view, _ClassView.as_view()])
def test_the_gate_for_function_and_class_views(view, world, village_clerk, auditor, make_user):
    anonymous = view(_request(AnonymousUser()))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert view(_request(village_clerk)).content.decode() == world["villageA1a"].code
    with pytest.raises(PermissionDenied):
        view(_request(auditor))
    stats_viewer = make_user(roles.ROLE_STATS, world["countyA"])
    with pytest.raises(PermissionDenied):
        view(_request(stats_viewer))


def test_the_system_actor_reaches_the_city_and_is_audited_as_itself(world):
    actor = access.system_actor("import_veterans")
    assert actor.station_id == world["city"].code
    assert user_can_reach_code(actor, world["villageB1a"].code)
    assert scope_queryset(Station.objects.all(), actor).count() == Station.objects.count()
    assert actor.has_perm("veterans.add_veteran") and access.can_see_full_pii(actor)
    from canghzou_portal.audit import audit

    event = audit("veteran_import", user=actor, rows=1)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.user, stored.username, stored.station_code) == (None, "系统:import_veterans", world["city"].code)
    assert stored.detail == {"rows": 1, "actor": "system"}


def test_no_system_actor_without_a_city_station(db):
    with pytest.raises(PermissionDenied, match="load_stations"):
        access.system_actor("import_veterans")
