"""Safeguards that follow from the procedure: children (age, guardian) and foreign nationals
(recovery and reflection period), and the notices of their deadlines."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opennrm import policy
from opennrm.accounts.models import Organisation
from opennrm.audit.services import audit_record
from opennrm.cases.models import Case, CaseStatus, Involvement, InvolvementRole
from opennrm.cases.services import timeline_add
from opennrm.core import deadlines
from opennrm.core.locking import update_versioned
from opennrm.identification.models import AgeAssessment, AgeOutcome, GuardianAppointment, ReflectionPeriod
from opennrm.lib import clock
from opennrm.lib.clean import clean_choice, clean_past_date, clean_text
from opennrm.lib.errors import DomainError
from opennrm.notifications.services import notify

# --- Children ----------------------------------------------------------------------------------


@transaction.atomic
def age_assessment_record(
    *, user: Any, case: Case, assessed_on: Any, method: str, outcome: str
) -> AgeAssessment:
    """Only an assessment that finds the person an adult lifts the presumption of minority."""
    policy.require(user, policy.AGE_ASSESS, case)
    clean_choice(outcome, AgeOutcome, "outcome")
    method = clean_text(method, "method", 200, required=True)
    assessment = AgeAssessment.objects.create(
        case=case,
        assessed_on=clean_past_date(assessed_on, "assessed_on"),
        method=method,
        outcome=outcome,
        organisation_id=user.organisation_id,
        created_by=user,
        updated_by=user,
    )
    if outcome in (AgeOutcome.ADULT, AgeOutcome.CHILD):
        is_child = outcome == AgeOutcome.CHILD
        if case.is_child != is_child:
            case.refresh_from_db(fields=["version"])
            update_versioned(case, expected_version=case.version, user=user, fields={"is_child": is_child})
    timeline_add(case=case, user=user, kind="age_assessed", params={"outcome": outcome})
    audit_record(
        actor=user,
        action="create",
        object_type="age_assessment",
        object_id=assessment.pk,
        case_code=case.code,
        detail={"outcome": outcome},
    )
    return assessment


@transaction.atomic
def guardian_appoint(*, user: Any, case: Case, appointed_on: Any) -> GuardianAppointment:
    policy.require(user, policy.GUARDIAN_APPOINT, case)
    if not case.is_child:
        raise DomainError(_("A guardian is appointed for a child."), field="case")
    if case.guardian_appointments.filter(ended_on__isnull=True).exists():
        raise DomainError(_("A guardian is already appointed."), field="appointed_on")
    appointment = GuardianAppointment.objects.create(
        case=case,
        organisation_id=user.organisation_id,
        appointed_on=clean_past_date(appointed_on, "appointed_on"),
        created_by=user,
        updated_by=user,
    )
    timeline_add(case=case, user=user, kind="guardian_appointed", params={"org": user.organisation.name})
    audit_record(
        actor=user,
        action="create",
        object_type="guardian_appointment",
        object_id=appointment.pk,
        case_code=case.code,
    )
    return appointment


# --- Foreign nationals -------------------------------------------------------------------------


def reflection_period_start(*, user: Any, case: Case, starts_on: dt.date) -> ReflectionPeriod:
    """CETS 197 Art. 13: never shorter than the Convention's 30 days, whatever is configured."""
    rule = deadlines.rule("reflection_period")
    days = max(rule.amount, rule.minimum or 0, 30)
    period = ReflectionPeriod.objects.create(
        case=case,
        starts_on=starts_on,
        ends_on=deadlines.last_day(starts_on, days),
        days=days,
        legal_basis=rule.legal_basis,
        created_by=user,
        updated_by=user,
    )
    timeline_add(
        case=case,
        user=user,
        kind="reflection_started",
        params={"from": period.starts_on.isoformat(), "to": period.ends_on.isoformat()},
    )
    audit_record(
        actor=user,
        action="create",
        object_type="reflection_period",
        object_id=period.pk,
        case_code=case.code,
    )
    return period


@transaction.atomic
def reflection_alerts(*, today: dt.date | None = None) -> int:
    """Tell the coordinating organisations that a reflection period ends soon (once per period)."""
    today = today or clock.today()
    alert = deadlines.rule("reflection_alert")
    horizon = today + dt.timedelta(days=alert.amount)
    due = list(
        ReflectionPeriod.objects.select_for_update()
        .filter(
            alert_sent_at__isnull=True, ended_early_on__isnull=True, ends_on__gte=today, ends_on__lte=horizon
        )
        .select_related("case")[:1000]
    )
    for period in due:
        ReflectionPeriod.objects.filter(pk=period.pk).update(alert_sent_at=clock.now())
        coordinators = Organisation.objects.filter(
            involvements__in=Involvement.objects.active().filter(
                case=period.case,
                role__in=[InvolvementRole.IDENTIFYING_BODY, InvolvementRole.CASE_COORDINATION],
            )
        ).distinct()
        for organisation in coordinators:
            notify(
                organisation=organisation,
                kind="reflection_ending",
                case_code=period.case.code,
                params={"case": period.case.code, "date": period.ends_on.isoformat()},
            )
    return len(due)


@transaction.atomic
def guardian_alerts(*, now: dt.datetime | None = None) -> int:
    """Child cases past the guardian-appointment deadline with no guardian: tell the centre for social
    work and the identifying body, once per case (the timeline records that it was said)."""
    now = now or clock.now()
    rule = deadlines.rule("guardian_appointment")
    # Deadlines in days end at the end of a local day: a day's margin finds every candidate.
    horizon = (
        now - dt.timedelta(days=rule.amount) if rule.unit == "days" else now - dt.timedelta(hours=rule.amount)
    )
    candidates = (
        Case.objects.filter(is_child=True, opened_at__lt=horizon)
        .exclude(status=CaseStatus.CLOSED)
        .exclude(guardian_appointments__ended_on__isnull=True, guardian_appointments__isnull=False)
        .exclude(timeline__kind="guardian_overdue")
        .distinct()[:1000]
    )
    count = 0
    for case in candidates:
        due_at = deadlines.due_after(case.opened_at, rule.amount, rule.unit)
        if due_at >= now:
            continue
        count += 1
        params = {"case": case.code, "date": timezone.localtime(due_at).date().isoformat()}
        orgs = Organisation.objects.filter(
            involvements__in=Involvement.objects.active().filter(
                case=case,
                role__in=[
                    InvolvementRole.GUARDIAN,
                    InvolvementRole.IDENTIFYING_BODY,
                    InvolvementRole.CASE_COORDINATION,
                ],
            )
        ).distinct()
        for organisation in orgs:
            notify(organisation=organisation, kind="guardian_overdue", case_code=case.code, params=params)
        timeline_add(case=case, user=None, kind="guardian_overdue", params={"date": params["date"]})
    return count
