"""The admin site with the second factor (django-otp), used when settings.OTP_REQUIRED is on.

Unlike django-otp's own ``OTPAdminSite`` the password is entered on the normal login form and the
TOTP code on the portal's verify page (OTPRequiredMiddleware sends privileged users there); the
site then admits a privileged user only once verified. Staff outside the OTP roles
(clerks using imports) keep password-only access, as in the portal.
"""

from django.contrib.admin import AdminSite
from django_otp.admin import OTPAdminSite

from .middleware import otp_required_for


class PortalOTPAdminSite(OTPAdminSite):
    login_form = None
    login_template = None

    def has_permission(self, request):
        user = request.user
        return AdminSite.has_permission(self, request) and (not otp_required_for(user) or user.is_verified())


def install() -> None:
    """Switch the default admin site (and its registered models) to the OTP-aware class."""
    from django.contrib import admin

    admin.site.__class__ = PortalOTPAdminSite
