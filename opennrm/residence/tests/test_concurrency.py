"""Two case workers record an application for the same person at the same moment: exactly one is
recorded, the other gets a clear error. The same for two renewals of one permit.

Needs real concurrent transactions, so PostgreSQL only (SQLite serialises all writers anyway).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from opennrm.accounts.roles import RoleCode
from opennrm.lib import clock
from opennrm.lib.errors import DomainError
from opennrm.people.models import Person
from opennrm.residence import services
from opennrm.residence.models import ResidencePermit
from opennrm.testing import build_world

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs real concurrent transactions (PostgreSQL)"
    ),
]


def _at_once(action: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(2)
    results: list[Any] = [None, None]

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = action(i)
        except Exception as exc:  # noqa: BLE001 - reported by the caller's assertion
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def _split(results: list[Any]) -> tuple[list[Any], list[DomainError]]:
    return (
        [r for r in results if isinstance(r, ResidencePermit)],
        [r for r in results if isinstance(r, DomainError)],
    )


@pytest.mark.django_db(transaction=True)
def test_two_applications_recorded_at_once_only_one_is_kept():
    world = build_world()
    case = world.own_case
    Person.objects.filter(pk=case.person_id).update(citizenship="AL")
    staff = [world.users[RoleCode.CENTRE_CASE_MANAGER], world.users[RoleCode.CENTRE_HEAD]]

    def apply(i: int) -> ResidencePermit:
        # Each thread loads the case itself, as two requests would.
        from opennrm.cases.models import Case

        return services.permit_apply(
            user=staff[i], case=Case.objects.get(pk=case.pk), ground="victim", applied_on=clock.today()
        )

    recorded, refused = _split(_at_once(apply))
    assert len(recorded) == 1 and len(refused) == 1, (recorded, refused)
    assert refused[0].field == "case"
    assert ResidencePermit.objects.filter(case=case).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_renewals_of_one_permit_recorded_at_once_only_one_is_kept():
    world = build_world()
    case = world.own_case
    Person.objects.filter(pk=case.person_id).update(citizenship="AL")
    case.person.refresh_from_db()
    staff = [world.users[RoleCode.CENTRE_CASE_MANAGER], world.users[RoleCode.CENTRE_HEAD]]
    today = clock.today()
    permit = services.permit_apply(
        user=staff[0], case=case, ground="victim", applied_on=today - dt.timedelta(days=30)
    )
    services.permit_decide(
        user=staff[0],
        permit=permit,
        decision="granted",
        decided_on=today - dt.timedelta(days=20),
        valid_from=today - dt.timedelta(days=20),
        valid_until=today + dt.timedelta(days=10),
        expected_version=1,
    )

    def renew(i: int) -> ResidencePermit:
        return services.permit_renew(
            user=staff[i],
            permit=ResidencePermit.objects.select_related("case").get(pk=permit.pk),
            applied_on=today,
        )

    recorded, refused = _split(_at_once(renew))
    assert len(recorded) == 1 and len(refused) == 1, (recorded, refused)
    assert refused[0].field in ("permit", "case")
    assert ResidencePermit.objects.filter(renewal_of=permit).count() == 1
