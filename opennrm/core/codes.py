"""Pseudonymous codes: RS-2026-000123 for persons, RS-C-2026-000045 for cases, RS-I-2026-000007 for incidents."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from opennrm.core.models import CodeSequence
from opennrm.lib import clock


def next_codes(kind: str, count: int = 1, *, year: int | None = None) -> list[str]:
    """Reserve ``count`` consecutive codes. The row lock makes concurrent reservations disjoint."""
    year = year or clock.today().year
    prefix = settings.COUNTRY_CODE + ({"person": "", "case": "-C", "incident": "-I"}[kind])
    with transaction.atomic():
        seq, _ = CodeSequence.objects.select_for_update().get_or_create(prefix=prefix, year=year)
        first = seq.last + 1
        seq.last += count
        seq.save(update_fields=["last"])
    return [f"{prefix}-{year}-{n:06d}" for n in range(first, first + count)]


def next_code(kind: str, *, year: int | None = None) -> str:
    return next_codes(kind, 1, year=year)[0]
