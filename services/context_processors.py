from django.conf import settings

from canghzou_portal.access import is_auditor, is_employer_account, is_station_staff, role_names


def portal(request):
    user = getattr(request, "user", None)
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "PORTAL_BUREAU": settings.PORTAL_BUREAU,
        "user_roles": role_names(user),
        "is_station_user": is_station_staff(user),
        "is_auditor": is_auditor(user),
        "is_employer": is_employer_account(user),
    }
