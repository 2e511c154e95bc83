"""/api/v1/: versioned, read-only. A new version gets its own module and prefix."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import views

app_name = "api_v1"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]), name="schema"),
    path("postings/", views.PostingViewSet.as_view({"get": "list"}), name="posting-list"),
    path("postings/<int:pk>/", views.PostingViewSet.as_view({"get": "retrieve"}), name="posting-detail"),
    path("fairs/", views.FairViewSet.as_view({"get": "list"}), name="fair-list"),
    path("fairs/<int:pk>/", views.FairViewSet.as_view({"get": "retrieve"}), name="fair-detail"),
    path("", views.NotFoundView.as_view(), name="root"),
    path("<path:rest>", views.NotFoundView.as_view(), name="not_found"),
]
