from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext

from opennrm.core import display
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


@register.simple_tag
def on_demand(url: str, label: str, param: str = "", value: Any = "", open: bool = False) -> str:
    """An action's form, fetched from its own URL when the section is opened (htmx), or followed as a
    link without JavaScript (cases.views.case_form). A tag, not an include: a case page has dozens."""
    href = f"{url}?{urlencode({param: value})}" if param else url
    return format_html(
        '<details class="on-demand"{} hx-get="{}" hx-trigger="{}" hx-target="find .slot" hx-swap="innerHTML">'
        '<summary>{}</summary><div class="slot"><a href="{}">{}</a></div></details>',
        " open" if open else "",
        href,
        "load" if open else "toggle once",
        label,
        href,
        gettext("Open the form"),
    )


# Dates and case links: the rows of every list. Same output as `|date:"SHORT_DATE_FORMAT"`,
# `|date:"SHORT_DATETIME_FORMAT"` and `{% url 'cases:detail' code %}`, at a fraction of the cost
# (see core.display).
register.filter("short_date", display.short_date, is_safe=False)
register.filter("short_datetime", display.short_datetime, is_safe=False)
register.filter("case_url", display.case_path, is_safe=False)


@register.filter
def case_link(code: Any) -> str:
    """``<a href="{% url 'cases:detail' code %}">{{ code }}</a>``."""
    return format_html('<a href="{}">{}</a>', display.case_path(code), code)
