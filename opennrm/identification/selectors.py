"""Reads of the identification workflow, always for a given user (the policy decides; reads of
encrypted content are audited)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from opennrm import policy
from opennrm.accounts.roles import Perm
from opennrm.audit.services import audit_record
from opennrm.cases.models import Case, CaseStatus
from opennrm.core import crypto, deadlines
from opennrm.identification.models import (
    AgeAssessment,
    GuardianAppointment,
    IdentificationDecision,
    IdentificationProcedure,
    ProcedureRecord,
    Referral,
    ReferralPurpose,
    ReferralStatus,
    ReflectionPeriod,
    Screening,
    decision_aad,
    procedure_record_aad,
)
from opennrm.lib.dates import local_today
from opennrm.lib.errors import NotFound


def screenings(*, user: Any, case: Case) -> list[Screening]:
    return list(case.screenings.select_related("organisation").prefetch_related("answers"))


def screening_get(*, user: Any, case: Case, pk: int) -> Screening:
    screening = case.screenings.filter(pk=pk).select_related("organisation").first()
    if screening is None:
        raise NotFound()
    return screening


def referrals(*, user: Any, case: Case) -> list[Referral]:
    """A case's referrals; one to a shelter does not name it to users kept from the whereabouts."""
    rows = list(case.referrals.select_related("from_organisation", "to_organisation", "responded_by"))
    hide = not policy.may_see_whereabouts(user, case)
    for r in rows:
        r.withheld = hide and r.purpose == ReferralPurpose.SHELTER
    return rows


def referral_get(*, user: Any, case: Case, pk: int) -> Referral:
    referral = (
        case.referrals.filter(pk=pk).select_related("case", "from_organisation", "to_organisation").first()
    )
    if referral is None:
        raise NotFound()
    return referral


def referral_inbox(*, user: Any, limit: int = 50) -> list[Referral]:
    """Referrals waiting for the user's organisation, oldest deadline first (only cases still in scope)."""
    if not policy.has_perm(user, Perm.CASE_VIEW) or not user.organisation_id:
        return []
    qs = Referral.objects.filter(to_organisation_id=user.organisation_id, status=ReferralStatus.PENDING)
    return list(
        policy.within_visible_cases(user, qs)
        .select_related("case", "from_organisation")
        .order_by("due_at", "id")[:limit]
    )


def referrals_overdue(*, user: Any, limit: int = 50) -> list[Referral]:
    """Pending referrals to the user's organisation past their deadline: the Centre head's list."""
    return [r for r in referral_inbox(user=user, limit=limit) if r.due_at < timezone.now()]


@dataclass(frozen=True)
class ChildProtection:
    required: bool
    due_at: dt.datetime | None
    appointment: GuardianAppointment | None
    overdue: bool
    assessments: list[AgeAssessment]
    # Age uncertain and presumed a child: an assessment is expected.
    presumed: bool


def child_protection(*, user: Any, case: Case) -> ChildProtection:
    appointment = (
        case.guardian_appointments.filter(ended_on__isnull=True).select_related("organisation").first()
    )
    assessments = list(case.age_assessments.select_related("organisation"))
    required = case.is_child
    due_at = deadlines.due("guardian_appointment", case.opened_at) if required else None
    overdue = bool(required and appointment is None and due_at and due_at < timezone.now())
    presumed = required and case.person.age_disputed and not assessments
    return ChildProtection(required, due_at, appointment, overdue, assessments, presumed)


@dataclass(frozen=True)
class RemovalBar:
    barred: bool
    # "procedure": identification not completed (CETS 197 Art. 10(2)); "reflection": the recovery
    # and reflection period runs (Art. 13).
    grounds: list[str]
    until: dt.date | None


def removal_bar(*, case: Case, today: dt.date | None = None) -> RemovalBar:
    today = today or local_today()
    grounds: list[str] = []
    until = None
    if case.procedures.filter(closed_at__isnull=True).exists() or case.status == CaseStatus.PRESUMED_VICTIM:
        grounds.append("procedure")
    period = ReflectionPeriod.objects.filter(case=case).first()
    if period and period.ended_early_on is None and period.starts_on <= today <= period.ends_on:
        grounds.append("reflection")
        until = period.ends_on
    return RemovalBar(bool(grounds), grounds, until)


def reflection_period(*, case: Case) -> ReflectionPeriod | None:
    return ReflectionPeriod.objects.filter(case=case).first()


def procedures(*, user: Any, case: Case) -> list[IdentificationProcedure]:
    return list(case.procedures.select_related("organisation"))


def procedure_records(*, user: Any, case: Case) -> list[dict[str, Any]]:
    """The procedure's records, decrypted, for the identifying body and only in readable classes."""
    if not policy.can(user, policy.PROCEDURE_RUN, case) and not policy.can(user, policy.DECISION_ISSUE, case):
        return []
    classes = policy.readable_sensitivities(user)
    rows = list(
        ProcedureRecord.objects.filter(procedure__case=case, sensitivity__in=classes).select_related(
            "organisation", "created_by"
        )
    )
    out = []
    for r in rows:
        text = crypto.decrypt(r.data_key_id, bytes(r.ciphertext), aad=procedure_record_aad(case.code))["text"]
        out.append({"record": r, "text": text})
    if rows:
        audit_record(
            actor=user,
            action="read",
            object_type="procedure_record",
            object_id=",".join(str(r.pk) for r in rows),
            case_code=case.code,
        )
    return out


def decisions(*, user: Any, case: Case) -> list[dict[str, Any]]:
    """Every decision of the case, newest first; the written reasons only for those entitled."""
    rows = list(
        IdentificationDecision.objects.filter(case=case)
        .select_related("decided_by", "organisation", "supersedes")
        .prefetch_related("forms")
        .order_by("-decided_at", "-id")
    )
    superseded = {r.supersedes_id for r in rows if r.supersedes_id}
    with_reasons = policy.can(user, policy.DECISION_REASONS, case)
    out = []
    for r in rows:
        reasons = None
        if with_reasons:
            reasons = crypto.decrypt(r.data_key_id, bytes(r.ciphertext), aad=decision_aad(case.code))[
                "reasons"
            ]
        out.append(
            {
                "decision": r,
                "forms": [f.form for f in r.forms.all()],
                "form_labels": [f.get_form_display() for f in r.forms.all()],
                "reasons": reasons,
                "current": r.pk not in superseded,
            }
        )
    if rows and with_reasons:
        audit_record(
            actor=user,
            action="read",
            object_type="decision",
            object_id=",".join(str(r.pk) for r in rows),
            case_code=case.code,
            detail={"fields": "reasons"},
        )
    return out


def decisions_visible(*, user: Any) -> QuerySet[IdentificationDecision]:
    return policy.within_visible_cases(user, IdentificationDecision.objects.all())
