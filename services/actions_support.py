"""Writes of 社会化拥军: units (organizations), association memberships, offers, service points and
the services rendered at the counter.

Every function takes the acting ``user``, checks permission and jurisdiction, validates with
``full_clean()`` and raises ``ValidationError`` / ``PermissionDenied``; nothing is saved partially.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from canghzou_portal.audit import audit
from canghzou_portal.scoping import check_object_in_scope

from .models import Organization


def _require_perm(user, perm: str, message: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(message)


# --- units ---------------------------------------------------------------------------------------
ORGANIZATION_FIELDS = (
    "name",
    "credit_code",
    "industry",
    "county",
    "address",
    "contact_name",
    "contact_phone",
    "is_employment_base",
    "is_school_enterprise",
    "is_enterprise_training",
)


@transaction.atomic
def organization_save(*, user, organization: Organization, request=None) -> Organization:
    """Register a unit or change its identity (staff of the unit's county or above)."""
    creating = organization.pk is None
    _require_perm(
        user,
        "services.add_organization" if creating else "services.change_organization",
        "您没有登记或修改单位信息的权限",
    )
    if not creating:
        stored = Organization.objects.select_for_update().get(pk=organization.pk)
        check_object_in_scope(user, stored)
    organization.full_clean()
    check_object_in_scope(user, organization)
    organization.save()
    audit("organization.create" if creating else "organization.change", request=request, user=user, obj=organization)
    return organization
