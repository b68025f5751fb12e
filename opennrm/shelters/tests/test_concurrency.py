"""Two staff place two people into the last free bed at the same moment: exactly one gets it.

Needs real concurrent transactions, so PostgreSQL only (SQLite serialises all writers anyway).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from opennrm.accounts.roles import RoleCode
from opennrm.lib.errors import DomainError
from opennrm.shelters import services
from opennrm.shelters.models import PlacementStatus
from opennrm.shelters.tests.conftest import make_facility
from opennrm.testing import build_world, open_case

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs real concurrent transactions (PostgreSQL)"
    ),
]


@pytest.mark.django_db(transaction=True)
def test_two_people_placed_into_the_last_free_bed_at_once_only_one_gets_it():
    world = build_world()
    reporter = world.users[RoleCode.FIRST_LINE_REPORTER]
    staff = [world.users[RoleCode.CENTRE_CASE_MANAGER], world.users[RoleCode.CENTRE_HEAD]]
    facility = make_facility(world.orgs["atina"], "last-bed", beds_adults=2)
    services.placement_place(user=staff[0], case=world.own_case, facility=facility)
    cases = [open_case(reporter, given="Ana"), open_case(reporter, given="Vera")]
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def place(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = services.placement_place(user=staff[i], case=cases[i], facility=facility)
        except DomainError as exc:
            results[i] = exc
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=place, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    placed = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(placed) == 1 and len(refused) == 1, results
    assert refused[0].field == "facility" and refused[0].extra["reasons"] == ["full_adults"]
    assert facility.placements.filter(status=PlacementStatus.PLACED).count() == facility.beds_adults
