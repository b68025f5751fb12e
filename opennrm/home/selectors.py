"""What a user's home page shows: the work of their organisation that is due, in the cases they see.

Each list is read by the selector of the app that owns it; this module only decides which lists a role
gets. Every list is capped, and every one is read through an index on its due date or its owner, so
the page costs the same however many cases the registry holds (the query counts are tested).
"""

from __future__ import annotations

from typing import Any

from opennrm import policy
from opennrm.accounts import directory
from opennrm.assistance import closure as assistance_closure
from opennrm.assistance import selectors as assistance_selectors
from opennrm.cases import selectors as case_selectors
from opennrm.cases.timeline import describe
from opennrm.identification import selectors as identification_selectors
from opennrm.lib import clock
from opennrm.protection import selectors as protection_selectors
from opennrm.residence import selectors as residence_selectors

REFERRALS = 20
OVERDUE_REFERRALS = 50
# The columns the lists show: full rows of each row's case cost more to decode than the queries took
# to run (the organisations come from the directory).
REFERRAL_FIELDS = ("purpose", "status", "due_at", "from_organisation_id", "to_organisation_id", "case__code")
SERVICE_REQUEST_FIELDS = ("service_type", "urgent", "planned_from", "case__code")


def home_for(*, user: Any) -> dict[str, Any]:
    context: dict[str, Any] = {"role": user.role}
    if not policy.has_perm(user, policy.CASE_VIEW):
        # The coordinator, oversight and administration get their own entry points, and no case content.
        return context
    tasks, overdue = case_selectors.tasks_due_and_overdue(user=user)
    # One read of the referral inbox serves the list and, for the head, the overdue ones.
    signs = policy.has_perm(user, policy.DECISION_SIGN)
    inbox = identification_selectors.with_names(
        list(
            identification_selectors.referral_inbox_queryset(user=user).only(*REFERRAL_FIELDS)[
                : OVERDUE_REFERRALS if signs else REFERRALS
            ]
        )
    )
    follow_ups = list(assistance_closure.follow_ups_overdue(user, limit=10))
    directory.attach([f.plan for f in follow_ups], follow_up_by="organisation")
    context.update(
        tasks=tasks,
        overdue=overdue,
        open_cases=case_selectors.open_cases_count(user=user),
        open_cases_cap=case_selectors.COUNT_CAP,
        overdue_cap=case_selectors.OVERDUE_CAP,
        activity=[{"event": e, "text": describe(e)} for e in case_selectors.recent_activity(user=user)],
        # The columns the list shows, no joins: the case list's select_related serves its own page.
        recent_cases=list(
            case_selectors.case_list(user=user).select_related(None).only("code", "status", "opened_at")[:10]
        ),
        referrals=inbox[:REFERRALS],
        # Assistance and protection that are due: follow-ups past their date, risk to reassess, service
        # requests to answer.
        follow_ups_overdue=follow_ups,
        reassessments_due=list(protection_selectors.reassessments_due(user, on=clock.today(), limit=10)),
        service_requests=list(assistance_selectors.provider_inbox(user).only(*SERVICE_REQUEST_FIELDS)[:10]),
    )
    if policy.has_perm(user, policy.CASE_EDIT):
        context["permits_expiring"] = list(residence_selectors.permits_expiring(user)[:10])
    if policy.has_perm(user, policy.INVOLVEMENT_MANAGE):
        context["possible_retrafficking"] = assistance_closure.possible_retrafficking(user, limit=10)
    # The Centre head answers for referrals nobody has taken up in time, and reviews closures.
    if signs:
        context["overdue_referrals"] = identification_selectors.referrals_overdue(
            user=user, limit=OVERDUE_REFERRALS, inbox=inbox
        )
        context["pending_closures"] = list(assistance_closure.pending_closures(user, limit=10))
    return context
