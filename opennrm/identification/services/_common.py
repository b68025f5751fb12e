"""What the identification services share: input cleaning, the workflow's own status changes, and the
clock they read (one place, so the demo can replay history at the planned moments)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from opennrm.cases import services as case_services
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
    """``cases.services.clean_text`` with a minimum length (a decision's written reasons)."""
    value = case_services.clean_text(value, field, limit, required=required)
    if value and len(value) < minimum:
        raise DomainError(_("Write at least %(n)d characters.") % {"n": minimum}, field=field)
    return value


def clean_date(value: Any, field: str, *, default: dt.date | None = None) -> dt.date:
    """``cases.services.clean_date``, with a default for a blank value and no date in the future."""
    if isinstance(value, dt.datetime):
        value = value.date()
    parsed = case_services.clean_date(value, field)
    if parsed is None:
        if default is None:
            raise DomainError(_("This field is required."), field=field)
        return default
    if parsed > today():
        raise DomainError(_("The date cannot be in the future."), field=field)
    return parsed


clean_choice = case_services.clean_choice


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
