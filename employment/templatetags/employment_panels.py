"""The employment panel on a veteran's detail page (filled in by the employment app)."""

from django import template

register = template.Library()


@register.inclusion_tag("employment/_veteran_panel.html", takes_context=True)
def veteran_employment_panel(context, veteran):
    return {"veteran": veteran, "user": context["request"].user}
