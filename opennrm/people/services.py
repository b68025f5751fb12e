"""Writes for persons and their encrypted identity."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opennrm import policy
from opennrm.accounts.roles import Perm
from opennrm.audit.services import audit_record
from opennrm.core import codes, crypto
from opennrm.core.locking import update_versioned
from opennrm.lib import clock
from opennrm.lib.errors import DomainError, NotFound
from opennrm.people.identity import clean_identity, lookup_digests
from opennrm.people.models import Disability, Person, PersonIdentity, PersonLookup, Sex, identity_aad

ATTRIBUTE_FIELDS = (
    "sex",
    "gender_identity",
    "birth_year",
    "age_estimate_min",
    "age_estimate_max",
    "age_disputed",
    "citizenship",
    "other_citizenships",
    "languages",
    "interpreter_needed",
    "disability",
)


def clean_attributes(data: dict[str, Any]) -> dict[str, Any]:
    today = clock.today()
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key not in ATTRIBUTE_FIELDS:
            raise DomainError(_("Unknown field."), field=key)
        out[key] = value
    if "sex" in out and out["sex"] not in Sex.values:
        raise DomainError(_("Choose one of the listed values."), field="sex")
    if "disability" in out and out["disability"] not in Disability.values:
        raise DomainError(_("Choose one of the listed values."), field="disability")
    if out.get("birth_year") is not None and (
        not isinstance(out["birth_year"], int) or not (today.year - 120 <= out["birth_year"] <= today.year)
    ):
        raise DomainError(
            _("Enter a year between %(a)d and %(b)d.") % {"a": today.year - 120, "b": today.year},
            field="birth_year",
        )
    for key in ("age_estimate_min", "age_estimate_max"):
        if out.get(key) is not None and (not isinstance(out[key], int) or not 0 <= out[key] <= 120):
            raise DomainError(_("Enter an age between 0 and 120."), field=key)
    low, high = out.get("age_estimate_min"), out.get("age_estimate_max")
    if low is not None and high is not None and low > high:
        raise DomainError(_("The lower age cannot be above the upper age."), field="age_estimate_max")
    for key in ("citizenship",):
        if out.get(key):
            code = str(out[key]).upper()
            if len(code) != 2 or not code.isalpha() or not code.isascii():
                raise DomainError(_("Enter a two-letter ISO country code."), field=key)
            out[key] = code
    for key in ("other_citizenships", "languages"):
        if key in out:
            value = out[key] or []
            if isinstance(value, str):
                value = [v.strip() for v in value.split(",") if v.strip()]
            if (
                not isinstance(value, list)
                or len(value) > 10
                or not all(isinstance(v, str) and 0 < len(v) <= 40 for v in value)
            ):
                raise DomainError(_("Enter at most 10 short values."), field=key)
            out[key] = [v.upper() if key == "other_citizenships" else v for v in value]
    return out


def _stored_identity(person: Person) -> dict[str, Any] | None:
    row = PersonIdentity.objects.filter(person=person).values("data_key_id", "ciphertext").first()
    if row is None:
        return None
    return crypto.decrypt(row["data_key_id"], row["ciphertext"], aad=identity_aad(person.code))


def _store_identity(person: Person, identity: dict[str, Any]) -> None:
    key_id, blob = crypto.encrypt(identity, aad=identity_aad(person.code))
    PersonIdentity.objects.update_or_create(
        person=person, defaults={"data_key_id": key_id, "ciphertext": blob}
    )
    PersonLookup.objects.filter(person=person).delete()
    PersonLookup.objects.bulk_create(
        [
            PersonLookup(person=person, kind=kind, digest=digest)
            for kind, digest in sorted(lookup_digests(identity))
        ]
    )


@transaction.atomic
def person_create(*, user: Any, attributes: dict[str, Any], identity: dict[str, Any]) -> Person:
    """Register a person: attributes in clear columns, identity encrypted. Callers check the policy."""
    attrs = clean_attributes(attributes)
    ident = clean_identity(identity, today=clock.today())
    person = Person(code=codes.next_code("person"), created_by=user, updated_by=user, **attrs)
    person.full_clean()
    person.save()
    _store_identity(person, ident)
    audit_record(
        actor=user,
        action="create",
        object_type="person",
        object_id=person.code,
        detail={"fields": sorted(k for k, v in ident.items() if v)},
    )
    return person


@transaction.atomic
def person_update(
    *,
    user: Any,
    person: Person,
    expected_version: int,
    attributes: dict[str, Any],
    identity: dict[str, Any] | None = None,
) -> Person:
    if not policy.can(user, Perm.IDENTITY_EDIT, person):
        raise NotFound()
    attrs = clean_attributes(attributes)
    update_versioned(person, expected_version=expected_version, user=user, fields=attrs)
    person.full_clean()
    changed = sorted(attrs)
    if identity is not None:
        ident = clean_identity(identity, today=clock.today())
        if not policy.may_see_whereabouts(user, person):
            # A user who sees "withheld" cannot have changed the address: keep the stored one.
            stored = _stored_identity(person) or {}
            for key in policy.WHEREABOUTS_FIELDS:
                ident[key] = stored.get(key, [])
        _store_identity(person, ident)
        changed += ["identity"]
    audit_record(
        actor=user, action="update", object_type="person", object_id=person.code, detail={"fields": changed}
    )
    return person


@transaction.atomic
def person_create_many(*, user: Any, rows: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[Person]:
    """Register many persons in one step (a group case): the cleaning of ``person_create`` for every row,
    then one code reservation, three bulk inserts and one audit entry, whatever the size of the group.

    Callers check the policy. A bad row raises DomainError with ``extra={"row": n}`` (1-based) before
    anything is written; callers that want every problem at once validate the rows first.
    """
    if not rows:
        return []
    today = clock.today()
    persons: list[Person] = []
    identities: list[dict[str, Any]] = []
    for number, (attributes, identity) in enumerate(rows, start=1):
        try:
            attrs = clean_attributes(attributes)
            ident = clean_identity(identity, today=today)
            person = Person(created_by_id=user.pk, updated_by_id=user.pk, **attrs)
            # The model's field rules without a query per row: the code comes from the sequence below
            # (unique by construction), the age-range constraint is checked by clean_attributes, and the
            # foreign keys are the acting user.
            person.full_clean(
                exclude=["code", "created_by", "updated_by"],
                validate_unique=False,
                validate_constraints=False,
            )
        except DomainError as exc:
            raise DomainError(exc.message, field=exc.field, extra={**exc.extra, "row": number}) from None
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise DomainError(messages[0], field=field, extra={"row": number}) from None
        persons.append(person)
        identities.append(ident)
    for person, code in zip(persons, codes.next_codes("person", len(persons)), strict=True):
        person.code = code
    Person.objects.bulk_create(persons)
    key = crypto.active_key()
    vault: list[PersonIdentity] = []
    lookups: list[PersonLookup] = []
    for person, ident in zip(persons, identities, strict=True):
        key_id, blob = crypto.encrypt(ident, aad=identity_aad(person.code), key=key)
        vault.append(PersonIdentity(person_id=person.pk, data_key_id=key_id, ciphertext=blob))
        lookups += [
            PersonLookup(person_id=person.pk, kind=kind, digest=digest)
            for kind, digest in sorted(lookup_digests(ident))
        ]
    PersonIdentity.objects.bulk_create(vault)
    PersonLookup.objects.bulk_create(lookups)
    audit_record(
        actor=user,
        action="create",
        object_type="person",
        object_id=persons[0].code,
        detail={"count": len(persons), "first": persons[0].code, "last": persons[-1].code},
    )
    return persons
