"""The services panel on a veteran's detail page (filled in by the services app)."""

from django import template

from services import selectors

register = template.Library()

PANEL_LIMIT = 10


@register.inclusion_tag("services/_veteran_panel.html", takes_context=True)
def veteran_services_panel(context, veteran):
    """That veteran's service records the user may see, newest first, and a "登记服务" link."""
    user = context["request"].user
    can_view = user.has_perm("services.view_servicerecord")
    return {
        "veteran": veteran,
        "user": user,
        "can_view": can_view,
        "can_add": user.has_perm("services.add_servicerecord"),
        "records": selectors.veteran_service_records(veteran, user, limit=PANEL_LIMIT) if can_view else [],
        "post": selectors.active_welfare_post(veteran.pk) if user.has_perm("services.view_publicwelfarepost") else None,
    }
