"""The kinds of notification and how each is rendered.

A notification stores its kind and parameters, not text: the title is translated when it is shown,
in the reader's current language (or the default language for email). Parameters hold only codes,
organisation names, dates and status values. ``case`` is always filled from the notification's case
code, never from ``params``.

| kind                | params                      |
|---------------------|-----------------------------|
| referral_received   | org                         |
| referral_accepted   | org                         |
| referral_declined   | org                         |
| referral_overdue    | org                         |
| decision_issued     | outcome (see OUTCOMES)      |
| reflection_ending   | date (ISO YYYY-MM-DD)       |
| guardian_overdue    | date (ISO, the due date)    |
| age_assessment_due  | date (ISO, the due date)    |
| report_received     | —                           |
| task_assigned       | —                           |
| service_requested   | org (the requesting one)    |
| service_declined    | org (the provider)          |
| service_conditioned | org (the provider)          |
| protection_measure  | org (who recorded it)       |
| closure_requested   | —                           |
| placement_made      | org (who placed)            |
| residence_renewal_due | date (ISO, the permit's last day) |
| placement_bed_free  | —                           |
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, NamedTuple, Protocol

from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

from opennrm.lib.scripts import in_active_script

logger = logging.getLogger(__name__)


class Kind(NamedTuple):
    title: str  # msgid, translated at render time
    url_name: str = ""  # hint for clients: the page the notification is about


KINDS: dict[str, Kind] = {
    "referral_received": Kind(N_("New referral: case %(case)s from %(org)s"), "cases:detail"),
    "referral_accepted": Kind(N_("Referral accepted: case %(case)s — %(org)s accepted it"), "cases:detail"),
    "referral_declined": Kind(N_("Referral declined: case %(case)s — %(org)s declined it"), "cases:detail"),
    "referral_overdue": Kind(
        N_("Referral overdue: case %(case)s — %(org)s has not responded"), "cases:detail"
    ),
    "decision_issued": Kind(N_("Identification decision in case %(case)s: %(outcome)s"), "cases:detail"),
    "reflection_ending": Kind(
        N_("Recovery and reflection period in case %(case)s ends on %(date)s"), "cases:detail"
    ),
    "guardian_overdue": Kind(
        N_("No guardian has been appointed in case %(case)s; it was due on %(date)s"), "cases:detail"
    ),
    "age_assessment_due": Kind(N_("Age assessment in case %(case)s is due on %(date)s"), "cases:detail"),
    "report_received": Kind(N_("New report in the triage queue"), "intake:triage"),
    "task_assigned": Kind(N_("New task for your organisation in case %(case)s"), "cases:detail"),
    "service_requested": Kind(N_("New service request in case %(case)s from %(org)s"), "assistance:inbox"),
    "service_declined": Kind(N_("A service in case %(case)s was declined by %(org)s"), "cases:detail"),
    "residence_renewal_due": Kind(
        N_("Residence permit in case %(case)s expires on %(date)s: apply for its renewal"), "cases:detail"
    ),
    "placement_made": Kind(N_("New placement in your facility: case %(case)s, by %(org)s"), "cases:detail"),
    "placement_bed_free": Kind(
        N_("A bed is free in a facility where case %(case)s is first on the waiting list"), "cases:detail"
    ),
    "closure_requested": Kind(N_("Closure of case %(case)s awaits your review"), "cases:detail"),
    "protection_measure": Kind(
        N_("Your organisation is responsible for a protection measure in case %(case)s (%(org)s)"),
        "cases:detail",
    ),
    "service_conditioned": Kind(
        N_(
            "%(org)s refused a service in case %(case)s because the person does not cooperate with the authorities"
        ),
        "cases:detail",
    ),
}

GENERIC_TITLE = N_("Notification")

# Outcome codes of an identification decision and their labels.
OUTCOMES: dict[str, str] = {
    "identified": N_("identified as a victim"),
    "not_identified": N_("not identified"),
}

# Shown in place of the case code where the code must not appear (email leaves the system).
CASE_WITHHELD = N_("(see OpenNRM)")
MISSING = "—"


class _Renderable(Protocol):
    kind: str
    case_code: str
    params: Any


class _Params(dict):
    """A missing parameter renders as a dash instead of raising KeyError."""

    def __missing__(self, key: str) -> str:
        return MISSING


def _value(key: str, value: Any) -> str:
    if value is None or value == "":
        return MISSING
    if key == "outcome":
        return gettext(OUTCOMES[value]) if value in OUTCOMES else str(value)
    if key == "date":
        try:
            return date_format(dt.date.fromisoformat(str(value)[:10]), "SHORT_DATE_FORMAT")
        except ValueError:
            return str(value)
    if key == "org":
        return in_active_script(str(value))
    return str(value)


def render(notification: _Renderable, *, withhold_case: bool = False) -> str:
    """The title in the current language. ``withhold_case`` leaves the case code out (for email)."""
    kind = KINDS.get(notification.kind)
    if kind is None:
        return gettext(GENERIC_TITLE)
    raw = notification.params if isinstance(notification.params, dict) else {}
    params = _Params({str(k): _value(str(k), v) for k, v in raw.items()})
    if withhold_case:
        params["case"] = gettext(CASE_WITHHELD)
    else:
        params["case"] = notification.case_code or MISSING
    title = gettext(kind.title)
    try:
        return title % params
    except (TypeError, ValueError):
        # A broken translation must not break every page that shows the badge.
        logger.warning("notification title for %s does not format", notification.kind)
        return gettext(GENERIC_TITLE)
