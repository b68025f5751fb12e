"""Who is acting and from where, for the audit log, without passing the request into every service;
and a per-request memo so that repeated policy checks within one request cost one query."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RequestInfo:
    ip: str = ""
    user_agent: str = ""
    channel: str = "system"  # web, api, cli, system
    # Lives exactly as long as one request; None outside requests (commands, tests calling services).
    memo: dict[Any, Any] | None = field(default=None, compare=False)


_DEFAULT = RequestInfo()
_current: contextvars.ContextVar[RequestInfo] = contextvars.ContextVar("opennrm_request", default=_DEFAULT)  # noqa: B039 - frozen


def current() -> RequestInfo:
    return _current.get()


def memo() -> dict[Any, Any] | None:
    return _current.get().memo


def set_current(info: RequestInfo) -> contextvars.Token:
    return _current.set(info)


def reset(token: contextvars.Token) -> None:
    _current.reset(token)
