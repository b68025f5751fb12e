from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from opennrm.audit.models import AuditEvent


def audit_events(
    *,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    case_code: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """Filtered audit entries, newest first. Callers check that the user may browse the audit trail."""
    qs = AuditEvent.objects.all()
    if actor:
        qs = qs.filter(actor_username__iexact=actor)
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if case_code:
        qs = qs.filter(case_code=case_code)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    return qs.order_by("-at", "-id")


def filters_from(data: dict[str, Any]) -> dict[str, Any]:
    return {
        k: data.get(k)
        for k in ("actor", "action", "object_type", "case_code", "date_from", "date_to")
        if data.get(k)
    }
