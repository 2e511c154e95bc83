"""The honors panel on a veteran's detail page (filled in by the honors app)."""

from django import template

register = template.Library()


@register.inclusion_tag("honors/_veteran_panel.html", takes_context=True)
def veteran_honors_panel(context, veteran):
    return {"veteran": veteran, "user": context["request"].user}
