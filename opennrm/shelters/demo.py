"""Demo facilities (synthetic, but shaped like Serbia's): called by the demo seeding after the
organisations exist. Idempotent: a facility whose code exists is left as it is.

Placements for demo cases go through the services like any other, for example::

    services.placement_place(user=centre_head_or_manager, case=case, facility=facility, placed_on=day)
    services.placement_wait(user=manager, case=case, facility=facility, requested_on=day)
    services.placement_exit(user=manager, placement=p, expected_version=p.version, ended_on=day,
                            destination="family")
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from opennrm.accounts.models import Organisation
from opennrm.cases.models import ExploitationForm
from opennrm.lib import clock
from opennrm.shelters.models import AcceptsSex, Facility, FacilityKind, FacilitySpecialisation


def _facilities(today: dt.date) -> list[dict[str, Any]]:
    year_start = today.replace(month=1, day=1)
    return [
        {
            "code": "prihvatiliste-czztlj",
            "operator": "centre-shelter",
            "name": "Prihvatilište za urgentni smeštaj žrtava trgovine ljudima",
            "kind": FacilityKind.CENTRE_SHELTER,
            "municipality": "Beograd",
            "beds_adults": 6,
            "beds_children": 3,
            "accepts_sex": AcceptsSex.WOMEN,
            "takes_adults": True,
            "takes_children": False,
            "licence_number": "LIC-SZ-2024-017",
            "licence_valid_from": year_start - dt.timedelta(days=365),
            "licence_valid_until": year_start + dt.timedelta(days=3 * 365),
            "forms": [ExploitationForm.SEXUAL, ExploitationForm.LABOUR, ExploitationForm.FORCED_MARRIAGE],
        },
        {
            "code": "sigurna-kuca-atina",
            "operator": "atina",
            "name": "Sigurna kuća Udruženja Atina",
            "kind": FacilityKind.NGO_SHELTER,
            "municipality": "Beograd",
            "beds_adults": 8,
            "beds_children": 4,
            "accepts_sex": AcceptsSex.WOMEN,
            "takes_adults": True,
            "takes_children": True,
            "min_age": 14,
            "licence_number": "LIC-SZ-2023-104",
            "licence_valid_from": year_start - dt.timedelta(days=2 * 365),
            # Ends within the month, so the warning shows.
            "licence_valid_until": today + dt.timedelta(days=20),
            "forms": [ExploitationForm.SEXUAL, ExploitationForm.FORCED_MARRIAGE],
        },
        {
            "code": "prihvatiliste-deca-ns",
            "operator": "csw-ns",
            "name": "Prihvatilište za decu i mlade Novi Sad",
            "kind": FacilityKind.CSW_SHELTER,
            "municipality": "Novi Sad",
            "beds_adults": 0,
            "beds_children": 10,
            "accepts_sex": AcceptsSex.ANY,
            "takes_adults": False,
            "takes_children": True,
            "max_age": 17,
            "licence_number": "LIC-SZ-2022-051",
            "licence_valid_from": year_start - dt.timedelta(days=3 * 365),
            "licence_valid_until": None,
            "forms": [ExploitationForm.BEGGING, ExploitationForm.CRIMINALITY],
        },
        {
            "code": "alternativni-smestaj-bg",
            "operator": "astra",
            "name": "Alternativni smeštaj za muškarce Beograd",
            "kind": FacilityKind.ALTERNATIVE,
            "municipality": "Beograd",
            "beds_adults": 4,
            "beds_children": 0,
            "accepts_sex": AcceptsSex.MEN,
            "takes_adults": True,
            "takes_children": False,
            "licence_number": "",
            "forms": [ExploitationForm.LABOUR, ExploitationForm.FORCED_LABOUR],
        },
    ]


@transaction.atomic
def seed_facilities(today: dt.date | None = None) -> list[Facility]:
    """Create the demo facilities whose operators exist; return all of them."""
    out = []
    for spec in _facilities(today or clock.today()):
        spec = dict(spec)
        forms = spec.pop("forms")
        operator = Organisation.objects.filter(code=spec.pop("operator")).first()
        if operator is None:
            continue
        facility, created = Facility.objects.get_or_create(
            code=spec.pop("code"), defaults={**spec, "operator": operator}
        )
        if created:
            FacilitySpecialisation.objects.bulk_create(
                [FacilitySpecialisation(facility=facility, form=f) for f in forms]
            )
        out.append(facility)
    return out
