"""Limits and input cleaning shared by the shelter services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from opennrm.lib import clock
from opennrm.lib.clean import clean_date
from opennrm.lib.errors import DomainError

# Written reasons of an override: a sentence, not "ok".
MIN_OVERRIDE_REASON = 20
MAX_OVERRIDE_REASON = 2000
MAX_BEDS = 500
MAX_ACCOMPANYING = 10
# Codes that would collide with the pages under /facilities/.
RESERVED_CODES = {"new", "occupancy"}

TIMELINE_KINDS = (
    "placement_waiting",
    "placement_wait_withdrawn",
    "placement_made",
    "placement_moved",
    "placement_ended",
    "placement_bed_free",
)


# ---- input cleaning -------------------------------------------------------------------------------


def clean_int(value: Any, field: str, *, low: int, high: int, required: bool = True) -> int | None:
    if value in (None, ""):
        if required:
            raise DomainError(_("This field is required."), field=field)
        return None
    if isinstance(value, bool):
        raise DomainError(_("Enter a whole number."), field=field)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise DomainError(_("Enter a whole number."), field=field) from None
    if number != value and str(number) != str(value).strip():
        raise DomainError(_("Enter a whole number."), field=field)
    if not low <= number <= high:
        raise DomainError(
            _("Enter a number from %(low)d to %(high)d.") % {"low": low, "high": high}, field=field
        )
    return number


def clean_bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise DomainError(_("Choose yes or no."), field=field)
    return value


def clean_day(value: Any, field: str, *, default: dt.date | None = None) -> dt.date:
    """A date that has happened (today at the latest)."""
    day = clean_date(value, field) or default
    if day is None:
        raise DomainError(_("This field is required."), field=field)
    if isinstance(day, dt.datetime):
        day = day.date()
    if day > clock.today():
        raise DomainError(_("The date cannot be in the future."), field=field)
    return day
