"""Calendar helpers in the country's time zone. What time and what day it is comes from ``lib.clock``."""

from __future__ import annotations

import datetime as dt

from opennrm.lib.clock import local_tz, today

__all__ = ["age_on", "local_today", "local_tz"]

# Kept for the callers that still say so; it is the one clock's day.
local_today = today


def age_on(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
