from django.conf import settings

from .roles import BUSINESS_ROLES, ROLE_AUDITOR, ROLE_EMPLOYER


def portal(request):
    user = getattr(request, "user", None)
    roles = set()
    if user is not None and user.is_authenticated:
        roles = {g.name for g in user.groups.all()}
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "PORTAL_BUREAU": settings.PORTAL_BUREAU,
        "user_roles": roles,
        "is_station_user": bool(roles & set(BUSINESS_ROLES)) or bool(user and user.is_superuser),
        "is_auditor": ROLE_AUDITOR in roles,
        "is_employer": ROLE_EMPLOYER in roles,
    }
