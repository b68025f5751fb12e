"""Reads of the identification workflow, always for a given user (the policy decides; reads of
encrypted content are audited)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from opennrm import policy
from opennrm.accounts import directory
from opennrm.accounts.roles import Perm
from opennrm.audit.services import audit_record
from opennrm.cases import sheet
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
from opennrm.lib import clock
from opennrm.lib.errors import NotFound


def screenings(*, user: Any, case: Case, answers: bool = True, limit: int | None = None) -> list[Screening]:
    if not answers and limit is not None and limit <= 10:
        return sheet.rows(case, "screenings", lambda: case.screenings.select_related("organisation"))[:limit]
    qs = case.screenings.select_related("organisation")
    if answers:
        qs = qs.prefetch_related("answers")
    return list(qs[:limit] if limit else qs)


def screening_get(*, user: Any, case: Case, pk: int) -> Screening:
    screening = case.screenings.filter(pk=pk).select_related("organisation").first()
    if screening is None:
        raise NotFound()
    return screening


def referrals(*, user: Any, case: Case) -> list[Referral]:
    """A case's referrals; one to a shelter does not name it to users kept from the whereabouts."""
    rows = sheet.rows(
        case,
        "referrals",
        lambda: case.referrals.select_related("from_organisation", "to_organisation", "responded_by"),
    )
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
    return with_names(list(referral_inbox_queryset(user=user)[:limit]))


def referral_inbox_queryset(*, user: Any) -> QuerySet[Referral]:
    """``referral_inbox`` as a query, for a paginated list (give each page's rows ``with_names``)."""
    if not policy.has_perm(user, Perm.CASE_VIEW) or not user.organisation_id:
        return Referral.objects.none()
    qs = Referral.objects.filter(to_organisation_id=user.organisation_id, status=ReferralStatus.PENDING)
    return policy.within_visible_cases(user, qs).select_related("case").order_by("due_at", "id")


def with_names(rows: list[Referral]) -> list[Referral]:
    """The organisations of referrals from the directory (no join, no query per row)."""
    directory.attach(rows, from_organisation="organisation", to_organisation="organisation")
    return rows


def referrals_overdue(*, user: Any, limit: int = 50, inbox: list[Referral] | None = None) -> list[Referral]:
    """Pending referrals to the user's organisation past their deadline: the Centre head's list. From
    ``inbox`` when the caller already read it (``referral_inbox`` with at least ``limit``)."""
    rows = referral_inbox(user=user, limit=limit) if inbox is None else inbox[:limit]
    now = clock.now()
    return [r for r in rows if r.due_at < now]


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
    required = case.is_child
    if not required:
        # An adult's case has no guardian and no age to assess: nothing to read.
        return ChildProtection(False, None, None, False, [], False)
    appointments = sheet.rows(
        case,
        "guardian_appointments",
        lambda: case.guardian_appointments.filter(ended_on__isnull=True).select_related("organisation"),
    )
    appointment = next((a for a in appointments if a.ended_on is None), None)
    assessments = sheet.rows(
        case, "age_assessments", lambda: case.age_assessments.select_related("organisation")
    )
    due_at = deadlines.due("guardian_appointment", case.opened_at) if required else None
    overdue = bool(required and appointment is None and due_at and due_at < clock.now())
    presumed = required and case.person.age_disputed and not assessments
    return ChildProtection(required, due_at, appointment, overdue, assessments, presumed)


@dataclass(frozen=True)
class RemovalBar:
    barred: bool
    # "procedure": identification not completed (CETS 197 Art. 10(2)); "reflection": the recovery
    # and reflection period runs (Art. 13).
    grounds: list[str]
    until: dt.date | None


_UNREAD: Any = object()


def removal_bar(
    *,
    case: Case,
    today: dt.date | None = None,
    procedure_open: bool | None = None,
    period: ReflectionPeriod | None | Any = _UNREAD,
) -> RemovalBar:
    """Is removal from the country barred? ``procedure_open`` and ``period`` may come from the caller that
    has already read them (the case page)."""
    today = today or clock.today()
    grounds: list[str] = []
    until = None
    if procedure_open is None:
        procedure_open = case.procedures.filter(closed_at__isnull=True).exists()
    if procedure_open or case.status == CaseStatus.PRESUMED_VICTIM:
        grounds.append("procedure")
    if period is _UNREAD:
        period = reflection_period(case=case)
    if period and period.ended_early_on is None and period.starts_on <= today <= period.ends_on:
        grounds.append("reflection")
        until = period.ends_on
    return RemovalBar(bool(grounds), grounds, until)


def reflection_period(*, case: Case) -> ReflectionPeriod | None:
    periods = sheet.rows(case, "reflection_periods", lambda: ReflectionPeriod.objects.filter(case=case)[:1])
    return periods[0] if periods else None


def procedures(*, user: Any, case: Case) -> list[IdentificationProcedure]:
    return sheet.rows(case, "procedures", lambda: case.procedures.select_related("organisation"))


def open_procedure(*, case: Case) -> IdentificationProcedure | None:
    return next((p for p in procedures(user=None, case=case) if p.closed_at is None), None)


def procedure_records(*, user: Any, case: Case) -> list[dict[str, Any]]:
    """The procedure's records, decrypted, for the identifying body and only in readable classes."""
    if not policy.can(user, policy.PROCEDURE_RUN, case) and not policy.can(user, policy.DECISION_ISSUE, case):
        return []
    classes = policy.readable_sensitivities(user)
    rows = sheet.rows(
        case,
        "procedure_records",
        lambda: ProcedureRecord.objects.filter(procedure__case=case).select_related(
            "organisation", "created_by"
        ),
    )
    rows = [r for r in rows if r.sensitivity in classes]
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
    rows = sheet.rows(
        case,
        "decisions",
        lambda: (
            IdentificationDecision.objects.filter(case=case)
            .select_related("decided_by", "organisation")
            .prefetch_related("forms")
            .order_by("-decided_at", "-id")
        ),
    )
    if getattr(case, "_sheet", None) is not None:
        sheet.attach_children(rows, case._sheet["decision_forms"], fk="decision_id", cache="forms")
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
