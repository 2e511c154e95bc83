"""Root URLconf. Public pages need no login; everything under /station/ and /employers/
requires one (tests/test_url_access.py walks every pattern to keep it so)."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import care_mode, views

if settings.OTP_REQUIRED:  # second factor for the admin too (canghzou_portal/admin_site.py)
    from .admin_site import install as _install_otp_admin

    _install_otp_admin()

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("care-mode/", care_mode.switch, name="care_mode"),
    path("admin/", admin.site.urls),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="registration/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(success_url="/station/"),
        name="password_change",
    ),
    path("", include("services.urls")),
    path("station/veterans/", include("veterans.urls")),
    path("", include("honors.urls")),
    path("", include("employment.urls")),
    # the provincial platform's read-only API (docs/api.md)
    path("api/v1/", include("employment.api.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "canghzou_portal.views.bad_request"
handler403 = "canghzou_portal.views.permission_denied"
handler404 = "canghzou_portal.views.page_not_found"
handler500 = "canghzou_portal.views.server_error"
