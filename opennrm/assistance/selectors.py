"""Reading the assistance plan: what each user may see of it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet

from opennrm import policy
from opennrm.assistance.models import (
    OPEN_SERVICE_STATUSES,
    AssistancePlan,
    AssistanceService,
    CooperationRecord,
    NeedsAssessment,
    ServiceStatus,
    ServiceType,
    service_sensitivity,
)
from opennrm.cases import sheet
from opennrm.cases.models import Case


def plan_for(case: Case) -> AssistancePlan | None:
    plans = sheet.rows(
        case,
        "plans",
        lambda: AssistancePlan.objects.filter(case=case).select_related("guardian_approved_by")[:1],
    )
    return plans[0] if plans else None


def services_visible(user: Any, case: Case) -> list[AssistanceService]:
    """A case's services whose sensitivity the user's role may read (a prosecutor does not learn of
    therapy), with the provider of safe accommodation withheld from users kept from the person's
    whereabouts (``s.provider_withheld``). The caller has checked that the user sees the case."""
    classes = policy.readable_sensitivities(user)
    rows = sheet.rows(
        case,
        "services",
        lambda: (
            AssistanceService.objects.filter(case=case)
            .select_related("provider")
            .order_by("planned_from", "id")
        ),
    )
    rows = [s for s in rows if s.sensitivity in classes]
    hide = not policy.may_see_whereabouts(user, case)
    for s in rows:
        AssistanceService.case.field.set_cached_value(s, case)
        s.provider_withheld = hide and s.service_type == ServiceType.SAFE_ACCOMMODATION
    return rows


def needs_visible(user: Any, case: Case) -> list[NeedsAssessment]:
    """Needs assessments with only the needs the user's role may read (``a.visible_needs``): a need
    for therapy tells as much as the therapy."""
    classes = policy.readable_sensitivities(user)
    out = needs_assessments(case)
    for a in out:
        a.visible_needs = [n for n in a.needs.all() if service_sensitivity(n.service_type) in classes]
    return out


def needs_assessments(case: Case) -> list[NeedsAssessment]:
    rows = sheet.rows(
        case,
        "needs_assessments",
        lambda: (
            NeedsAssessment.objects.filter(case=case).select_related("organisation").prefetch_related("needs")
        ),
    )
    if getattr(case, "_sheet", None) is not None:
        sheet.attach_children(rows, case._sheet["assessed_needs"], fk="assessment_id", cache="needs")
    return rows


def cooperation_records(case: Case) -> list[CooperationRecord]:
    return sheet.rows(
        case,
        "cooperation_records",
        lambda: CooperationRecord.objects.filter(case=case).select_related("organisation"),
    )


def provider_inbox(user: Any, *, include_closed: bool = False) -> QuerySet[AssistanceService]:
    """Service requests addressed to the user's organisation: the request alone (case code, service,
    dates, language needs), whether or not the person let the provider read the case file."""
    if not policy.has_perm(user, policy.CASE_VIEW) or not user.organisation_id:
        return AssistanceService.objects.none()
    rows = AssistanceService.objects.filter(provider_id=user.organisation_id).select_related("case")
    if not include_closed:
        rows = rows.filter(status__in=OPEN_SERVICE_STATUSES)
    # The open requests come in the order of their partial index (service_provider_open_idx).
    return rows.order_by("-urgent", "planned_from", "id")


def with_case_visible(user: Any, rows: list[AssistanceService]) -> list[AssistanceService]:
    """Mark each of ``rows`` (a page of the inbox) with whether the provider may open its case (the
    person agreed to share the case file, or the organisation has another part in it): one query for
    the page. As an EXISTS in the inbox's query, PostgreSQL hashed all of the provider's involvements
    before it read the first row."""
    visible = set(
        policy.visible_cases(user).filter(pk__in={r.case_id for r in rows}).values_list("pk", flat=True)
    )
    for r in rows:
        r.case_visible = r.case_id in visible  # type: ignore[attr-defined]  # for the template only
    return rows


def conditioned_refusals(
    *, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> dict[str, Any]:
    """For the national coordinator: services refused or declined because the person did not
    cooperate with the authorities, counted by provider organisation. No case codes."""
    rows = AssistanceService.objects.filter(non_cooperation_flag=True)
    if date_from:
        rows = rows.filter(ended_on__gte=date_from)
    if date_to:
        rows = rows.filter(ended_on__lte=date_to)
    by_provider = list(
        rows.values("provider__name", "provider__type")
        .annotate(n=Count("id"))
        .order_by("-n", "provider__name")
    )
    return {"total": sum(r["n"] for r in by_provider), "by_provider": by_provider}


def service_statistics(*, date_from: dt.date | None = None, date_to: dt.date | None = None) -> list[dict]:
    """Services by type and outcome (counts of services and of distinct persons), for the coordinator."""
    rows = AssistanceService.objects.all()
    if date_from:
        rows = rows.filter(requested_on__gte=date_from)
    if date_to:
        rows = rows.filter(requested_on__lte=date_to)
    return list(
        rows.values("service_type")
        .annotate(
            requested=Count("id"),
            persons=Count("case__person", distinct=True),
            completed=Count("id", filter=Q(status=ServiceStatus.COMPLETED)),
            open=Count("id", filter=Q(status__in=OPEN_SERVICE_STATUSES)),
            refused_by_person=Count("id", filter=Q(status=ServiceStatus.REFUSED_BY_PERSON)),
            declined=Count("id", filter=Q(status=ServiceStatus.DECLINED_BY_PROVIDER)),
            conditioned=Count("id", filter=Q(non_cooperation_flag=True)),
        )
        .order_by("service_type")
    )


def provides_service_in(user: Any, case: Case) -> bool:
    """Registered with the policy (fact PROVIDES_SERVICE): the user's organisation provides a service in
    the case, and so moves it on (policy.SERVICE_STEP)."""
    return bool(user.organisation_id) and (
        AssistanceService.objects.filter(case=case, provider_id=user.organisation_id).exists()
    )
