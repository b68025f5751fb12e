"""Reads of persons. Every read of identity data asks the policy and leaves an audit entry."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from opennrm import policy
from opennrm.accounts.roles import Perm
from opennrm.audit.services import audit_record
from opennrm.core import crypto
from opennrm.lib.errors import NotFound
from opennrm.people.identity import search_digests
from opennrm.people.models import Person, PersonIdentity, PersonLookup, identity_aad


def person_get(*, user: Any, code: str) -> Person:
    person = policy.visible_persons(user).filter(code=code).first()
    if person is None:
        raise NotFound()
    return person


def identity_read(*, user: Any, person: Person, purpose: str = "view") -> dict[str, Any] | None:
    """Decrypt a person's identity for a user entitled to it, and audit the read."""
    if not policy.can(user, Perm.IDENTITY_VIEW, person):
        raise NotFound()
    row = PersonIdentity.objects.filter(person=person).values("data_key_id", "ciphertext").first()
    if row is None:
        return None
    identity = crypto.decrypt(row["data_key_id"], row["ciphertext"], aad=identity_aad(person.code))
    withheld = not policy.may_see_whereabouts(user, person)
    if withheld:
        identity = withhold_whereabouts(identity)
    audit_record(
        actor=user,
        action="read",
        object_type="person",
        object_id=person.code,
        detail={"fields": "identity", "purpose": purpose, "whereabouts_withheld": withheld},
    )
    return identity


def withhold_whereabouts(identity: dict[str, Any]) -> dict[str, Any]:
    """The identity with each whereabouts field replaced by one "withheld" entry (in the reader's
    language). Saving it back changes nothing: the services keep the stored values for such a user."""
    marker = gettext("withheld")
    return {k: ([marker] if k in policy.WHEREABOUTS_FIELDS and v else v) for k, v in identity.items()}


def identities_for_list(*, user: Any, persons: list[Person]) -> dict[int, dict[str, Any]]:
    """Names for a page of persons the user may see (one audit entry for the page)."""
    allowed = [p for p in persons if policy.has_perm(user, Perm.IDENTITY_VIEW)]
    if not allowed:
        return {}
    visible_ids = set(
        policy.visible_persons(user).filter(pk__in=[p.pk for p in allowed]).values_list("pk", flat=True)
    )
    rows = PersonIdentity.objects.filter(person_id__in=visible_ids).select_related("person")
    # Lists show names: whereabouts never leave this function.
    out = {
        r.person_id: {
            k: v
            for k, v in crypto.decrypt(r.data_key_id, r.ciphertext, aad=identity_aad(r.person.code)).items()
            if k not in policy.WHEREABOUTS_FIELDS
        }
        for r in rows
    }
    if out:
        audit_record(
            actor=user,
            action="read",
            object_type="person",
            object_id="",
            detail={"fields": "names", "persons": sorted(p.code for p in allowed if p.pk in out)},
        )
    return out


def person_ids_matching(query: str) -> set[int] | None:
    """Person ids whose identity matches every token of ``query`` exactly (keyed-hash lookup)."""
    digests = search_digests(query)
    if not digests:
        return None
    ids: set[int] | None = None
    for kind, digest in digests:
        matches = set(
            PersonLookup.objects.filter(kind=kind, digest=digest).values_list("person_id", flat=True)
        )
        ids = matches if ids is None else ids & matches
    return ids
