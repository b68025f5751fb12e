"""Who a facility may take: the refusal reasons of a placement, as data.

Pure functions over a facility, a case and the facility's current occupancy, shared by the services
(which refuse) and the selectors (which search for free beds), so both answer the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opennrm.cases.models import Case
from opennrm.core import deadlines
from opennrm.core.models import DeadlineUnit
from opennrm.lib.dates import local_tz
from opennrm.people.models import Sex
from opennrm.shelters.models import AcceptsSex, Facility, FacilityKind, OverrideRule

ADULT_AGE = 18

LICENCE_WARNING_RULE = "facility_licence_warning"
# The fallback for a country without its own row (this app's migration seeds Serbia's).
LICENCE_WARNING_DEFAULT = deadlines.Rule(
    LICENCE_WARNING_RULE,
    30,
    DeadlineUnit.DAYS,
    None,
    "Social Protection Law: a licensed accommodation service renews its licence before it lapses",
    "OpenNRM default: how early the register warns; set per country",
)

# Accommodation services of the three shelter kinds are licensed under the Social Protection Law;
# alternative accommodation (rented flats, hotels) is not, but a licence recorded for it must be valid.
LICENSED_KINDS = {FacilityKind.CENTRE_SHELTER, FacilityKind.NGO_SHELTER, FacilityKind.CSW_SHELTER}

# Reason code -> the rule a Centre head may set aside (None: cannot be overridden).
REASON_RULES: dict[str, str | None] = {
    "closed": None,
    "full_adults": OverrideRule.FULL,
    "full_children": OverrideRule.FULL,
    "unfit_sex": OverrideRule.UNFIT,
    "unfit_age": OverrideRule.UNFIT,
    "unfit_child": OverrideRule.UNFIT,
    "unfit_adult": OverrideRule.UNFIT,
    "licence": OverrideRule.LICENCE,
}


def reason_text(code: str) -> str:
    return {
        "closed": _("the facility is closed"),
        "full_adults": _("no free bed for an adult"),
        "full_children": _("not enough free beds for children"),
        "unfit_sex": _("it does not take persons of this sex"),
        "unfit_age": _("the person's age is outside the ages it takes"),
        "unfit_child": _("it does not take unaccompanied children"),
        "unfit_adult": _("it takes children only"),
        "licence": _("its licence is missing or not valid on that date"),
    }.get(code, code)


def reasons_text(codes: list[str]) -> str:
    return "; ".join(reason_text(c) for c in codes)


@dataclass(frozen=True)
class PersonFacts:
    """What the rules need about a person, from non-identifying columns only (never the vault)."""

    sex: str
    is_child: bool
    age_min: int | None
    age_max: int | None


def person_facts(case: Case, on: dt.date) -> PersonFacts:
    person = case.person
    age_min: int | None
    age_max: int | None
    if person.birth_year:
        years = on.year - person.birth_year
        age_min, age_max = max(years - 1, 0), max(years, 0)
    elif person.age_estimate_min is not None or person.age_estimate_max is not None:
        # The estimate was made at registration: the person has aged since.
        opened = timezone.localtime(case.opened_at, local_tz()).date()
        elapsed = max((on - opened).days // 365, 0)
        age_min = person.age_estimate_min + elapsed if person.age_estimate_min is not None else None
        age_max = person.age_estimate_max + elapsed if person.age_estimate_max is not None else None
    else:
        age_min = age_max = None
    # The case's flag is the decision (presumption or age assessment, CETS 197 Art. 10(3)); a recorded
    # year of birth only proves that a child has since come of age.
    is_child = case.is_child and not (person.birth_year and age_min is not None and age_min >= ADULT_AGE)
    return PersonFacts(sex=person.sex, is_child=is_child, age_min=age_min, age_max=age_max)


def licence_valid(facility: Facility, on: dt.date) -> bool:
    if not facility.licence_number:
        return facility.kind not in LICENSED_KINDS
    if facility.licence_valid_from is None or facility.licence_valid_from > on:
        return False
    return facility.licence_valid_until is None or facility.licence_valid_until >= on


def licence_valid_q(on: dt.date) -> Q:
    """The same rule as ``licence_valid`` as a filter on facilities."""
    recorded_and_valid = (
        ~Q(licence_number="")
        & Q(licence_valid_from__lte=on)
        & (Q(licence_valid_until__isnull=True) | Q(licence_valid_until__gte=on))
    )
    unlicensed_kind = Q(licence_number="") & ~Q(kind__in=sorted(LICENSED_KINDS))
    return recorded_and_valid | unlicensed_kind


def sex_accepted(accepts: str, sex: str) -> bool:
    if accepts == AcceptsSex.WOMEN:
        return sex == Sex.FEMALE
    if accepts == AcceptsSex.MEN:
        return sex == Sex.MALE
    return True


def check(
    *,
    facility: Facility,
    person: PersonFacts,
    accompanying_children: int,
    on: dt.date,
    adults_placed: int,
    children_placed: int,
) -> list[str]:
    """Every reason this facility cannot take this person now (empty: it can)."""
    reasons: list[str] = []
    if not facility.is_open:
        reasons.append("closed")
    if person.is_child:
        if children_placed + 1 + accompanying_children > facility.beds_children:
            reasons.append("full_children")
    else:
        if adults_placed + 1 > facility.beds_adults:
            reasons.append("full_adults")
        if accompanying_children and children_placed + accompanying_children > facility.beds_children:
            reasons.append("full_children")
    if not sex_accepted(facility.accepts_sex, person.sex):
        reasons.append("unfit_sex")
    if person.is_child and not facility.takes_children:
        reasons.append("unfit_child")
    if not person.is_child and not facility.takes_adults:
        reasons.append("unfit_adult")
    # An unknown age does not refuse: only a known age outside the limits does.
    if (
        facility.min_age is not None and person.age_max is not None and person.age_max < facility.min_age
    ) or (facility.max_age is not None and person.age_min is not None and person.age_min > facility.max_age):
        reasons.append("unfit_age")
    if not licence_valid(facility, on):
        reasons.append("licence")
    return reasons


def licence_warning_days() -> int:
    try:
        rule = deadlines.rule(LICENCE_WARNING_RULE)
    except deadlines.UnknownDeadline:
        rule = LICENCE_WARNING_DEFAULT
    return rule.amount if rule.unit == DeadlineUnit.DAYS else -(-rule.amount // 24)


def licence_state(facility: Facility, today: dt.date) -> str:
    """ "lapsed", "ending" (within the deadline table's warning days) or "" — a warning next to the
    facility."""
    if not licence_valid(facility, today):
        return "lapsed"
    until = facility.licence_valid_until
    if until is not None and until <= today + dt.timedelta(days=licence_warning_days()):
        return "ending"
    return ""
