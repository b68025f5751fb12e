from __future__ import annotations

from typing import Any

from django import template

from opennrm.lib.scripts import in_active_script

register = template.Library()


@register.filter
def script(value: Any) -> str:
    """Show Serbian text (organisation names, places) in the script of the active language."""
    return in_active_script(value)


@register.filter
def get_item(mapping: dict, key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.simple_tag(takes_context=True)
def query_with(context: dict, **changes: Any) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return params.urlencode()
