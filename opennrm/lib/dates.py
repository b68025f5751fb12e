"""Dates in the country's time zone (Europe/Belgrade for Serbia)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def now() -> dt.datetime:
    return timezone.now()


def local_today() -> dt.date:
    return timezone.localtime(timezone.now(), local_tz()).date()


def age_on(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
