"""Deadlines in Europe/Belgrade: hours run on the clock, days on the local calendar, across month ends
and daylight-saving changes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from opennrm.core import deadlines
from opennrm.core.models import DeadlineRule

BELGRADE = ZoneInfo("Europe/Belgrade")


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BELGRADE)


def test_24_hours_are_24_real_hours_across_the_autumn_clock_change():
    # 25 October 2026: clocks go back at 03:00 CEST -> 02:00 CET.
    start = local(2026, 10, 24, 12, 0)
    due = deadlines.due_after(start, 24, "hours")
    assert due.astimezone(dt.UTC) - start.astimezone(dt.UTC) == dt.timedelta(hours=24)
    assert due.astimezone(BELGRADE).hour == 11  # the wall clock shows 11:00, not 12:00


def test_24_hours_across_the_spring_clock_change():
    start = local(2026, 3, 28, 12, 0)
    due = deadlines.due_after(start, 24, "hours").astimezone(BELGRADE)
    assert (due.day, due.hour) == (29, 13)


def test_days_end_at_the_end_of_the_local_day_across_a_month_end():
    start = local(2026, 1, 30, 9, 0)
    due = deadlines.due_after(start, 3, "days").astimezone(BELGRADE)
    assert (due.month, due.day, due.hour, due.minute) == (2, 2, 23, 59)


def test_a_late_evening_utc_instant_counts_from_the_belgrade_date():
    # 23:30 UTC on 31 March is already 1 April in Belgrade (CEST, UTC+2).
    start = dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC)
    due = deadlines.due_after(start, 1, "days").astimezone(BELGRADE)
    assert (due.month, due.day) == (4, 2)


def test_a_90_day_period_from_1_december_ends_on_28_february():
    assert deadlines.last_day(dt.date(2026, 12, 1), 90) == dt.date(2027, 2, 28)
    assert deadlines.last_day(dt.date(2027, 12, 1), 90) == dt.date(2028, 2, 28)  # 2028 is a leap year
    assert deadlines.last_day(dt.date(2026, 1, 31), 30) == dt.date(2026, 3, 1)


@pytest.mark.django_db
def test_rules_come_from_the_table_per_country_with_the_defaults_as_fallback():
    assert deadlines.rule("reflection_period").amount == 90
    assert deadlines.rule("reflection_period").minimum == 30
    DeadlineRule.objects.create(
        country="ME", code="reflection_period", amount=60, unit="days", minimum=30, legal_basis="x"
    )
    assert deadlines.rule("reflection_period", "ME").amount == 60
    assert deadlines.rule("referral_response", "ME").amount == 24  # default
    with pytest.raises(deadlines.UnknownDeadline):
        deadlines.rule("no_such_rule")


@pytest.mark.django_db
def test_the_table_refuses_a_length_below_the_treaty_minimum():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        DeadlineRule.objects.filter(country="RS", code="reflection_period").update(amount=29)
