"""Who is acting and from where, for the audit log, without passing the request into every service."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    ip: str = ""
    user_agent: str = ""
    channel: str = "system"  # web, api, cli, system


_DEFAULT = RequestInfo()
_current: contextvars.ContextVar[RequestInfo] = contextvars.ContextVar("opennrm_request", default=_DEFAULT)  # noqa: B039 - frozen


def current() -> RequestInfo:
    return _current.get()


def set_current(info: RequestInfo) -> contextvars.Token:
    return _current.set(info)


def reset(token: contextvars.Token) -> None:
    _current.reset(token)
