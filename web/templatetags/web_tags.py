from django import template
from django.utils.translation import gettext as _

from web.forms import category_name

register = template.Library()


@register.filter
def category(obj):
    """A vulnerability category's name in the interface language."""
    return category_name(obj)


@register.filter
def place(municipality):
    return municipality.display_name() if municipality else "—"


@register.filter
def role_label(user):
    return user.get_role_display()


@register.filter
def shown(value):
    """An audit value as text; empty values as a dash."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value
