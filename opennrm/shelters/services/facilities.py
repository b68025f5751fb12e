"""The register of facilities: capacity, who they take, licence."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from opennrm import policy
from opennrm.accounts.models import Organisation
from opennrm.accounts.roles import Perm
from opennrm.audit.services import audit_record
from opennrm.cases.models import ExploitationForm
from opennrm.core.locking import update_versioned
from opennrm.lib.clean import clean_choice, clean_date, clean_text
from opennrm.lib.errors import DomainError, PermissionDenied
from opennrm.shelters.models import (
    AcceptsSex,
    Facility,
    FacilityKind,
    FacilitySpecialisation,
)
from opennrm.shelters.services._common import (
    MAX_BEDS,
    RESERVED_CODES,
    clean_bool,
    clean_int,
)

FACILITY_FIELDS = (
    "name",
    "kind",
    "municipality",
    "beds_adults",
    "beds_children",
    "accepts_sex",
    "takes_adults",
    "takes_children",
    "min_age",
    "max_age",
    "licence_number",
    "licence_valid_from",
    "licence_valid_until",
    "is_open",
)


def _clean_facility(data: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """The facility's fields after applying ``data`` to ``current``, checked together."""
    unknown = set(data) - set(FACILITY_FIELDS) - {"specialisations"}
    if unknown:
        raise DomainError(_("Unknown field."), field=sorted(unknown)[0])
    v = {**current, **{k: data[k] for k in data if k in FACILITY_FIELDS}}
    out: dict[str, Any] = {
        "name": clean_text(v.get("name"), "name", 200, required=True),
        "kind": clean_choice(v.get("kind"), FacilityKind, "kind"),
        # The municipality, never a street address: where victims sleep is not stored.
        "municipality": clean_text(v.get("municipality"), "municipality", 120, required=True),
        "beds_adults": clean_int(v.get("beds_adults", 0), "beds_adults", low=0, high=MAX_BEDS),
        "beds_children": clean_int(v.get("beds_children", 0), "beds_children", low=0, high=MAX_BEDS),
        "accepts_sex": clean_choice(v.get("accepts_sex", AcceptsSex.ANY), AcceptsSex, "accepts_sex"),
        "takes_adults": clean_bool(v.get("takes_adults", True), "takes_adults"),
        "takes_children": clean_bool(v.get("takes_children", False), "takes_children"),
        "min_age": clean_int(v.get("min_age"), "min_age", low=0, high=120, required=False),
        "max_age": clean_int(v.get("max_age"), "max_age", low=0, high=120, required=False),
        "licence_number": clean_text(v.get("licence_number"), "licence_number", 60),
        "licence_valid_from": clean_date(v.get("licence_valid_from"), "licence_valid_from"),
        "licence_valid_until": clean_date(v.get("licence_valid_until"), "licence_valid_until"),
        "is_open": clean_bool(v.get("is_open", True), "is_open"),
    }
    if not out["takes_adults"] and not out["takes_children"]:
        raise DomainError(_("A facility takes adults, children or both."), field="takes_adults")
    if out["min_age"] is not None and out["max_age"] is not None and out["max_age"] < out["min_age"]:
        raise DomainError(_("The maximum age cannot be below the minimum age."), field="max_age")
    if out["licence_number"] and out["licence_valid_from"] is None:
        raise DomainError(_("Enter the date from which the licence is valid."), field="licence_valid_from")
    if (
        out["licence_valid_from"]
        and out["licence_valid_until"]
        and out["licence_valid_until"] < out["licence_valid_from"]
    ):
        raise DomainError(_("The end cannot be before the start."), field="licence_valid_until")
    if (out["licence_valid_from"] or out["licence_valid_until"]) and not out["licence_number"]:
        raise DomainError(_("Enter the licence number."), field="licence_number")
    return out


def _clean_specialisations(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple):
        raise DomainError(_("Choose one or more forms of exploitation."), field="specialisations")
    for form in value:
        clean_choice(form, ExploitationForm, "specialisations")
    return sorted(set(value))


def _set_specialisations(facility: Facility, forms: list[str]) -> None:
    facility.specialisations.exclude(form__in=forms).delete()
    have = set(facility.specialisations.values_list("form", flat=True))
    FacilitySpecialisation.objects.bulk_create(
        [FacilitySpecialisation(facility=facility, form=f) for f in forms if f not in have]
    )


@transaction.atomic
def facility_create(
    *, user: Any, code: str, data: dict[str, Any], operator: Organisation | None = None
) -> Facility:
    """Register a facility of the user's organisation (an administrator may name another operator)."""
    if operator is None or operator.pk == user.organisation_id:
        if not policy.has_perm(user, Perm.FACILITY_MANAGE) or not user.organisation_id:
            raise PermissionDenied()
        operator = Organisation.objects.get(pk=user.organisation_id)
    elif not policy.has_perm(user, Perm.ADMIN_ORGANISATIONS):
        raise PermissionDenied()
    code = clean_text(code, "code", 60, required=True).lower()
    if not all(c.isascii() and (c.isalnum() or c == "-") for c in code) or code in RESERVED_CODES:
        raise DomainError(_("Use lowercase letters, digits and hyphens only."), field="code")
    if Facility.objects.filter(code=code).exists():
        raise DomainError(_("A facility with this code already exists."), field="code")
    fields = _clean_facility(data, {})
    forms = _clean_specialisations(data.get("specialisations"))
    facility = Facility.objects.create(
        code=code, operator=operator, created_by=user, updated_by=user, **fields
    )
    _set_specialisations(facility, forms)
    audit_record(
        actor=user,
        action="create",
        object_type="facility",
        object_id=facility.code,
        detail={"operator": operator.code, "kind": facility.kind},
    )
    return facility


@transaction.atomic
def facility_update(
    *, user: Any, facility: Facility, expected_version: int, data: dict[str, Any]
) -> Facility:
    if not policy.can(user, policy.FACILITY_KEEP, facility):
        raise PermissionDenied()
    if "code" in data and data["code"] != facility.code:
        raise DomainError(_("The code of a facility cannot be changed."), field="code")
    data = {k: v for k, v in data.items() if k != "code"}
    current = {f: getattr(facility, f) for f in FACILITY_FIELDS}
    fields = _clean_facility(data, current)
    changed = {k: v for k, v in fields.items() if v != current[k]}
    update_versioned(facility, expected_version=expected_version, user=user, fields=changed)
    if "specialisations" in data:
        forms = _clean_specialisations(data["specialisations"])
        if set(forms) != set(facility.specialisations.values_list("form", flat=True)):
            _set_specialisations(facility, forms)
            changed["specialisations"] = forms
    audit_record(
        actor=user,
        action="update",
        object_type="facility",
        object_id=facility.code,
        detail={"fields": sorted(changed)},
    )
    return facility
