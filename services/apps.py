from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = "服务网络"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import otp, roles, signals  # noqa: F401  (signal receivers)

        post_migrate.connect(roles.sync_role_permissions, dispatch_uid="services.sync_role_permissions")
