"""HMAC chaining of audit entries. The key comes from settings.AUDIT_KEY, never from the database."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
from typing import Any

from django.conf import settings

GENESIS = "0" * 64
CHAINED_FIELDS = (
    "stream",
    "seq",
    "at",
    "actor_id",
    "actor_username",
    "actor_organisation_id",
    "action",
    "object_type",
    "object_id",
    "case_code",
    "channel",
    "ip",
    "detail",
    "prev_mac",
)


def _key() -> bytes:
    raw = settings.AUDIT_KEY
    try:
        return base64.urlsafe_b64decode(raw)
    except (ValueError, TypeError):
        return raw.encode()


def canonical(values: dict[str, Any]) -> bytes:
    def norm(v: Any) -> Any:
        if isinstance(v, datetime.datetime):
            return v.astimezone(datetime.UTC).isoformat(timespec="microseconds")
        return v

    return json.dumps(
        {k: norm(values[k]) for k in CHAINED_FIELDS},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def compute_mac(values: dict[str, Any]) -> str:
    return hmac.new(_key(), canonical(values), hashlib.sha256).hexdigest()
