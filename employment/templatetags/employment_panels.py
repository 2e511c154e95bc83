"""The employment panel on a veteran's detail page: applications, placements, training, fairs, ventures."""

from django import template

from employment.selectors import veteran_employment_summary

register = template.Library()


@register.inclusion_tag("employment/_veteran_panel.html", takes_context=True)
def veteran_employment_panel(context, veteran):
    return {
        "veteran": veteran,
        "user": context["request"].user,
        "perms": context.get("perms"),
        **veteran_employment_summary(veteran),
    }
