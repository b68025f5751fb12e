"""Appending to the audit log. Every read, change and export of personal data calls ``audit_record``."""

from __future__ import annotations

import contextvars
import os
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from opennrm.audit.chain import GENESIS, compute_mac
from opennrm.audit.models import AuditEvent, AuditHead
from opennrm.core import request_context

MAX_STREAMS = 64
# Entries of reads made outside any transaction, collected during one request and appended together
# (one head lock, one INSERT) when the request ends. Writes never wait here: see audit_record.
_pending: contextvars.ContextVar[list[dict[str, Any]] | None] = contextvars.ContextVar(
    "opennrm_audit_pending", default=None
)


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
    """Record one entry.

    Inside a transaction the entry is appended in that transaction, so a rolled-back change leaves
    no entry claiming it happened (rejected attempts are recorded by callers after the rollback).
    Outside a transaction, during a request, the entry is appended with the request's other reads
    when the request ends — even if the request then fails."""
    info = request_context.current()
    user_id = (
        getattr(actor, "pk", None)
        if actor is not None and getattr(actor, "is_authenticated", False)
        else None
    )
    values: dict[str, Any] = {
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
    }
    pending = _pending.get()
    if pending is not None and not connection.in_atomic_block:
        pending.append(values)
        return AuditEvent(**values)
    return _append([values])[0]


def _append(entries: list[dict[str, Any]]) -> list[AuditEvent]:
    stream = _stream()
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(stream=stream)
        seq, mac = head.seq, head.mac or GENESIS
        events = []
        for values in entries:
            seq += 1
            chained = {**values, "stream": stream, "seq": seq, "prev_mac": mac}
            mac = compute_mac(chained)
            events.append(AuditEvent(**chained, mac=mac))
        AuditEvent.objects.bulk_create(events)
        head.seq, head.mac = seq, mac
        head.save(update_fields=["seq", "mac"])
    return events


@contextmanager
def audit_batch() -> Iterator[None]:
    """Collect the read entries of a block (a request) and append them together at its end."""
    token = _pending.set([])
    try:
        yield
    finally:
        entries = _pending.get() or []
        _pending.reset(token)
        if entries:
            _append(entries)
