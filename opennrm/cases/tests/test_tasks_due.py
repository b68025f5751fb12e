"""The home page's tasks and overdue count come from one walk of the due-date index: they must be what
the plain queries give, for every role, with the walk stopping early or not."""

from __future__ import annotations

import datetime as dt

import pytest

from opennrm import policy
from opennrm.accounts.roles import RoleCode
from opennrm.cases import selectors
from opennrm.cases.models import CaseTask
from opennrm.lib import clock


def _reference(user, limit: int, cap: int) -> tuple[list[int], int]:
    rows = policy.within_visible_cases(
        user, CaseTask.objects.filter(organisation_id=user.organisation_id, done_at__isnull=True)
    ).order_by("due_at", "id")
    overdue = rows.filter(due_at__lt=clock.now()).count()
    return list(rows.values_list("pk", flat=True)[:limit]), min(overdue, cap + 1)


@pytest.mark.django_db
def test_tasks_due_and_the_overdue_count_are_those_of_the_plain_queries(world):
    now = clock.now()
    cases = [world.own_case, world.other_case]
    for org in {u.organisation for u in world.users.values() if u.organisation_id}:
        for i in range(9):
            CaseTask.objects.create(
                case=cases[i % 2],
                organisation=org,
                title="Call back",
                due_at=now + dt.timedelta(hours=(i - 5) * 7),  # five overdue, four not yet
                done_at=now if i == 3 else None,
            )
    seen_overdue = False
    for role in RoleCode.values:
        user = world.users[role]
        for limit, cap in ((0, 100), (1, 100), (2, 1), (3, 0), (20, 100)):
            tasks, overdue = selectors.tasks_due_and_overdue(user=user, limit=limit, cap=cap)
            assert ([t.pk for t in tasks], overdue) == _reference(user, limit, cap), (role, limit, cap)
            seen_overdue = seen_overdue or overdue > 1
        assert (
            selectors.tasks_due_and_overdue(user=user, limit=0)[1]
            == _reference(user, 0, selectors.OVERDUE_CAP)[1]
        )
    assert seen_overdue
