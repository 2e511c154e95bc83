from django.urls import path

from . import views

app_name = "veterans"
urlpatterns = [
    path("", views.veteran_list, name="list"),
    path("new/", views.veteran_create, name="create"),
    path("<int:pk>/", views.veteran_detail, name="detail"),
    path("<int:pk>/edit/", views.veteran_edit, name="edit"),
    path("<int:pk>/transfer/", views.veteran_transfer, name="transfer"),
    path("<int:pk>/reveal/", views.veteran_reveal, name="reveal"),
    path("<int:pk>/history/", views.veteran_history, name="history"),
]
