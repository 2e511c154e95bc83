from django.urls import path

from . import views

app_name = "services"
urlpatterns = [
    path("stations/", views.station_finder, name="station_finder"),
    path("stations/<str:code>/", views.station_public_detail, name="station_public_detail"),
    path("station/", views.dashboard, name="dashboard"),
    path("station/network/<str:code>/", views.station_detail, name="station_detail"),
]
