"""The case page and the case API cost a bounded number of SQL queries, however much the case holds and
whoever reads it (query counts are behaviour; timings belong to the benchmark)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opennrm.accounts.roles import RoleCode
from opennrm.testing import fill_case, login_verified, open_case

# Every role that opens cases; the coordinator, oversight and admin have no case page.
CASE_ROLES = [
    RoleCode.CENTRE_CASE_MANAGER,
    RoleCode.CENTRE_HEAD,
    RoleCode.SOCIAL_WORKER,
    RoleCode.POLICE_INVESTIGATOR,
    RoleCode.PROSECUTOR,
    RoleCode.LABOUR_INSPECTOR,
    RoleCode.NGO_CASE_WORKER,
    RoleCode.SHELTER_STAFF,
    RoleCode.FIRST_LINE_REPORTER,
]
# The most any role's case page may ask: session, user, the case with the access to it, the case sheet,
# the identity, the whereabouts gate, earlier cases of the person, the group's size, the header's
# notifications, and the audit entries of the request's reads appended together.
CASE_PAGE_MAX = 17
CASE_API_MAX = 9


def _count(client, path: str) -> tuple[int, int]:
    client.get(path)  # warm: caches of the process (directory of names, data key) are not the point
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    return response.status_code, len(ctx.captured_queries)


def _counts(client, world) -> dict[tuple[str, str], int]:
    out = {}
    code = world.own_case.code
    for role in CASE_ROLES:
        login_verified(client, world.users[role])
        for kind, path in (("page", f"/cases/{code}/"), ("api", f"/api/v1/cases/{code}/")):
            status, n = _count(client, path)
            assert status == 200, (role, path, status)
            out[(role, kind)] = n
    return out


# Transactional: the audit entries of a request's reads are batched outside a transaction, as in a real
# request, and not appended one by one as inside a test's transaction.
@pytest.mark.django_db(transaction=True)
def test_the_case_page_and_api_cost_the_same_queries_for_one_row_of_each_part_as_for_five(client, world):
    fill_case(world, n=1)
    small = _counts(client, world)
    fill_case(world, n=4)  # now five of every kind
    for _ in range(30):  # and the registry grows around the case
        open_case(world.users[RoleCode.FIRST_LINE_REPORTER], given="Other", family="Personović")
    large = _counts(client, world)
    assert large == small
    for (role, kind), n in large.items():
        assert n <= (CASE_PAGE_MAX if kind == "page" else CASE_API_MAX), (role, kind, n)
