from django.apps import AppConfig


class HonorsConfig(AppConfig):
    name = "honors"
    verbose_name = "褒扬荣誉"
