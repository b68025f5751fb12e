"""Errors raised by services. Views and the API translate them; nothing here knows about HTTP."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule of the NRM refused the operation. Nothing was written."""

    def __init__(self, message: str, *, field: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}

    def as_dict(self) -> dict[str, Any]:
        extra = dict(self.extra)
        if self.field:
            extra.setdefault("fields", {})[self.field] = [self.message]
        return {"message": str(self.message), "extra": extra}


class ConflictError(DomainError):
    """Optimistic locking: the record changed since the user loaded it."""


class NotFound(Exception):
    """The object does not exist *or* the user may not know that it exists. Always rendered as 404."""


class PermissionDenied(Exception):
    """The user may see the object but not do this to it."""
