"""The portal's admin site: apps and models in the order bureau staff work with them, and the
variant with the second factor (django-otp), used when settings.OTP_REQUIRED is on.

Unlike django-otp's own ``OTPAdminSite`` the password is entered on the normal login form and the
TOTP code on the portal's verify page (OTPRequiredMiddleware sends privileged users there); the
site then admits a privileged user only once verified. Staff outside the OTP roles
(clerks using imports) keep password-only access, as in the portal.
"""

from django.contrib.admin import AdminSite
from django_otp.admin import OTPAdminSite

from .middleware import otp_required_for

# Apps in the order of the bureau's work; models within each app likewise. Unlisted ones follow.
APP_ORDER = ["veterans", "services", "honors", "employment", "auth", "otp_totp", "axes", "django_celery_results"]
MODEL_ORDER = {
    "veterans": ["Veteran", "Household", "VeteranTransfer"],
    "services": [
        "Station",
        "StationEvaluation",
        "ServiceRecord",
        "PublicWelfarePost",
        "MonthlyStatistic",
        "User",
        "AuditEvent",
    ],
    "honors": [
        "Nomination",
        "Award",
        "HonorType",
        "ServingMember",
        "Merit",
        "CommendationDelivery",
        "NominationAttachment",
        "NominationTransition",
    ],
    "employment": [
        "Employer",
        "JobPosting",
        "Application",
        "Placement",
        "TrainingProgramme",
        "Enrolment",
        "JobFair",
        "Venture",
    ],
}


def _position(order: list[str], key: str) -> tuple[int, str]:
    return (order.index(key) if key in order else len(order), key)


class PortalAdminMixin:
    site_header = "沧州市退役军人事务局 管理后台"
    site_title = "沧州市退役军人服务平台"
    index_title = "业务管理"

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        apps.sort(key=lambda app: _position(APP_ORDER, app["app_label"]))
        for app in apps:
            order = MODEL_ORDER.get(app["app_label"], [])
            app["models"].sort(key=lambda model, order=order: _position(order, model["object_name"]))
        return apps


class PortalAdminSite(PortalAdminMixin, AdminSite):
    pass


class PortalOTPAdminSite(PortalAdminMixin, OTPAdminSite):
    login_form = None
    login_template = None

    def has_permission(self, request):
        user = request.user
        return AdminSite.has_permission(self, request) and (not otp_required_for(user) or user.is_verified())


def install() -> None:
    """Switch the default admin site (and its registered models) to the OTP-aware class."""
    from django.contrib import admin

    admin.site.__class__ = PortalOTPAdminSite
