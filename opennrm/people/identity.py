"""The shape of identity data, and how it is validated and indexed for lookup."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils.translation import gettext as _

from opennrm.core.crypto import blind_index
from opennrm.lib import scripts
from opennrm.lib.errors import DomainError
from opennrm.people.models import LookupKind

MAX_TEXT = 200
NAME_RE = re.compile(r"^[^\W\d_]+(?:[ \-'’.][^\W\d_]+)*\.?$")


def _clean_name(value: Any, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise DomainError(_("Enter text."), field=field)
    value = " ".join(value.split())
    if len(value) > MAX_TEXT:
        raise DomainError(_("At most %(n)d characters.") % {"n": MAX_TEXT}, field=field)
    if value and not NAME_RE.match(value):
        raise DomainError(_("A name may contain letters, spaces, hyphens and apostrophes only."), field=field)
    if value and scripts.has_cyrillic(value) and scripts.has_latin(value):
        raise DomainError(
            _("This name mixes Cyrillic and Latin letters. Write it in one script."), field=field
        )
    return value


def _clean_list(value: Any, field: str, limit: int = 20) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [v for v in (x.strip() for x in value.splitlines()) if v]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DomainError(_("Enter a list of text values."), field=field)
    if len(value) > limit:
        raise DomainError(_("At most %(n)d entries.") % {"n": limit}, field=field)
    for v in value:
        if len(v) > MAX_TEXT:
            raise DomainError(_("At most %(n)d characters.") % {"n": MAX_TEXT}, field=field)
    return [" ".join(v.split()) for v in value]


def clean_identity(data: dict[str, Any], *, today: dt.date) -> dict[str, Any]:
    """Validate identity input. Raises DomainError naming the first bad field."""
    unknown = set(data) - {
        "given_names",
        "family_names",
        "aliases",
        "birth_date",
        "documents",
        "addresses",
        "contacts",
    }
    if unknown:
        raise DomainError(_("Unknown field."), field=sorted(unknown)[0])
    identity: dict[str, Any] = {
        "given_names": _clean_name(data.get("given_names"), "given_names"),
        "family_names": _clean_name(data.get("family_names"), "family_names"),
        "aliases": [_clean_name(a, "aliases") for a in _clean_list(data.get("aliases"), "aliases")],
        "birth_date": None,
        "documents": _clean_list(data.get("documents"), "documents"),
        "addresses": _clean_list(data.get("addresses"), "addresses"),
        "contacts": _clean_list(data.get("contacts"), "contacts"),
    }
    birth = data.get("birth_date")
    if birth not in (None, ""):
        if isinstance(birth, str):
            try:
                birth = dt.date.fromisoformat(birth)
            except ValueError:
                raise DomainError(_("Enter a real date as YYYY-MM-DD."), field="birth_date") from None
        if not isinstance(birth, dt.date):
            raise DomainError(_("Enter a real date as YYYY-MM-DD."), field="birth_date")
        if birth > today:
            raise DomainError(_("The date of birth cannot be in the future."), field="birth_date")
        if birth.year < today.year - 120:
            raise DomainError(_("The date of birth is more than 120 years ago."), field="birth_date")
        identity["birth_date"] = birth.isoformat()
    return identity


def lookup_digests(identity: dict[str, Any]) -> set[tuple[str, str]]:
    """(kind, keyed hash) pairs for exact-match search: each name token, the full name, the birth
    date and each document number, all normalised across scripts."""
    out: set[tuple[str, str]] = set()
    names = [identity.get("given_names", ""), identity.get("family_names", ""), *identity.get("aliases", [])]
    for name in names:
        for token in scripts.name_tokens(name or ""):
            out.add((LookupKind.NAME, blind_index(LookupKind.NAME, token)))
    full = scripts.fold(f"{identity.get('given_names', '')} {identity.get('family_names', '')}")
    if full:
        out.add((LookupKind.FULL_NAME, blind_index(LookupKind.FULL_NAME, full)))
    if identity.get("birth_date"):
        out.add((LookupKind.BIRTH_DATE, blind_index(LookupKind.BIRTH_DATE, identity["birth_date"])))
    for doc in identity.get("documents", []):
        number = re.sub(r"[^0-9A-Za-z]", "", scripts.to_latin(doc)).upper()
        if number:
            out.add((LookupKind.DOCUMENT, blind_index(LookupKind.DOCUMENT, number)))
    return out


def search_digests(query: str) -> list[tuple[str, str]]:
    """What to look up for a search box query: a date, a document number or name tokens."""
    query = query.strip()
    try:
        return [
            (
                LookupKind.BIRTH_DATE,
                blind_index(LookupKind.BIRTH_DATE, dt.date.fromisoformat(query).isoformat()),
            )
        ]
    except ValueError:
        pass
    tokens = scripts.name_tokens(query)
    digests: list[tuple[str, str]] = [(LookupKind.NAME, blind_index(LookupKind.NAME, t)) for t in tokens]
    number = re.sub(r"[^0-9A-Za-z]", "", scripts.to_latin(query)).upper()
    if number and any(ch.isdigit() for ch in number):
        digests = [(LookupKind.DOCUMENT, blind_index(LookupKind.DOCUMENT, number))]
    return digests
