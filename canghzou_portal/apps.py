from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """django.contrib.admin with the portal's ordered, Chinese-titled admin site.

    Also registers the portal's own system checks (canghzou_portal/checks.py): the project package
    is no app of its own, and this config is the one it already installs.
    """

    default_site = "canghzou_portal.admin_site.PortalAdminSite"

    def ready(self) -> None:
        super().ready()
        from . import checks  # noqa: F401  (registers the checks)
