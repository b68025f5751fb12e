from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from opennrm.lib import scripts

register = template.Library()


@register.filter
def script(value: Any) -> str:
    """Show Serbian text (organisation names, places) in the script of the active language."""
    text = "" if value is None else str(value)
    if (get_language() or "sr") == "sr":
        return scripts.to_cyrillic(text) if _serbian_latin(text) else text
    return scripts.to_latin(text)


def _serbian_latin(text: str) -> bool:
    # Only Latin Serbian text is turned into Cyrillic; codes (RS-2026-000123) and empty values stay as they are.
    return scripts.has_latin(text) and not scripts.has_cyrillic(text) and not any(ch.isdigit() for ch in text)


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
