"""The two things every list row shows — a date and a link to a case — at a fraction of the cost of the
generic template machinery, with the same output.

A home page shows about a hundred and twenty dates and as many case links. Django's ``date`` filter
builds a ``DateFormat`` and walks the format string character by character for each value (~20 µs),
and ``{% url %}`` resolves the URLconf for each row (~40 µs): a quarter of the page's rendering. Here
each format is compiled once per language into one ``str.format`` call, and the case page's path is
reversed once per script prefix. Written by hand because Django has no compiled form of either; the
tests compare both with Django's own output.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import formats, timezone
from django.utils.translation import get_language

# Format characters with a plain ``str.format`` equivalent (Django's meaning, see its ``date`` filter).
_FIELDS = {
    "d": "{0.day:02d}",
    "j": "{0.day}",
    "m": "{0.month:02d}",
    "n": "{0.month}",
    "Y": "{0.year:04d}",
    "y": "{1:02d}",  # year % 100, passed as the second argument
    "H": "{0.hour:02d}",
    "G": "{0.hour}",
    "i": "{0.minute:02d}",
    "s": "{0.second:02d}",
}
_TIME_FIELDS = frozenset("HGis")


def _compile(fmt: str) -> Callable[[dt.date], str] | None:
    """One ``str.format`` call for ``fmt``, or None when it uses a character not in ``_FIELDS`` (then
    Django formats it: e.g. English "P", "1 a.m.")."""
    out: list[str] = []
    escaped = False
    for ch in fmt:
        if escaped:
            out.append(ch.replace("{", "{{").replace("}", "}}"))
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in _FIELDS:
            out.append(_FIELDS[ch])
        elif ch.isalpha():
            return None
        else:
            out.append(ch.replace("{", "{{").replace("}", "}}"))
    template = "".join(out)
    return lambda value: template.format(value, value.year % 100)


@lru_cache(maxsize=64)
def _formatter(language: str | None, name: str) -> tuple[str, Callable[[dt.date], str] | None]:
    # Cached per language: get_format reads the active language's format module.
    fmt = formats.get_format(name)
    return fmt, _compile(fmt)


def _format(value: dt.date | dt.datetime | None, name: str) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        if settings.USE_TZ and timezone.is_aware(value):
            value = timezone.localtime(value)  # as the template engine converts a value for a filter
    elif not isinstance(value, dt.date):
        return ""
    fmt, fast = _formatter(get_language(), name)
    if fast is None or (not isinstance(value, dt.datetime) and _TIME_FIELDS.intersection(fmt)):
        # Django's own path (a date given a time format is its error to raise, as it raises it).
        return formats.date_format(value, name)
    return fast(value)


def short_date(value: dt.date | dt.datetime | None) -> str:
    """As ``value|date:"SHORT_DATE_FORMAT"``."""
    return _format(value, "SHORT_DATE_FORMAT")


def short_datetime(value: dt.date | dt.datetime | None) -> str:
    """As ``value|date:"SHORT_DATETIME_FORMAT"``."""
    return _format(value, "SHORT_DATETIME_FORMAT")


# The case page's URL: "cases:detail" takes one code (a ``str`` converter). Reversed once per URLconf
# and script prefix with a marker, then the code is put in its place, quoted as reverse() quotes it.
_MARKER = "OPENNRMCASECODE"
_SAFE = "!$&'()*+,;=/~:@"  # what reverse() leaves unquoted (RFC 3986 sub-delimiters and path chars)


@lru_cache(maxsize=16)
def _case_path_parts(urlconf: str | None, prefix: str) -> tuple[str, str]:
    path = reverse("cases:detail", args=[_MARKER], urlconf=urlconf)
    before, _, after = path.partition(_MARKER)
    return before, after


def case_path(code: str) -> str:
    """As ``{% url 'cases:detail' code %}``."""
    code = str(code)
    if not code or "/" in code:
        return reverse("cases:detail", args=[code])  # reverse() decides (and refuses) as it does
    before, after = _case_path_parts(get_urlconf(), get_script_prefix())
    return f"{before}{quote(code, safe=_SAFE)}{after}"
