"""The renewal reminder's lead time: one rule of the per-country deadline table."""

from __future__ import annotations

from opennrm.core import deadlines
from opennrm.core.models import DeadlineUnit
from opennrm.residence.models import PermitDecision

REMINDER_RULE = "residence_renewal_reminder"
# The fallback for a country without its own row (this app's migration seeds Serbia's).
REMINDER_DEFAULT = deadlines.Rule(
    REMINDER_RULE,
    30,
    DeadlineUnit.DAYS,
    None,
    "CETS 197 Art. 14 (renewable permit); Law on Foreigners 2018: renewal applied for before expiry",
    "lead time set by practice; verify the renewal deadline in the official text",
)
# A renewal that is under way or granted means no reminder is needed.
OPEN_OR_GRANTED = (PermitDecision.PENDING, PermitDecision.GRANTED)


def reminder_rule() -> deadlines.Rule:
    try:
        return deadlines.rule(REMINDER_RULE)
    except deadlines.UnknownDeadline:
        return REMINDER_DEFAULT


def reminder_lead_days() -> int:
    rule = reminder_rule()
    # Configured in hours by mistake: round up to whole days, a permit expires on a day.
    return rule.amount if rule.unit == DeadlineUnit.DAYS else -(-rule.amount // 24)
