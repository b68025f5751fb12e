"""Deadlines computed from the per-country rule table, in the country's time zone.

Two kinds of limit: hours run on the clock (24 hours after a referral is 24 real hours, whatever the
daylight-saving change in between); days run on the calendar of the country's time zone and end at
the end of the last local day (a 90-day period that starts on 1 December runs to 28 February).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from opennrm.core import request_context
from opennrm.core.models import DeadlineRule, DeadlineUnit
from opennrm.lib.dates import local_tz


@dataclass(frozen=True)
class Rule:
    code: str
    amount: int
    unit: str
    minimum: int | None
    legal_basis: str
    note: str = ""


# The seed of the rule table (copied into it by a migration) and the fallback for a country without
# its own row. Values marked "verify" come from secondary sources (see shared domain reference §2.3).
DEFAULTS: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule(
            "referral_response",
            24,
            DeadlineUnit.HOURS,
            None,
            "SOP 2019; TIP 2023: the Centre's panel assesses within 24 hours of referral",
            "practice, not statute",
        ),
        Rule(
            "reflection_period",
            90,
            DeadlineUnit.DAYS,
            30,
            "CETS 197 Art. 13 (at least 30 days); Law on Foreigners 2018, presumed-victim residence",
            "Serbia: 90 days, verify the article in the official text",
        ),
        Rule(
            "reflection_alert",
            14,
            DeadlineUnit.DAYS,
            None,
            "Alert before the recovery and reflection period ends (CETS 197 Art. 13)",
        ),
        Rule(
            "guardian_appointment",
            3,
            DeadlineUnit.DAYS,
            None,
            "CETS 197 Art. 10(4); Family Law (guardianship by the centre for social work)",
            "no statutory number found: configure per SOP",
        ),
        Rule(
            "age_assessment",
            30,
            DeadlineUnit.DAYS,
            None,
            "CETS 197 Art. 10(3): treated as a child until the age is verified",
            "configure per SOP",
        ),
        *(
            Rule(
                f"risk_reassessment_{level}",
                days,
                DeadlineUnit.DAYS,
                None,
                "CETS 197 Art. 12(2), 28: safety and protection needs kept under review",
                "OpenNRM default: configure per SOP",
            )
            for level, days in (("critical", 7), ("high", 14), ("medium", 30), ("low", 90))
        ),
    )
}


class UnknownDeadline(LookupError):
    pass


def rule(code: str, country: str | None = None) -> Rule:
    country = country or settings.COUNTRY_CODE
    rules = _table(country)
    if code in rules:
        return rules[code]
    if code in DEFAULTS:
        return DEFAULTS[code]
    raise UnknownDeadline(code)


def _table(country: str) -> dict[str, Rule]:
    """The country's deadline table: read once per request (a page asks for several deadlines, once per
    row), and afresh outside requests, where an operator may just have changed it."""
    memo = request_context.memo()
    key = ("deadlines", country)
    if memo is not None and key in memo:
        return memo[key]
    table = {
        row.code: Rule(row.code, row.amount, row.unit, row.minimum, row.legal_basis, row.note)
        for row in DeadlineRule.objects.filter(country=country)
    }
    if memo is not None:
        memo[key] = table
    return table


def end_of_local_day(day: dt.date) -> dt.datetime:
    """The last moment of a calendar day in the country's time zone, as an aware datetime."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=local_tz())


def due_after(start: dt.datetime, amount: int, unit: str) -> dt.datetime:
    if unit == DeadlineUnit.HOURS:
        # In UTC: Python adds a timedelta to a zoned datetime on the wall clock, which would make the
        # 24 hours across a clock change 23 or 25 real hours.
        return start.astimezone(dt.UTC) + dt.timedelta(hours=amount)
    local_day = timezone.localtime(start, local_tz()).date()
    return end_of_local_day(local_day + dt.timedelta(days=amount))


def due(code: str, start: dt.datetime, country: str | None = None) -> dt.datetime:
    r = rule(code, country)
    return due_after(start, r.amount, r.unit)


def last_day(starts_on: dt.date, days: int) -> dt.date:
    """A period of ``days`` calendar days that starts on ``starts_on`` (counted as day one)."""
    return starts_on + dt.timedelta(days=days - 1)


# --- Timed notices ---------------------------------------------------------------------------------

# The notices ``opennrm deadlines run`` sends, registered by the apps that own them (in their
# AppConfig.ready): label -> function returning how many it sent. A registry rather than imports, so
# the command does not reach up into the apps above it.
NOTICE_JOBS: dict[str, Any] = {}


def register_notice_job(label: str, job: Any) -> None:
    NOTICE_JOBS[label] = job
