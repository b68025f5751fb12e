"""The identification procedure and its reasoned, immutable decisions."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from opennrm import policy
from opennrm.accounts.models import Organisation
from opennrm.accounts.roles import Sensitivity
from opennrm.audit.services import audit_record
from opennrm.cases.models import Case, CaseStatus, ExploitationForm
from opennrm.cases.services import case_status_set, timeline_add
from opennrm.core import crypto
from opennrm.core.locking import update_versioned
from opennrm.identification.models import (
    DecisionForm,
    DecisionKind,
    DecisionOutcome,
    IdentificationDecision,
    IdentificationProcedure,
    ProcedureRecord,
    ProcedureRecordKind,
    Referral,
    ReferralPurpose,
    ReflectionPeriod,
    Screening,
    decision_aad,
    procedure_record_aad,
)
from opennrm.identification.services.safeguards import reflection_period_start
from opennrm.lib import clock
from opennrm.lib.clean import MAX_TEXT, clean_choice, clean_past_date, clean_text
from opennrm.lib.errors import DomainError
from opennrm.notifications.services import notify
from opennrm.people.models import is_foreign_national

MIN_REASONS = 20
DEFAULT_LEGAL_BASIS = (
    "CETS 197 Art. 10; Social Protection Law Art. 41(2)(7); Standard Operating Procedures 2019"
)


# --- The procedure -----------------------------------------------------------------------------


@transaction.atomic
def procedure_start(*, user: Any, case: Case) -> IdentificationProcedure:
    """Open the identification procedure: from now the person is a presumed victim (reasonable grounds),
    cannot be removed, and a foreign national's recovery and reflection period starts."""
    policy.require(user, policy.PROCEDURE_RUN, case)
    if case.status == CaseStatus.CLOSED:
        raise DomainError(_("Reopen the case first."), field="status")
    if case.procedures.filter(closed_at__isnull=True).exists():
        raise DomainError(_("An identification procedure is already running."), field="procedure")
    now = clock.now()
    procedure = IdentificationProcedure.objects.create(
        case=case,
        organisation_id=user.organisation_id,
        started_at=now,
        reasonable_grounds_at=now,
        created_by=user,
        updated_by=user,
    )
    timeline_add(case=case, user=user, kind="procedure_started")
    if case.status in (
        CaseStatus.REPORTED,
        CaseStatus.SCREENING,
        CaseStatus.REFERRED,
        CaseStatus.NOT_IDENTIFIED,
    ):
        case_status_set(user=user, case=case, status=CaseStatus.PRESUMED_VICTIM)
    if is_foreign_national(case) and not ReflectionPeriod.objects.filter(case=case).exists():
        reflection_period_start(user=user, case=case, starts_on=clock.today())
    audit_record(
        actor=user, action="create", object_type="procedure", object_id=procedure.pk, case_code=case.code
    )
    return procedure


@transaction.atomic
def procedure_record_add(
    *,
    user: Any,
    case: Case,
    kind: str,
    happened_on: Any,
    organisation: Organisation | None,
    text: str,
    sensitivity: str = Sensitivity.GENERAL,
    screening: Screening | None = None,
) -> ProcedureRecord:
    """Record an interview, documents, indicators relied on or another organisation's opinion.

    The identifying body records any step; another organisation in the case gives its own opinion."""
    policy.require(user, policy.PROCEDURE_CONTRIBUTE, case)
    procedure = case.procedures.filter(closed_at__isnull=True).first()
    if procedure is None:
        raise DomainError(_("There is no identification procedure running."), field="procedure")
    clean_choice(kind, ProcedureRecordKind, "kind")
    if not policy.can(user, policy.PROCEDURE_RUN, case):
        if kind != ProcedureRecordKind.OPINION:
            raise DomainError(_("Your organisation can give its opinion to the procedure."), field="kind")
        if organisation is not None and organisation.pk != user.organisation_id:
            raise DomainError(_("Give your own organisation's opinion."), field="organisation")
    clean_choice(sensitivity, Sensitivity, "sensitivity")
    if not policy.reads(user, sensitivity):
        raise DomainError(_("Your role cannot add content of this sensitivity."), field="sensitivity")
    organisation = organisation or user.organisation
    if not case.involvements.filter(organisation=organisation).exists():
        raise DomainError(_("Choose an organisation involved in the case."), field="organisation")
    if screening is not None and screening.case_id != case.pk:
        raise DomainError(_("Choose a screening of this case."), field="screening")
    text = clean_text(text, "text", MAX_TEXT, required=True)
    key_id, blob = crypto.encrypt({"text": text}, aad=procedure_record_aad(case.code))
    record = ProcedureRecord.objects.create(
        procedure=procedure,
        kind=kind,
        happened_on=clean_past_date(happened_on, "happened_on", default=clock.today()),
        organisation=organisation,
        screening=screening,
        sensitivity=sensitivity,
        data_key_id=key_id,
        ciphertext=blob,
        created_by=user,
        updated_by=user,
    )
    timeline_add(
        case=case,
        user=user,
        kind="procedure_record_added",
        params={"kind": kind},
        sensitivity=sensitivity,
    )
    audit_record(
        actor=user,
        action="create",
        object_type="procedure_record",
        object_id=record.pk,
        case_code=case.code,
        detail={"kind": kind, "sensitivity": sensitivity},
    )
    return record


def current_decision(case: Case) -> IdentificationDecision | None:
    return case.decisions.filter(superseded_by__isnull=True).order_by("-decided_at", "-id").first()


@transaction.atomic
def decision_issue(
    *,
    user: Any,
    case: Case,
    outcome: str,
    reasons: str,
    forms: list[str] | None,
    legal_basis: str = DEFAULT_LEGAL_BASIS,
    kind: str | None = None,
) -> IdentificationDecision:
    """The Centre head's formal decision, with written reasons. The first decision closes the
    procedure; a later one (review or appeal) supersedes the current decision, which stays on record."""
    policy.require(user, policy.DECISION_ISSUE, case)
    if case.status == CaseStatus.CLOSED:
        # A review of a closed case's decision would silently reopen it; reopening has its own reasons.
        raise DomainError(_("Reopen the case first."), field="status")
    clean_choice(outcome, DecisionOutcome, "outcome")
    reasons = clean_text(reasons, "reasons", MAX_TEXT, required=True, minimum=MIN_REASONS)
    legal_basis = clean_text(legal_basis, "legal_basis", 300, required=True)
    forms = forms or []
    if not isinstance(forms, list):
        raise DomainError(_("Choose one or more forms of exploitation."), field="forms")
    for form in forms:
        clean_choice(form, ExploitationForm, "forms")
    if outcome == DecisionOutcome.IDENTIFIED and not [f for f in forms if f != ExploitationForm.UNKNOWN]:
        raise DomainError(
            _("Name the form or forms of exploitation the person was identified for."), field="forms"
        )
    current = current_decision(case)
    procedure = case.procedures.filter(closed_at__isnull=True).first()
    if current is None:
        if kind not in (None, DecisionKind.INITIAL):
            raise DomainError(_("There is no decision to review yet."), field="kind")
        kind = DecisionKind.INITIAL
        if procedure is None:
            raise DomainError(_("Start the identification procedure first."), field="procedure")
    else:
        if kind not in (DecisionKind.REVIEW, DecisionKind.APPEAL):
            raise DomainError(
                _("A decision already exists: record a review or an appeal decision instead."), field="kind"
            )
    key_id, blob = crypto.encrypt({"reasons": reasons}, aad=decision_aad(case.code))
    now = clock.now()
    decision = IdentificationDecision.objects.create(
        case=case,
        procedure=procedure or (current.procedure if current else None),
        kind=kind,
        outcome=outcome,
        legal_basis=legal_basis,
        decided_at=now,
        decided_by=user,
        organisation_id=user.organisation_id,
        supersedes=current,
        data_key_id=key_id,
        ciphertext=blob,
    )
    DecisionForm.objects.bulk_create([DecisionForm(decision=decision, form=f) for f in sorted(set(forms))])
    if procedure is not None:
        update_versioned(procedure, expected_version=procedure.version, user=user, fields={"closed_at": now})
    new_status = CaseStatus.IDENTIFIED if outcome == DecisionOutcome.IDENTIFIED else CaseStatus.NOT_IDENTIFIED
    if not (new_status == CaseStatus.IDENTIFIED and case.status == CaseStatus.ASSISTED):
        case_status_set(user=user, case=case, status=new_status)
    timeline_add(case=case, user=user, kind="decision_issued", params={"outcome": outcome, "kind": kind})
    audit_record(
        actor=user,
        action="create",
        object_type="decision",
        object_id=decision.pk,
        case_code=case.code,
        detail={"outcome": outcome, "kind": kind, "supersedes": current.pk if current else None},
    )
    # The organisations that referred the person learn the outcome; the reasons stay with those
    # entitled to read them (policy.DECISION_REASONS).
    referrers = set(
        Referral.objects.filter(case=case, purpose=ReferralPurpose.IDENTIFICATION).values_list(
            "from_organisation_id", flat=True
        )
    ) | {case.opened_by_organisation_id}
    referrers.discard(user.organisation_id)
    for organisation in Organisation.objects.filter(pk__in=referrers):
        notify(
            organisation=organisation,
            kind="decision_issued",
            case_code=case.code,
            params={"case": case.code, "outcome": outcome},
        )
    return decision
