"""The honors panel on a veteran's detail page: the veteran's (and household's) awards and nominations."""

from django import template

from honors import selectors

register = template.Library()


@register.inclusion_tag("honors/_veteran_panel.html", takes_context=True)
def veteran_honors_panel(context, veteran):
    user = context["request"].user
    data = selectors.veteran_honors(user=user, veteran=veteran)
    return {"veteran": veteran, "user": user, "can_view": user.has_perm("honors.view_nomination"), **data}
