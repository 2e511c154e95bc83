from django.apps import AppConfig


class VeteransConfig(AppConfig):
    name = "veterans"
    verbose_name = "退役军人信息"
