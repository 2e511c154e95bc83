"""Roles are groups. This table is the one place that says what each role may do.

The role names (and which roles work in the station portal) are defined with the rest of the
access model in canghzou_portal/access.py and imported here.

Groups are created by a data migration (services/migrations); their permissions are synced
from ROLE_PERMISSIONS after every migrate, so permissions of models added later are picked up.
An entry is ``"app_label.codename"`` or ``"app_label.*"`` (every permission of the app).
Jurisdiction (which stations) is separate: see canghzou_portal/scoping.py.
"""

from __future__ import annotations

from canghzou_portal.access import (  # noqa: F401 - the role names, used as services.roles.ROLE_*
    ALL_ROLES,
    BUSINESS_ROLES,
    ROLE_AUDITOR,
    ROLE_BUREAU,
    ROLE_CLERK,
    ROLE_EMPLOYER,
    ROLE_REVIEWER,
    ROLE_STATS,
    ROLE_SYSADMIN,
)

_BUSINESS_VIEW = [
    "services.view_station",
    "services.view_stationevaluation",
    "services.view_servicerecord",
    "services.view_publicwelfarepost",
    "services.view_monthlystatistic",
    "services.view_organization",
    "services.view_alliance",
    "services.view_alliancemembership",
    "services.view_membershipevent",
    "veterans.view_veteran",
    "veterans.view_household",
    "veterans.view_householdmember",
    "veterans.view_veterantransfer",
    "veterans.view_preferentialcard",
    "honors.view_honortype",
    "honors.view_nomination",
    "honors.view_award",
    "honors.view_servingmember",
    "honors.view_merit",
    "honors.view_commendationdelivery",
    "employment.view_employer",
    "employment.view_jobposting",
    "employment.view_application",
    "employment.view_placement",
    "employment.view_trainingprogramme",
    "employment.view_enrolment",
    "employment.view_jobfair",
    "employment.view_venture",
    "employment.view_trainingattendance",
    "employment.view_fairregistration",
    "employment.view_venturefounder",
    "employment.view_venturesupport",
    "employment.view_venturestatuschange",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Accounts and configuration only; no business data.
    ROLE_SYSADMIN: [
        "services.view_user",
        "services.add_user",
        "services.change_user",
        "auth.view_group",
        # second-factor enrolment codes (services/otp.py)
        "services.add_otpenrolmentcode",
        "services.view_otpenrolmentcode",
    ],
    # City-wide (by their station) business work, including imports, exports and PII.
    ROLE_BUREAU: [
        "services.view_station",
        "services.change_station",
        "services.*evaluation",
        "services.*servicerecord",
        "services.*publicwelfarepost",
        "services.view_monthlystatistic",
        "services.*organization",
        "services.*alliance",
        "services.*alliancemembership",
        "services.view_membershipevent",
        "veterans.*",
        "honors.*",
        "employment.*",
    ],
    # Reviews nominations and job postings at their tier; reads business data.
    ROLE_REVIEWER: [
        *_BUSINESS_VIEW,
        "honors.review_nomination",
        "employment.review_jobposting",
        "veterans.review_preferentialcard",
        "services.review_alliancemembership",
        "services.add_stationevaluation",
        "services.change_stationevaluation",
    ],
    # Station clerks: registry, services, nominations, follow-up of applications.
    ROLE_CLERK: [
        *_BUSINESS_VIEW,
        "veterans.add_veteran",
        "veterans.change_veteran",
        "veterans.transfer_veteran",
        "veterans.import_veteran",
        "veterans.export_veteran",
        "veterans.add_household",
        "veterans.change_household",
        "veterans.add_householdmember",
        "veterans.change_householdmember",
        "veterans.add_preferentialcard",
        "veterans.change_preferentialcard",
        "services.add_servicerecord",
        "services.change_servicerecord",
        "services.add_publicwelfarepost",
        "services.change_publicwelfarepost",
        "honors.add_nomination",
        "honors.change_nomination",
        "honors.add_servingmember",
        "honors.change_servingmember",
        "honors.add_merit",
        "honors.add_commendationdelivery",
        "employment.change_application",
        "employment.add_placement",
        "employment.add_enrolment",
        "employment.change_enrolment",
        "employment.add_venture",
        "employment.change_venture",
        # job fairs: the employers and postings taking part, registrations and check-ins at the
        # door, applications made at the fair (the fair itself is set up by bureau staff)
        "employment.change_jobfair",
        "employment.add_fairregistration",
        "employment.change_fairregistration",
    ],
    # Reads the monthly statistics of their subtree.
    ROLE_STATS: ["services.view_station", "services.view_monthlystatistic"],
    # Reads the audit trail and the registry's change history, nothing else.
    ROLE_AUDITOR: ["services.view_auditevent", "veterans.view_historicalveteran"],
    # Partner employers: their own postings and the applications to them (scoped by employer).
    ROLE_EMPLOYER: [
        "employment.view_jobposting",
        "employment.add_jobposting",
        "employment.change_jobposting",
        "employment.view_application",
        "employment.change_application",
    ],
}


def _expand(entries, all_perms):
    """Turn table entries into Permission objects; entries naming unknown perms are skipped."""
    wanted = []
    for entry in entries:
        app_label, _, pattern = entry.partition(".")
        for perm in all_perms.get(app_label, ()):
            if pattern == "*" or perm.codename == pattern:
                wanted.append(perm)
            elif pattern.startswith("*") and perm.codename.endswith(pattern[1:]):
                wanted.append(perm)
    return wanted


def sync_role_permissions(sender=None, **kwargs) -> None:
    """post_migrate receiver: create the groups if needed and set their permissions."""
    from django.contrib.auth.models import Group, Permission

    using = kwargs.get("using", "default")
    all_perms: dict[str, list] = {}
    for perm in Permission.objects.using(using).select_related("content_type"):
        all_perms.setdefault(perm.content_type.app_label, []).append(perm)
    for role, entries in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set(_expand(entries, all_perms))
