from django.apps import AppConfig


class EmploymentConfig(AppConfig):
    name = "employment"
    verbose_name = "就业创业"

    def ready(self):
        from . import signals  # noqa: F401 - connects the board-cache invalidation
