from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """django.contrib.admin with the portal's ordered, Chinese-titled admin site."""

    default_site = "canghzou_portal.admin_site.PortalAdminSite"
