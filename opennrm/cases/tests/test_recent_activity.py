"""The home page's recent activity walks the head of the timeline for an organisation in most cases and
asks through the involvements otherwise: both paths must give the same events as the plain query."""

from __future__ import annotations

import pytest

from opennrm import policy
from opennrm.accounts.roles import RoleCode
from opennrm.cases import selectors
from opennrm.cases.models import TimelineEvent
from opennrm.testing import fill_case, open_case


def _reference(user, limit: int) -> list[int]:
    events = TimelineEvent.objects.filter(sensitivity__in=policy.readable_sensitivities(user))
    return list(
        policy.within_visible_cases(user, events).order_by("-at", "-id").values_list("pk", flat=True)[:limit]
    )


@pytest.mark.django_db
def test_recent_activity_is_the_same_whether_the_walk_finds_it_or_not(world, monkeypatch):
    fill_case(world, n=2)
    reporter = world.users[RoleCode.FIRST_LINE_REPORTER]
    for i in range(3):
        open_case(reporter, given="Walk" + "abc"[i], family="Hodović")
    seen_any = False
    for role in RoleCode.values:
        user = world.users[role]
        if not policy.has_perm(user, policy.CASE_VIEW):
            continue
        for limit in (1, 5, 15):
            reference = _reference(user, limit)
            walked = [e.pk for e in selectors.recent_activity(user=user, limit=limit)]
            monkeypatch.setattr(selectors, "ACTIVITY_WALK", 1)  # the walk never finds enough: the fallback
            fallback = [e.pk for e in selectors.recent_activity(user=user, limit=limit)]
            monkeypatch.undo()
            assert walked == fallback == reference, (role, limit)
            seen_any = seen_any or bool(reference)
    assert seen_any
