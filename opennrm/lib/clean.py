"""Input cleaning shared by every service: one answer to "is this a valid text, date, choice?".

Services take input from forms, the API and imports alike, so they clean it themselves and raise one
``DomainError`` naming the field; the messages are the same everywhere.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from opennrm.lib import clock
from opennrm.lib.errors import DomainError

# The longest free text a service accepts (a decision's reasons, a procedure record).
MAX_TEXT = 20_000


def clean_choice(value: Any, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise DomainError(_("Choose one of the listed values."), field=field)
    return value


def clean_text(value: Any, field: str, limit: int, *, required: bool = False, minimum: int = 0) -> str:
    """Stripped text of at most ``limit`` characters (and at least ``minimum``, when given: a decision's
    written reasons)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError(_("Enter text."), field=field)
    value = value.strip()
    if required and not value:
        raise DomainError(_("This field is required."), field=field)
    if len(value) > limit:
        raise DomainError(_("At most %(n)d characters.") % {"n": limit}, field=field)
    if value and len(value) < minimum:
        raise DomainError(_("Write at least %(n)d characters.") % {"n": minimum}, field=field)
    return value


def clean_date(value: Any, field: str) -> dt.date | None:
    """A date, or None for a blank value."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(_("Enter a real date as YYYY-MM-DD."), field=field) from None


def clean_past_date(value: Any, field: str, *, default: dt.date | None = None) -> dt.date:
    """A date that has happened (today at the latest); ``default`` for a blank value, which is otherwise
    required."""
    parsed = clean_date(value, field)
    if parsed is None:
        if default is None:
            raise DomainError(_("This field is required."), field=field)
        return default
    if parsed > clock.today():
        raise DomainError(_("The date cannot be in the future."), field=field)
    return parsed
