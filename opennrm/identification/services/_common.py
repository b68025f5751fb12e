"""What the identification services share: input cleaning, the workflow's own status changes, and the
clock they read (one place, so the demo can replay history at the planned moments)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from opennrm.cases.models import Case
from opennrm.cases.services import timeline_add
from opennrm.core.locking import update_versioned
from opennrm.lib.dates import local_today
from opennrm.lib.errors import DomainError

MAX_TEXT = 20_000


def now() -> dt.datetime:
    return timezone.now()


def today() -> dt.date:
    return local_today()


def clean_text(value: Any, field: str, limit: int, *, required: bool = False, minimum: int = 0) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError(_("Enter text."), field=field)
    value = value.strip()
    if required and not value:
        raise DomainError(_("This field is required."), field=field)
    if value and len(value) < minimum:
        raise DomainError(_("Write at least %(n)d characters.") % {"n": minimum}, field=field)
    if len(value) > limit:
        raise DomainError(_("At most %(n)d characters.") % {"n": limit}, field=field)
    return value


def clean_date(value: Any, field: str, *, default: dt.date | None = None) -> dt.date:
    if value in (None, ""):
        if default is None:
            raise DomainError(_("This field is required."), field=field)
        return default
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value))
        except ValueError:
            raise DomainError(_("Enter a real date as YYYY-MM-DD."), field=field) from None
    if value > today():
        raise DomainError(_("The date cannot be in the future."), field=field)
    return value


def clean_choice(value: Any, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise DomainError(_("Choose one of the listed values."), field=field)
    return value


def set_status(*, user: Any, case: Case, status: str) -> None:
    """A status that follows from a step of the workflow (not a manual change): one versioned write."""
    if case.status == status:
        return
    old = case.status
    at = now()
    case.refresh_from_db(fields=["version", "status"])
    update_versioned(
        case,
        expected_version=case.version,
        user=user,
        fields={"status": status, "status_changed_at": at, "closed_at": None},
    )
    timeline_add(case=case, user=user, kind="status_changed", params={"old": old, "new": status})


def is_foreign_national(case: Case) -> bool:
    citizenship = (case.person.citizenship or "").upper()
    return bool(citizenship) and citizenship != settings.COUNTRY_CODE
