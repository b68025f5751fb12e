"""Every role's home page, the case list, the referral inbox, the free-bed search and the provider inbox
cost a bounded number of SQL queries however many cases the registry holds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opennrm.accounts.roles import RoleCode
from opennrm.lib import clock
from opennrm.testing import fill_case, login_verified, open_case

# The pages each role works from (the coordinator, oversight and administration have entry pages only).
PAGES = ["/", "/cases/", "/referrals/", "/services/", "/api/v1/referrals/inbox/", "/api/v1/services/inbox/"]
FACILITY_PAGES = [
    "/facilities/?sex=female&children=1&specialisation=",
    "/api/v1/facilities/?sex=female&children=1",
]
FACILITY_ROLES = {RoleCode.CENTRE_CASE_MANAGER, RoleCode.CENTRE_HEAD, RoleCode.SHELTER_STAFF}
HOME_MAX = 24
LIST_MAX = 14


def _grow(world, n: int) -> None:
    """More cases around the personas' own: reported by the school, referred to the Centre, each with a
    task, services for Astra and a full set of parts."""
    reporter = world.users[RoleCode.FIRST_LINE_REPORTER]
    for i in range(n):
        given = "Grow" + "".join(chr(ord("a") + int(d)) for d in str(len(world.orgs) * 1000 + i))
        case = open_case(reporter, given=given, family="Personović")
        if i % 5 == 0:
            fill_case(world, case=case, n=1)


def _due(world) -> None:
    """Make every list of the home pages show rows: the filled parts fall due, and a grown case's person
    is the person of an earlier case (possible re-trafficking)."""
    from opennrm.assistance.models import FollowUp
    from opennrm.cases.models import Case, Involvement, InvolvementRole
    from opennrm.identification.models import Referral
    from opennrm.protection.models import RiskAssessment
    from opennrm.residence.models import ResidencePermit

    now, today = clock.now(), clock.today()
    Referral.objects.filter(status="pending").update(due_at=now - dt.timedelta(hours=1))
    FollowUp.objects.filter(done_on__isnull=True).update(due_on=today - dt.timedelta(days=1))
    RiskAssessment.objects.filter(is_current=True).update(reassess_by=today - dt.timedelta(days=1))
    ResidencePermit.objects.filter(decision="granted").update(valid_until=today + dt.timedelta(days=5))
    later = Case.objects.exclude(pk=world.own_case.pk).order_by("-id").first()
    Case.objects.filter(pk=later.pk).update(person_id=world.own_case.person_id)
    Involvement.objects.get_or_create(
        case=later, organisation=world.orgs["centre"], role=InvolvementRole.CASE_COORDINATION
    )


def _counts(client, world) -> dict[tuple[str, str], int]:
    out = {}
    for role in RoleCode.values:
        login_verified(client, world.users[role])
        pages = (
            ["/"]
            if role in (RoleCode.NATIONAL_COORDINATOR, RoleCode.OVERSIGHT_INSPECTOR, RoleCode.SYSTEM_ADMIN)
            else PAGES
        )
        for path in [*pages, *(FACILITY_PAGES if role in FACILITY_ROLES else [])]:
            client.get(path)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path)
            assert response.status_code == 200, (role, path, response.status_code)
            out[(role, path)] = len(ctx.captured_queries)
    return out


# Transactional: the audit entries of a request's reads are batched as outside tests.
@pytest.mark.django_db(transaction=True)
def test_home_pages_lists_and_inboxes_cost_the_same_queries_in_a_larger_registry(client, world):
    fill_case(world, n=1)
    _grow(world, 3)
    _due(world)
    small = _counts(client, world)
    _grow(world, 30)
    _due(world)
    large = _counts(client, world)
    assert large == small
    for (role, path), n in large.items():
        assert n <= (HOME_MAX if path == "/" else LIST_MAX), (role, path, n)


@pytest.mark.django_db(transaction=True)
def test_the_growth_above_fills_every_list_of_the_head_s_home_page(client, world):
    # The counts above guard against a query per row (a column a list shows and its query does not
    # read) only if every list has rows: the head's page shows all of them.
    fill_case(world, n=1)
    _grow(world, 3)
    _due(world)
    login_verified(client, world.users[RoleCode.CENTRE_HEAD])
    context = client.get("/").context
    lists = [
        "tasks",
        "referrals",
        "overdue_referrals",
        "activity",
        "recent_cases",
        "follow_ups_overdue",
        "reassessments_due",
        "permits_expiring",
        "pending_closures",
        "possible_retrafficking",
    ]
    assert {name: len(context[name]) for name in lists if not context[name]} == {}
