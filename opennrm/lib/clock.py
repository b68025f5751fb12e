"""The one clock of OpenNRM: what time it is, and what day it is in the country's time zone.

Every service, selector and deadline reads the time here, so that one place decides it: the demo
replays history by setting the clock to a planned moment (``frozen``), and tests can do the same,
without patching module by module.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

_frozen: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar("opennrm_clock", default=None)


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def now() -> dt.datetime:
    """An aware datetime: the real time, or the moment the clock is frozen at."""
    return _frozen.get() or timezone.now()


def today() -> dt.date:
    """The calendar day in the country's time zone (Europe/Belgrade for Serbia)."""
    return timezone.localtime(now(), local_tz()).date()


@contextmanager
def frozen(when: dt.datetime) -> Iterator[None]:
    """Let the code inside believe it is ``when`` (replaying history; tests)."""
    if timezone.is_naive(when):
        raise ValueError("the clock is frozen at an aware datetime")
    token = _frozen.set(when)
    try:
        yield
    finally:
        _frozen.reset(token)
