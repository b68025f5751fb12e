"""The generator's facilities: about forty, over the organisations that run shelters, created once."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

from opennrm.accounts.models import Organisation, OrganisationType
from opennrm.cases.models import ExploitationForm
from opennrm.demo import data
from opennrm.shelters import rules
from opennrm.shelters.models import AcceptsSex, Facility, FacilityKind, FacilitySpecialisation

FACILITY_PREFIX = "gen-facility-"
FACILITIES = 40
FACILITY_SEED = 40  # the same facilities whatever the run's seed, so a top-up finds them
# Operator type -> (weight, kinds it runs with their weights). Shelter organisations run the Centre's
# shelter; the Centre itself and international organisations rent alternative accommodation.
FACILITY_OPERATORS: dict[str, tuple[int, tuple[tuple[str, int], ...]]] = {
    OrganisationType.SOCIAL_WORK_CENTRE: (45, ((FacilityKind.CSW_SHELTER, 8), (FacilityKind.ALTERNATIVE, 2))),
    OrganisationType.NGO: (30, ((FacilityKind.NGO_SHELTER, 7), (FacilityKind.ALTERNATIVE, 3))),
    OrganisationType.SHELTER: (4, ((FacilityKind.CENTRE_SHELTER, 1),)),
    OrganisationType.INTERNATIONAL_ORGANISATION: (8, ((FacilityKind.ALTERNATIVE, 1),)),
    OrganisationType.CENTRE: (7, ((FacilityKind.ALTERNATIVE, 1),)),
}
FACILITY_NAMES = {
    FacilityKind.CENTRE_SHELTER: "Prihvatilište za urgentni smeštaj",
    FacilityKind.NGO_SHELTER: "Sigurna kuća",
    FacilityKind.CSW_SHELTER: "Prihvatilište centra za socijalni rad",
    FacilityKind.ALTERNATIVE: "Alternativni smeštaj",
}
SPECIALISATIONS = [f for f in ExploitationForm.values if f != ExploitationForm.UNKNOWN]


def facilities_ensure(*, today: dt.date) -> list[Facility]:
    """Create the generator's facilities that are missing (by code), in bulk; return every facility.

    Capacities 4-20 adults and 0-10 children, some taking unaccompanied children, some for women or
    for men only, specialisations, licences: most valid, some ending within a month, some lapsed or
    missing, a few facilities closed. Drawn from a fixed seed, so every run asks for the same ones."""
    rng = random.Random(FACILITY_SEED)
    by_type: dict[str, list[Organisation]] = defaultdict(list)
    for org in Organisation.objects.filter(is_active=True, type__in=list(FACILITY_OPERATORS)).order_by("id"):
        by_type[org.type].append(org)
    types = [t for t in FACILITY_OPERATORS if by_type.get(t)]
    existing = set(Facility.objects.filter(code__startswith=FACILITY_PREFIX).values_list("code", flat=True))
    new, forms = [], []
    for n in range(1, FACILITIES + 1):
        if not types:
            break
        type_ = rng.choices(types, weights=[FACILITY_OPERATORS[t][0] for t in types])[0]
        operator = rng.choice(by_type[type_])
        kinds = FACILITY_OPERATORS[type_][1]
        kind = rng.choices([k for k, _w in kinds], weights=[w for _k, w in kinds])[0]
        municipality = operator.city or rng.choice(list(data.MUNICIPALITIES))
        takes_children = kind != FacilityKind.ALTERNATIVE and rng.random() < 0.3
        beds_children = rng.randint(4, 10) if takes_children else rng.choice((0, 0, 1, 2, 3, 4, 6))
        accepts = rng.choices([AcceptsSex.WOMEN, AcceptsSex.MEN, AcceptsSex.ANY], weights=(50, 20, 30))[0]
        licensed = kind in rules.LICENSED_KINDS or rng.random() < 0.3
        r = rng.random()
        if not licensed or r < 0.04:
            licence: dict[str, Any] = {"licence_number": ""}  # missing: a licensed kind cannot take anyone
        else:
            until: dt.date | None = today + dt.timedelta(days=rng.randint(31, 1500))
            if r < 0.12:
                until = today - dt.timedelta(days=rng.randint(1, 200))  # lapsed
            elif r < 0.2:
                until = today + dt.timedelta(days=rng.randint(1, 29))  # ending within the month
            elif r < 0.45:
                until = None  # without an end
            licence = {
                "licence_number": f"LIC-SZ-GEN-{n:03d}",
                "licence_valid_from": today - dt.timedelta(days=rng.randint(400, 2500)),
                "licence_valid_until": until,
            }
        code = f"{FACILITY_PREFIX}{n:02d}"
        # Drawn before the check below so that every facility gets the same draws in every run.
        specialisations = rng.sample(SPECIALISATIONS, rng.choices((1, 2, 3), weights=(3, 4, 3))[0])
        beds_adults = rng.randint(4, 20)
        min_age = rng.choice((14, 16, 18)) if not takes_children and rng.random() < 0.25 else None
        is_open = rng.random() > 0.05
        if code in existing:
            continue
        facility = Facility(
            code=code,
            name=f"{FACILITY_NAMES[kind]} {municipality} {n}",
            kind=kind,
            operator=operator,
            municipality=municipality,
            beds_adults=beds_adults,
            beds_children=beds_children,
            accepts_sex=accepts,
            takes_adults=True,
            takes_children=takes_children,
            min_age=min_age,
            is_open=is_open,
            **licence,
        )
        new.append(facility)
        forms += [FacilitySpecialisation(facility=facility, form=f) for f in sorted(specialisations)]
    Facility.objects.bulk_create(new)
    FacilitySpecialisation.objects.bulk_create(forms)
    return list(Facility.objects.select_related("operator").order_by("id"))
