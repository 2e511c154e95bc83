from django.urls import path  # noqa: F401

app_name = "veterans"
urlpatterns: list = []
