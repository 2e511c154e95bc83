from django.urls import path

from . import views, views_records

app_name = "services"
urlpatterns = [
    path("stations/", views.station_finder, name="station_finder"),
    path("stations/<str:code>/", views.station_public_detail, name="station_public_detail"),
    path("station/", views.dashboard, name="dashboard"),
    path("station/network/<str:code>/", views.station_detail, name="station_detail"),
]

# Station services: records, public-welfare posts, evaluations (services/views_records.py).
urlpatterns += [
    path("station/services/", views_records.record_list, name="record_list"),
    path("station/services/new/", views_records.record_create, name="record_create"),
    path("station/services/<int:pk>/", views_records.record_detail, name="record_detail"),
    path("station/services/<int:pk>/edit/", views_records.record_edit, name="record_edit"),
    path("station/services/<int:pk>/close/", views_records.record_close, name="record_close"),
    path("station/services/posts/", views_records.post_list, name="post_list"),
    path("station/services/posts/new/", views_records.post_create, name="post_create"),
    path("station/services/posts/<int:pk>/end/", views_records.post_end, name="post_end"),
    path("station/services/evaluations/", views_records.evaluation_list, name="evaluation_list"),
    path("station/services/evaluations/new/", views_records.evaluation_create, name="evaluation_create"),
    path("station/services/evaluations/<int:pk>/edit/", views_records.evaluation_edit, name="evaluation_edit"),
]

# Security (issue 9): second factor after the password, and the auditor's view of the audit trail.
from . import views_security  # noqa: E402

urlpatterns += [
    path("accounts/otp/verify/", views_security.otp_verify, name="otp_verify"),
    path("accounts/otp/setup/", views_security.otp_setup, name="otp_setup"),
]

from . import views_audit  # noqa: E402

urlpatterns += [
    path("station/audit/", views_audit.audit_list, name="audit_list"),
    path("station/audit/export/", views_audit.audit_export, name="audit_export"),
]

# Monthly statistics (issue 8): figures, child stations, trend chart and the xlsx 月报.
from . import views_stats  # noqa: E402

urlpatterns += [
    path("station/stats/", views_stats.stats_page, name="stats"),
    path("station/stats/export/", views_stats.stats_export, name="stats_export"),
]
