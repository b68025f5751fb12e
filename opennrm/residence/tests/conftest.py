from __future__ import annotations

import pytest

from opennrm.accounts.roles import RoleCode
from opennrm.cases.models import Case, CaseStatus
from opennrm.people.models import Person


@pytest.fixture
def manager(world):
    return world.users[RoleCode.CENTRE_CASE_MANAGER]


def make_foreign(case, citizenship: str = "AL", **person):
    Person.objects.filter(pk=case.person_id).update(citizenship=citizenship, **person)
    case.person.refresh_from_db()
    return case


@pytest.fixture
def case(world):
    """The world's own case: a presumed victim from Albania (the Centre is its identifying body)."""
    Case.objects.filter(pk=world.own_case.pk).update(status=CaseStatus.PRESUMED_VICTIM)
    world.own_case.refresh_from_db()
    return make_foreign(world.own_case)
