"""Personas and facilities for the shelter tests (obviously fake data)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from opennrm.accounts.roles import RoleCode
from opennrm.lib import clock
from opennrm.shelters.models import Facility
from opennrm.testing import open_case


def make_facility(operator: Any, code: str = "safe-house", **kw: Any) -> Facility:
    today = clock.today()
    fields = {
        "name": "Safe House " + code,
        "kind": "ngo_shelter",
        "municipality": "Beograd",
        "beds_adults": 2,
        "beds_children": 1,
        "accepts_sex": "women",
        "takes_adults": True,
        "takes_children": False,
        "licence_number": "LIC-1",
        "licence_valid_from": today - dt.timedelta(days=365),
        "licence_valid_until": today + dt.timedelta(days=365),
        "is_open": True,
    }
    fields.update(kw)
    return Facility.objects.create(code=code, operator=operator, **fields)


@pytest.fixture
def manager(world):
    return world.users[RoleCode.CENTRE_CASE_MANAGER]


@pytest.fixture
def head(world):
    return world.users[RoleCode.CENTRE_HEAD]


@pytest.fixture
def reporter(world):
    return world.users[RoleCode.FIRST_LINE_REPORTER]


@pytest.fixture
def atina_house(world):
    """An NGO safe house for women run by Atina, which has no part in the own case yet."""
    return make_facility(world.orgs["atina"], "atina-house")


@pytest.fixture
def person(reporter):
    """Another adult woman's case, coordinated by the Centre."""
    return open_case(reporter, given="Ana", family="Primerović")
