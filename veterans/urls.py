from django.urls import path

from . import views, views_io

app_name = "veterans"
urlpatterns = [
    path("", views.veteran_list, name="list"),
    path("new/", views.veteran_create, name="create"),
    path("<int:pk>/", views.veteran_detail, name="detail"),
    path("<int:pk>/edit/", views.veteran_edit, name="edit"),
    path("<int:pk>/transfer/", views.veteran_transfer, name="transfer"),
    path("<int:pk>/reveal/", views.veteran_reveal, name="reveal"),
    path("<int:pk>/history/", views.veteran_history, name="history"),
    # import / export (veterans/views_io.py)
    path("import/", views_io.veteran_import, name="import"),
    path("import/template/", views_io.veteran_import_template, name="import_template"),
    path("import/report/<str:token>/", views_io.veteran_import_report, name="import_report"),
    path("export/", views_io.veteran_export, name="export"),
]
