"""The services panel on a veteran's detail page (filled in by the services app)."""

from django import template

register = template.Library()


@register.inclusion_tag("services/_veteran_panel.html", takes_context=True)
def veteran_services_panel(context, veteran):
    return {"veteran": veteran, "user": context["request"].user}
