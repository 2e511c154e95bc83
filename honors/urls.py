"""Honors URLs, included at the site root: the public roll /honors/ and the station pages."""

from django.urls import path

from . import views

app_name = "honors"
S = "station/honors/"
urlpatterns = [
    # public on purpose: the honor roll (names and counties only)
    path("honors/", views.honor_roll, name="honor_roll"),
    # station portal (login, business role and permission required)
    path(S, views.nomination_list, name="nomination_list"),
    path(f"{S}review/", views.review_queue, name="review_queue"),
    path(f"{S}nominations/new/", views.nomination_create, name="nomination_create"),
    path(f"{S}nominations/<int:pk>/", views.nomination_detail, name="nomination_detail"),
    path(f"{S}nominations/<int:pk>/edit/", views.nomination_edit, name="nomination_edit"),
    path(f"{S}nominations/<int:pk>/submit/", views.nomination_submit, name="nomination_submit"),
    path(f"{S}nominations/<int:pk>/review/", views.nomination_review, name="nomination_review"),
    path(f"{S}nominations/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path(f"{S}attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path(f"{S}awards/", views.award_list, name="award_list"),
    path(f"{S}party50/", views.party50_eligibility, name="party50_eligibility"),
    path(f"{S}serving/", views.serving_member_list, name="serving_member_list"),
    path(f"{S}serving/new/", views.serving_member_create, name="serving_member_create"),
    path(f"{S}serving/<int:pk>/", views.serving_member_detail, name="serving_member_detail"),
    path(f"{S}merits/<int:pk>/deliver/", views.merit_deliver, name="merit_deliver"),
    path(f"{S}deliveries/", views.delivery_list, name="delivery_list"),
]
