"""Three-role separation: the role × URL matrix, and the rule that nobody holds two kinds of role.

Add a row to MATRIX when a page lands. A row whose URL does not resolve yet is skipped (and the
skip says so), so the table can list pages before they exist.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import Resolver404, resolve

from services import roles
from services.models import AuditEvent

pytestmark = pytest.mark.django_db

ROLE_FIXTURES = {
    "clerk": "village_clerk",
    "reviewer": "county_reviewer",
    "bureau": "city_bureau",
    "stats": "county_stats_viewer",
    "auditor": "auditor",
    "sysadmin": "sysadmin",
}
ALL = set(ROLE_FIXTURES)
BUSINESS = {"clerk", "reviewer", "bureau", "stats"}
STAFF_BUSINESS = {"clerk", "reviewer", "bureau"}  # is_staff in the fixtures

# (url, roles that get in, roles that must be refused). Roles in neither set are not asserted
# (their answer is the feature's own business); the separation is in the refused column.
MATRIX: list[tuple[str, set[str], set[str]]] = [
    ("/station/", BUSINESS, {"auditor", "sysadmin"}),
    ("/station/veterans/", {"clerk", "reviewer", "bureau"}, {"auditor", "sysadmin"}),
    ("/station/services/", {"clerk", "reviewer", "bureau"}, {"auditor", "sysadmin"}),
    ("/station/honors/", set(), {"auditor", "sysadmin"}),
    ("/station/employment/", set(), {"auditor", "sysadmin"}),
    ("/station/stats/", set(), {"auditor", "sysadmin"}),
    ("/admin/veterans/veteran/", STAFF_BUSINESS, {"auditor", "sysadmin", "stats"}),
    ("/admin/veterans/household/", STAFF_BUSINESS, {"auditor", "sysadmin", "stats"}),
    ("/admin/honors/nomination/", set(), {"auditor", "sysadmin", "stats"}),
    ("/admin/employment/application/", set(), {"auditor", "sysadmin", "stats"}),
    ("/admin/services/servicerecord/", set(), {"auditor", "sysadmin", "stats"}),
    ("/admin/services/user/", {"sysadmin"}, ALL - {"sysadmin"}),
    ("/admin/services/user/add/", {"sysadmin"}, ALL - {"sysadmin"}),
    ("/station/audit/", {"auditor"}, ALL - {"auditor"}),
    ("/station/audit/export/", {"auditor"}, ALL - {"auditor"}),
    ("/admin/services/auditevent/", {"auditor"}, ALL - {"auditor"}),
]


def _missing(url: str) -> str | None:
    """Why this URL cannot be tested yet, or None."""
    try:
        match = resolve(url)
    except Resolver404:
        return f"{url} does not resolve yet"
    if getattr(match.func, "__name__", "") == "catch_all_view" or match.url_name == "app_list":
        return f"{url}: model not registered in the admin yet"
    return None


def _refused(response) -> bool:
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and "login" in response.get("Location", "")


def _cases():
    for url, allowed, refused in MATRIX:
        for role in sorted(ALL):
            if role in allowed:
                yield pytest.param(url, role, True, id=f"{url}-{role}-allowed")
            elif role in refused:
                yield pytest.param(url, role, False, id=f"{url}-{role}-refused")


@pytest.mark.parametrize(("url", "role", "allowed"), list(_cases()))
def test_role_url_matrix(request, client_for, url, role, allowed):
    reason = _missing(url)
    if reason:
        pytest.skip(reason)
    user = request.getfixturevalue(ROLE_FIXTURES[role])
    response = client_for(user).get(url)
    if allowed:
        assert response.status_code == 200, f"{role} should reach {url}, got {response.status_code}"
    else:
        assert _refused(response), f"{role} must not reach {url}, got {response.status_code}"


def test_denied_access_is_audited(client_for, auditor):
    response = client_for(auditor).get("/station/")
    assert response.status_code == 403
    event = AuditEvent.objects.get(action="access_denied")
    assert event.username == "auditor" and event.result == AuditEvent.Result.DENIED
    assert event.detail["path"] == "/station/" and event.station_code == auditor.station_id


@pytest.mark.parametrize(
    "combo",
    [
        (roles.ROLE_SYSADMIN, roles.ROLE_AUDITOR),
        (roles.ROLE_SYSADMIN, roles.ROLE_CLERK),
        (roles.ROLE_AUDITOR, roles.ROLE_BUREAU),
        (roles.ROLE_AUDITOR, roles.ROLE_STATS),
    ],
)
def test_nobody_holds_an_exclusive_role_with_another(make_user, world, combo):
    user = make_user(combo[0], world["city"])
    # m2m writes use no savepoint of their own; a savepoint keeps the test's transaction usable
    with pytest.raises(ValidationError, match="三权分立"), transaction.atomic():
        user.groups.add(Group.objects.get(name=combo[1]))
    assert list(user.groups.values_list("name", flat=True)) == [combo[0]]
    with pytest.raises(ValidationError), transaction.atomic():  # the reverse path too
        Group.objects.get(name=combo[1]).user_set.add(user)
    with pytest.raises(ValidationError), transaction.atomic():
        user.groups.set(Group.objects.filter(name__in=combo))
    assert list(user.groups.values_list("name", flat=True)) == [combo[0]]


def test_business_roles_combine(make_user, world):
    user = make_user(roles.ROLE_CLERK, world["countyA"])
    user.groups.add(Group.objects.get(name=roles.ROLE_REVIEWER))
    assert user.groups.count() == 2


def test_admin_user_form_refuses_the_combination(client_for, superuser, world, django_user_model):
    client = client_for(superuser)
    groups = Group.objects.filter(name__in=[roles.ROLE_SYSADMIN, roles.ROLE_AUDITOR])
    response = client.post(
        "/admin/services/user/add/",
        {
            "username": "both",
            "full_name": "两个角色",
            "station": world["city"].pk,
            "groups": [g.pk for g in groups],
            "password1": "Xk9#mq2Lw7zt",
            "password2": "Xk9#mq2Lw7zt",
            "usable_password": "true",
        },
    )
    assert response.status_code == 200
    assert "三权分立" in response.content.decode()
    assert not django_user_model.objects.filter(username="both").exists()


def test_role_changes_are_audited_with_the_actor(client_for, superuser, sysadmin, make_user, world):
    clerk = make_user(roles.ROLE_CLERK, world["villageA1a"], username="newclerk", is_staff=True)
    client = client_for(sysadmin)
    reviewer = Group.objects.get(name=roles.ROLE_REVIEWER)
    clerk_group = Group.objects.get(name=roles.ROLE_CLERK)
    response = client.post(
        f"/admin/services/user/{clerk.pk}/change/",
        {
            "username": "newclerk",
            "full_name": clerk.full_name,
            "email": "",
            "phone": "",
            "station": world["villageA1a"].pk,
            "is_active": "on",
            "is_staff": "on",
            "groups": [clerk_group.pk, reviewer.pk],
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-11-01",
            "date_joined_1": "08:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.filter(action="role_change", object_id=str(clerk.pk)).latest("id")
    assert event.username == "sysadmin"
    assert event.detail["added"] == [roles.ROLE_REVIEWER]
    assert event.object_type == "services.User"


def test_sysadmin_holds_no_business_or_audit_permission(sysadmin):
    perms = sysadmin.get_all_permissions()
    assert not any(p.startswith(("veterans.", "honors.", "employment.")) for p in perms)
    assert "services.view_auditevent" not in perms


# Audit-type reads only: the audit trail and the change history of registry records.
AUDITOR_PERMISSIONS = {"services.view_auditevent", "veterans.view_historicalveteran"}


def test_auditor_holds_only_audit_permissions(auditor):
    perms = auditor.get_all_permissions()
    assert "services.view_auditevent" in perms
    assert perms <= AUDITOR_PERMISSIONS
