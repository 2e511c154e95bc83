"""Employment URLs (included at the site root).

Public on purpose: job_list, job_detail, job_feed, job_apply, job_apply_done,
application_status, training_list, fair_list, fair_detail. /employers/ and /station/employment/ need login.
"""

from django.urls import path

from . import views

app_name = "employment"
urlpatterns = [
    # public job board
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/feed/", views.job_feed, name="job_feed"),
    path("jobs/training/", views.training_list, name="training_list"),
    path("jobs/fairs/", views.fair_list, name="fair_list"),
    path("jobs/fairs/<int:pk>/", views.fair_detail, name="fair_detail"),
    path("jobs/applications/status/", views.application_status, name="application_status"),
    path("jobs/applications/done/", views.job_apply_done, name="job_apply_done"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/apply/", views.job_apply, name="job_apply"),
    # employer accounts
    path("employers/", views.employer_home, name="employer_home"),
    path("employers/postings/new/", views.employer_posting_edit, name="employer_posting_new"),
    path("employers/postings/<int:pk>/", views.employer_posting, name="employer_posting"),
    path("employers/postings/<int:pk>/edit/", views.employer_posting_edit, name="employer_posting_edit"),
    path("employers/postings/<int:pk>/<str:verb>/", views.employer_posting_action, name="employer_posting_action"),
    path("employers/applications/<int:pk>/", views.employer_application, name="employer_application"),
    # station staff
    path("station/employment/", views.station_home, name="station_home"),
    path("station/employment/applications/<int:pk>/", views.station_application, name="station_application"),
    path(
        "station/employment/applications/<int:pk>/match/",
        views.station_application_match,
        name="station_application_match",
    ),
    path("station/employment/review/", views.station_reviews, name="station_reviews"),
    path("station/employment/review/<int:pk>/", views.station_review, name="station_review"),
    path("station/employment/training/", views.station_training, name="station_training"),
    path("station/employment/fairs/", views.station_fairs, name="station_fairs"),
    path("station/employment/ventures/", views.station_ventures, name="station_ventures"),
    # training, fairs and ventures recorded per veteran (issue 22)
    path("station/employment/training/enrol/", views.station_enrol_bulk, name="station_enrol_bulk"),
    path("station/employment/training/<int:pk>/", views.station_programme, name="station_programme"),
    path("station/employment/enrolments/<int:pk>/", views.station_enrolment, name="station_enrolment"),
    path("station/employment/veterans/<int:pk>/enrol/", views.station_veteran_enrol, name="station_veteran_enrol"),
    path("station/employment/fairs/<int:pk>/", views.station_fair, name="station_fair"),
    path("station/employment/fairs/<int:pk>/checkin/", views.station_fair_checkin, name="station_fair_checkin"),
    path(
        "station/employment/fairs/<int:pk>/applications/new/",
        views.station_fair_application,
        name="station_fair_application",
    ),
    path("station/employment/ventures/new/", views.station_venture_new, name="station_venture_new"),
    path("station/employment/ventures/<int:pk>/", views.station_venture, name="station_venture"),
    path("station/employment/ventures/<int:pk>/edit/", views.station_venture_edit, name="station_venture_edit"),
]
