"""Organisations and staff by id, for display: names on pages, kept per process.

Every case page names a dozen organisations and a few members of staff. Joining them into every query
(``select_related``) made each query several times more expensive to build than to run; the directory
reads them once and lends the same objects to every row that points at them. It holds reference data
only (organisations, staff names and their organisation), never a person of concern.

Entries are refreshed after ``TTL`` seconds, and at once in the process that changes them
(``forget``); access decisions never read the directory, so a renamed organisation may show its old name
in another worker for at most ``TTL`` seconds and nothing else.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from django.db.models import ForeignKey, Model

TTL = 60.0

_orgs: dict[int, Any] = {}
_orgs_loaded = 0.0
_users: dict[int, tuple[float, Any]] = {}
_USER_FIELDS = ("id", "username", "first_name", "last_name", "organisation_id", "is_active")


def forget() -> None:
    """Drop every entry (an organisation or a user changed in this process)."""
    global _orgs_loaded
    _orgs.clear()
    _orgs_loaded = 0.0
    _users.clear()


def _load_organisations() -> None:
    from opennrm.accounts.models import Organisation

    global _orgs_loaded
    fresh = {o.pk: o for o in Organisation.objects.all()}
    _orgs.clear()
    _orgs.update(fresh)
    _orgs_loaded = time.monotonic()


def organisations(ids: Iterable[int | None]) -> dict[int, Any]:
    """The organisations of ``ids`` (all of them are read at once: there are a few hundred)."""
    wanted = {i for i in ids if i}
    if time.monotonic() - _orgs_loaded > TTL or not wanted <= _orgs.keys():
        _load_organisations()
    return {i: _orgs[i] for i in wanted if i in _orgs}


def organisation(pk: int | None) -> Any:
    return organisations([pk]).get(pk) if pk else None


def users(ids: Iterable[int | None]) -> dict[int, Any]:
    """Staff by id, with their name and organisation (the fields a page shows)."""
    from opennrm.accounts.models import User

    now = time.monotonic()
    wanted = {i for i in ids if i}
    missing = [i for i in wanted if i not in _users or now - _users[i][0] > TTL]
    if missing:
        for u in User.objects.filter(pk__in=missing).only(*_USER_FIELDS):
            _users[u.pk] = (now, u)
    found = {i: _users[i][1] for i in wanted if i in _users}
    orgs = organisations(u.organisation_id for u in found.values())
    for u in found.values():
        if u.organisation_id in orgs:
            _set_related(u, "organisation", orgs[u.organisation_id])
    return found


def _foreign_key(obj: Model, field_name: str) -> ForeignKey[Any, Any]:
    field = obj._meta.get_field(field_name)
    assert isinstance(field, ForeignKey), f"{field_name} is not a foreign key"
    return field


def _set_related(obj: Model, field_name: str, value: Any) -> None:
    """Put ``value`` where the foreign key's descriptor looks first, as select_related would."""
    _foreign_key(obj, field_name).set_cached_value(obj, value)


def attach(rows: Iterable[Model], **fields: str) -> None:
    """Lend directory entries to ``rows``: ``attach(referrals, from_organisation="organisation",
    responded_by="user")`` sets each foreign key's object without a query per row."""
    rows = list(rows)
    if not rows:
        return
    for field_name, kind in fields.items():
        attname = _foreign_key(rows[0], field_name).attname
        ids = [getattr(r, attname) for r in rows]
        found = organisations(ids) if kind == "organisation" else users(ids)
        for r, pk in zip(rows, ids, strict=True):
            if pk in found:
                _set_related(r, field_name, found[pk])
