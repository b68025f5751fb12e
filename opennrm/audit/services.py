"""Appending to the audit log. Every read, change and export of personal data calls ``audit_record``."""

from __future__ import annotations

import os
import threading
import zlib
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from opennrm.audit.chain import GENESIS, compute_mac
from opennrm.audit.models import AuditEvent, AuditHead
from opennrm.core import request_context

MAX_STREAMS = 64


def _stream() -> int:
    # One stream per (process, thread): a transaction never locks two heads, so appends cannot deadlock,
    # and concurrent requests in different workers rarely wait for each other.
    streams = max(1, min(int(settings.AUDIT_STREAMS), MAX_STREAMS))
    return zlib.crc32(f"{os.getpid()}-{threading.get_ident()}".encode()) % streams


def audit_record(
    *,
    actor: Any,
    action: str,
    object_type: str = "",
    object_id: Any = "",
    case_code: str = "",
    detail: dict[str, Any] | None = None,
    actor_username: str | None = None,
) -> AuditEvent:
    """Append one entry. Runs in the caller's transaction if there is one, so a rolled-back change
    leaves no entry claiming it happened; rejected attempts are recorded by callers after the rollback."""
    info = request_context.current()
    stream = _stream()
    user_id = (
        getattr(actor, "pk", None)
        if actor is not None and getattr(actor, "is_authenticated", False)
        else None
    )
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(stream=stream)
        values: dict[str, Any] = {
            "stream": stream,
            "seq": head.seq + 1,
            "at": timezone.now(),
            "actor_id": user_id,
            "actor_username": (
                actor_username if actor_username is not None else getattr(actor, "username", "") or ""
            )[:150],
            "actor_organisation_id": getattr(actor, "organisation_id", None) if user_id else None,
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id or "")[:64],
            "case_code": case_code or "",
            "channel": info.channel,
            "ip": info.ip,
            "detail": detail or {},
            "prev_mac": head.mac or GENESIS,
        }
        event = AuditEvent(**values, mac=compute_mac(values))
        event.save(force_insert=True)
        head.seq = event.seq
        head.mac = event.mac
        head.save(update_fields=["seq", "mac"])
    return event
