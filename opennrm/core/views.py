from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from opennrm.accounts.roles import Perm
from opennrm.core.http import access


@access("authenticated")
def home_view(request: HttpRequest) -> HttpResponse:
    # Imported here: the home page is the one view that reads from every domain app.
    from opennrm import policy
    from opennrm.assistance import closure as assistance_closure
    from opennrm.assistance import selectors as assistance_selectors
    from opennrm.cases import selectors as case_selectors
    from opennrm.cases.timeline import describe
    from opennrm.identification import selectors as identification_selectors
    from opennrm.lib.dates import local_today
    from opennrm.protection import selectors as protection_selectors
    from opennrm.residence import selectors as residence_selectors

    user = request.user
    context: dict = {"role": user.role}
    if policy.has_perm(user, Perm.CASE_VIEW):
        context.update(
            open_cases=case_selectors.open_cases_count(user=user),
            open_cases_cap=case_selectors.COUNT_CAP,
            overdue_cap=case_selectors.OVERDUE_CAP,
            overdue=case_selectors.overdue_count(user=user),
            tasks=case_selectors.tasks_due(user=user),
            activity=[{"event": e, "text": describe(e)} for e in case_selectors.recent_activity(user=user)],
            recent_cases=case_selectors.case_list(user=user)[:10],
            referrals=identification_selectors.referral_inbox(user=user, limit=20),
        )
        # Assistance and protection that are due: follow-ups past their date, risk to reassess,
        # service requests to answer.
        context.update(
            follow_ups_overdue=list(assistance_closure.follow_ups_overdue(user, limit=10)),
            reassessments_due=list(protection_selectors.reassessments_due(user, on=local_today(), limit=10)),
            service_requests=assistance_selectors.provider_inbox(user)[:10],
        )
        if policy.has_perm(user, Perm.CASE_EDIT):
            context["permits_expiring"] = list(residence_selectors.permits_expiring(user)[:10])
        if policy.has_perm(user, Perm.INVOLVEMENT_MANAGE):
            context["possible_retrafficking"] = assistance_closure.possible_retrafficking(user, limit=10)
        # The Centre head answers for referrals nobody has taken up in time, and reviews closures.
        if policy.has_perm(user, Perm.DECISION_SIGN):
            context["overdue_referrals"] = identification_selectors.referrals_overdue(user=user)
            context["pending_closures"] = list(assistance_closure.pending_closures(user, limit=10))
    return render(request, "core/home.html", context)


@access("public")
def healthz_view(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@access("public")
def bench_bare_view(request: HttpRequest) -> HttpResponse:
    """The benchmark baseline: a bare Django view on the same server (enabled with OPENNRM_BENCH=1)."""
    return HttpResponse("ok", content_type="text/plain")
