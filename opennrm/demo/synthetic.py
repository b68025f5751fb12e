"""Synthetic persons: non-identifying attributes and an identity, consistent with each other.

Used by the demo (through the real services) and by the bulk generator. Serbian names are written
in Cyrillic about a third of the time and in Latin otherwise, as in real registers; foreign names
in Latin. Birth dates or age estimates always agree with the child flag on the registration date.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from opennrm.demo import data
from opennrm.lib import scripts

CYRILLIC_SHARE = 0.35


@dataclass
class SyntheticPerson:
    attributes: dict[str, Any]
    identity: dict[str, Any]
    age: int


def _replace_year(day: dt.date, year: int) -> dt.date:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February
        return day.replace(year=year, day=28)


def birth_date_for_age(rng: random.Random, age: int, on: dt.date) -> dt.date:
    """A birth date such that the person is exactly ``age`` on ``on``."""
    latest = _replace_year(on, on.year - age)
    earliest = _replace_year(on, on.year - age - 1) + dt.timedelta(days=1)
    return earliest + dt.timedelta(days=rng.randrange((latest - earliest).days + 1))


def pick_age(rng: random.Random, *, child: bool, category: str = "") -> int:
    if child:
        return rng.randint(8, 15) if category == "begging" else rng.randint(12, 17)
    if category == "labour":
        return rng.randint(20, 55)
    return rng.randint(18, 42)


def _serbian_name(rng: random.Random, sex: str) -> tuple[str, str]:
    given = rng.choice(data.SR_FEMALE if sex == "female" else data.SR_MALE)
    family = rng.choice(data.SR_FAMILY)
    if rng.random() < CYRILLIC_SHARE:
        return scripts.to_cyrillic(given), scripts.to_cyrillic(family)
    return given, family


def _foreign_name(rng: random.Random, country: str, sex: str) -> tuple[str, str]:
    names = data.FOREIGN[country]
    return rng.choice(names["female" if sex == "female" else "male"]), rng.choice(names["family"])


def make_person(
    rng: random.Random,
    *,
    citizenship: str,
    sex: str,
    child: bool,
    on: dt.date,
    category: str = "",
    city: str = "Beograd",
    age: int | None = None,
    documents_known: float | None = None,
) -> SyntheticPerson:
    """A person registered on ``on``; ``child`` is their status on that day."""
    age = age if age is not None else pick_age(rng, child=child, category=category)
    serbian = citizenship == "RS"
    if serbian:
        given, family = _serbian_name(rng, sex)
    else:
        given, family = _foreign_name(rng, citizenship, sex)
    cyrillic = scripts.has_cyrillic(given)

    identity: dict[str, Any] = {"given_names": given, "family_names": family}
    attributes: dict[str, Any] = {"sex": sex, "citizenship": citizenship}
    if serbian:
        attributes["languages"] = (
            ["sr", "rom"] if family in ("Bajramović", "Demirović", "Šaćirović") else ["sr"]
        )
    else:
        attributes["languages"] = list(data.FOREIGN[citizenship]["languages"])
        attributes["interpreter_needed"] = citizenship not in data.NO_INTERPRETER

    # Serbian citizens usually have a known birth date; foreign persons often arrive without documents.
    known = rng.random() < (documents_known if documents_known is not None else (0.8 if serbian else 0.4))
    if known:
        birth = birth_date_for_age(rng, age, on)
        identity["birth_date"] = birth.isoformat()
        attributes["birth_year"] = birth.year
        prefix = "LK" if serbian else "P"
        identity["documents"] = [f"{prefix} DEMO{rng.randrange(10**7):07d}"]
    elif child:
        # An estimate whose lower end is under 18: treated as a child until the age is verified.
        attributes["age_estimate_min"] = max(0, age - 1)
        attributes["age_estimate_max"] = age + 1
        attributes["age_disputed"] = rng.random() < 0.5
    else:
        attributes["age_estimate_min"] = max(18, age - 3)
        attributes["age_estimate_max"] = max(18, age - 3) + 6

    if serbian and not child and sex == "female" and category == "sexual" and rng.random() < 0.25:
        alias = rng.choice(data.SR_ALIASES)
        identity["aliases"] = [scripts.to_cyrillic(alias) if cyrillic else alias]
    if serbian and rng.random() < 0.35:
        address = f"{rng.choice(data.STREETS)} {rng.randint(1, 120)}, {city}"
        identity["addresses"] = [scripts.to_cyrillic(address) if cyrillic else address]
    if rng.random() < 0.25:
        identity["contacts"] = [f"+381 6{rng.randint(0, 6)} 555 {rng.randrange(10**4):04d}"]
    return SyntheticPerson(attributes=attributes, identity=identity, age=age)


def is_child_on(attributes: dict[str, Any], identity: dict[str, Any], on: dt.date) -> bool:
    """The child flag on the registration date, by the same rule as the intake service."""
    from opennrm.cases.services import presumed_child

    return presumed_child(
        birth_date=identity.get("birth_date"),
        birth_year=attributes.get("birth_year"),
        age_min=attributes.get("age_estimate_min"),
        age_max=attributes.get("age_estimate_max"),
        today=on,
    )
