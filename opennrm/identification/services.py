"""Writes of the identification workflow: screening, referral, the procedure, decisions, child and
foreign-national protections.

Every function: keyword-only, one transaction, policy checked first, then input, audit and timeline
written, notifications sent after commit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opennrm import policy
from opennrm.accounts.models import Organisation, OrganisationType
from opennrm.accounts.roles import Perm, RoleCode, Sensitivity
from opennrm.audit.services import audit_record
from opennrm.cases.models import Case, CaseStatus, ExploitationForm, Involvement, InvolvementRole
from opennrm.cases.services import timeline_add
from opennrm.core import crypto, deadlines
from opennrm.core.locking import update_versioned
from opennrm.identification import indicators
from opennrm.identification.models import (
    AgeAssessment,
    AgeOutcome,
    DecisionForm,
    DecisionKind,
    DecisionOutcome,
    GuardianAppointment,
    IdentificationDecision,
    IdentificationProcedure,
    ProcedureRecord,
    ProcedureRecordKind,
    Referral,
    ReferralPurpose,
    ReferralStatus,
    ReflectionPeriod,
    Screening,
    ScreeningAnswer,
    ScreeningSetting,
    decision_aad,
    procedure_record_aad,
)
from opennrm.lib.dates import local_today
from opennrm.lib.errors import DomainError, NotFound, PermissionDenied
from opennrm.notifications.services import notify

MIN_REASONS = 20
MAX_TEXT = 20_000
T = OrganisationType

# Which organisation types may receive a referral for each purpose. Identification goes to the
# Centre; for a child TIP 2021-2022 report centres for social work recognising child victims.
RECEIVERS: dict[str, set[str]] = {
    ReferralPurpose.IDENTIFICATION: {T.CENTRE},
    ReferralPurpose.INVESTIGATION: {T.POLICE},
    ReferralPurpose.PROSECUTION: {T.PROSECUTION},
    ReferralPurpose.GUARDIANSHIP: {T.SOCIAL_WORK_CENTRE},
    ReferralPurpose.ASSISTANCE: {T.NGO, T.SOCIAL_WORK_CENTRE, T.CENTRE, T.INTERNATIONAL_ORGANISATION},
    ReferralPurpose.SHELTER: {T.SHELTER, T.NGO, T.CENTRE},
    ReferralPurpose.HEALTH: {T.HEALTH},
    ReferralPurpose.RETURN: {T.INTERNATIONAL_ORGANISATION, T.FOREIGN_AUTHORITY, T.SOCIAL_WORK_CENTRE},
}
CHILD_IDENTIFIERS = {T.SOCIAL_WORK_CENTRE}

# The part the receiving organisation takes in the case once referred.
ROLE_FOR_PURPOSE: dict[str, str] = {
    ReferralPurpose.IDENTIFICATION: InvolvementRole.IDENTIFYING_BODY,
    ReferralPurpose.INVESTIGATION: InvolvementRole.INVESTIGATING_POLICE,
    ReferralPurpose.PROSECUTION: InvolvementRole.PROSECUTOR,
    ReferralPurpose.GUARDIANSHIP: InvolvementRole.GUARDIAN,
    ReferralPurpose.ASSISTANCE: InvolvementRole.SERVICE_PROVIDER,
    ReferralPurpose.SHELTER: InvolvementRole.SHELTER,
    ReferralPurpose.HEALTH: InvolvementRole.HEALTH,
    ReferralPurpose.RETURN: InvolvementRole.SERVICE_PROVIDER,
}
# First-line organisations refer for identification and to the criminal justice bodies (where the law
# obliges them to report a crime); referring on to services is for the coordinating organisation.
FIRST_LINE_PURPOSES = {
    ReferralPurpose.IDENTIFICATION,
    ReferralPurpose.INVESTIGATION,
    ReferralPurpose.PROSECUTION,
}
DEFAULT_LEGAL_BASIS = (
    "CETS 197 Art. 10; Social Protection Law Art. 41(2)(7); Standard Operating Procedures 2019"
)


def _text(value: Any, field: str, limit: int, *, required: bool = False, minimum: int = 0) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError(_("Enter text."), field=field)
    value = value.strip()
    if required and not value:
        raise DomainError(_("This field is required."), field=field)
    if value and len(value) < minimum:
        raise DomainError(_("Write at least %(n)d characters.") % {"n": minimum}, field=field)
    if len(value) > limit:
        raise DomainError(_("At most %(n)d characters.") % {"n": limit}, field=field)
    return value


def _date(value: Any, field: str, *, default: dt.date | None = None) -> dt.date:
    if value in (None, ""):
        if default is None:
            raise DomainError(_("This field is required."), field=field)
        return default
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value))
        except ValueError:
            raise DomainError(_("Enter a real date as YYYY-MM-DD."), field=field) from None
    if value > local_today():
        raise DomainError(_("The date cannot be in the future."), field=field)
    return value


def _choice(value: Any, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise DomainError(_("Choose one of the listed values."), field=field)
    return value


def _set_status(*, user: Any, case: Case, status: str) -> None:
    """A status that follows from a step of the workflow (not a manual change): one versioned write."""
    if case.status == status:
        return
    old = case.status
    now = timezone.now()
    case.refresh_from_db(fields=["version", "status"])
    update_versioned(
        case,
        expected_version=case.version,
        user=user,
        fields={"status": status, "status_changed_at": now, "closed_at": None},
    )
    timeline_add(case=case, user=user, kind="status_changed", params={"old": old, "new": status})


def is_foreign_national(case: Case) -> bool:
    citizenship = (case.person.citizenship or "").upper()
    return bool(citizenship) and citizenship != settings.COUNTRY_CODE


# --- Screening ---------------------------------------------------------------------------------


@transaction.atomic
def screening_record(
    *,
    user: Any,
    case: Case,
    indicator_set: str,
    version: str,
    answers: dict[str, str],
    setting: str,
    screened_on: Any = None,
    interpreter_used: bool = False,
) -> Screening:
    """Record a screening and its evaluation. The result is a suggestion; the Centre decides."""
    policy.require(user, policy.SCREENING_RECORD, case)
    try:
        iset = indicators.get_set(str(indicator_set), str(version))
    except indicators.UnknownIndicatorSet:
        raise DomainError(
            _("There is no indicator set %(code)s in version %(version)s.")
            % {"code": indicator_set, "version": version},
            field="indicator_set",
        ) from None
    _choice(setting, ScreeningSetting, "setting")
    if not isinstance(answers, dict) or not answers:
        raise DomainError(_("Answer at least one indicator."), field="answers")
    try:
        evaluation = indicators.evaluate(iset, answers, is_child=case.is_child)
    except ValueError as exc:
        raise DomainError(str(exc), field="answers") from None
    screening = Screening.objects.create(
        case=case,
        indicator_set=iset.code,
        indicator_version=iset.version,
        setting=setting,
        screened_on=_date(screened_on, "screened_on", default=local_today()),
        interpreter_used=bool(interpreter_used),
        organisation_id=user.organisation_id,
        as_child=case.is_child,
        recommendation=evaluation.recommendation,
        result=evaluation.as_dict(),
        created_by=user,
        updated_by=user,
    )
    ScreeningAnswer.objects.bulk_create(
        [ScreeningAnswer(screening=screening, indicator=k, answer=v) for k, v in sorted(answers.items())]
    )
    if case.status == CaseStatus.REPORTED:
        _set_status(user=user, case=case, status=CaseStatus.SCREENING)
    timeline_add(
        case=case,
        user=user,
        kind="screening_recorded",
        params={"set": iset.code, "version": iset.version, "recommendation": evaluation.recommendation},
    )
    audit_record(
        actor=user,
        action="create",
        object_type="screening",
        object_id=screening.pk,
        case_code=case.code,
        detail={"set": iset.code, "version": iset.version, "recommendation": evaluation.recommendation},
    )
    return screening


# --- Referrals ---------------------------------------------------------------------------------


def may_receive(organisation: Organisation, purpose: str, case: Case) -> bool:
    allowed = set(RECEIVERS.get(purpose, set()))
    if purpose == ReferralPurpose.IDENTIFICATION and case.is_child:
        allowed |= CHILD_IDENTIFIERS
    return organisation.type in allowed


@transaction.atomic
def referral_create(
    *,
    user: Any,
    case: Case,
    to_organisation: Organisation,
    purpose: str,
    urgent: bool = False,
    batch: str = "",
) -> Referral:
    """Refer a case to another organisation, which is involved at once so it can see what it decides on."""
    policy.require(user, policy.REFERRAL_MAKE, case)
    _choice(purpose, ReferralPurpose, "purpose")
    if purpose not in FIRST_LINE_PURPOSES and not policy.can(user, policy.REFERRAL_SERVICES, case):
        raise PermissionDenied()
    if to_organisation.pk == user.organisation_id:
        raise DomainError(_("Your organisation cannot refer a case to itself."), field="to_organisation")
    if not to_organisation.is_active:
        raise DomainError(_("This organisation is not active."), field="to_organisation")
    if not may_receive(to_organisation, purpose, case):
        raise DomainError(
            _("A %(type)s cannot receive a referral for %(purpose)s.")
            % {
                "type": to_organisation.get_type_display(),
                "purpose": ReferralPurpose(purpose).label,
            },
            field="to_organisation",
        )
    if Referral.objects.filter(
        case=case, to_organisation=to_organisation, purpose=purpose, status=ReferralStatus.PENDING
    ).exists():
        raise DomainError(
            _("This organisation already has a referral for this purpose awaiting response."),
            field="to_organisation",
        )
    now = timezone.now()
    role = ROLE_FOR_PURPOSE[purpose]
    involvement = None
    if not Involvement.objects.active().filter(case=case, organisation=to_organisation, role=role).exists():
        involvement = Involvement.objects.create(
            case=case, organisation=to_organisation, role=role, created_by=user, updated_by=user
        )
        policy.forget()
    referral = Referral.objects.create(
        case=case,
        from_organisation_id=user.organisation_id,
        to_organisation=to_organisation,
        purpose=purpose,
        urgent=bool(urgent),
        due_at=deadlines.due("referral_response", now),
        involvement=involvement,
        batch=batch,
        created_by=user,
        updated_by=user,
    )
    if purpose == ReferralPurpose.IDENTIFICATION and case.status in (
        CaseStatus.REPORTED,
        CaseStatus.SCREENING,
    ):
        _set_status(user=user, case=case, status=CaseStatus.REFERRED)
    timeline_add(
        case=case,
        user=user,
        kind="referral_made",
        params={"org": to_organisation.name, "purpose": purpose, "due": referral.due_at.isoformat()},
    )
    audit_record(
        actor=user,
        action="permission_change" if involvement else "create",
        object_type="referral",
        object_id=referral.pk,
        case_code=case.code,
        detail={"to": to_organisation.code, "purpose": purpose, "granted": bool(involvement)},
    )
    notify(
        organisation=to_organisation,
        kind="referral_received",
        case_code=case.code,
        params={"case": case.code, "org": user.organisation.name, "purpose": purpose},
    )
    return referral


def _referral_in_scope(user: Any, referral: Referral) -> None:
    if not policy.can(user, Perm.CASE_VIEW, referral.case):
        raise NotFound()


@transaction.atomic
def referral_respond(
    *, user: Any, referral: Referral, accept: bool, reason: str = "", expected_version: int
) -> Referral:
    """The receiving organisation accepts or declines (with a reason). Declining ends the access the
    referral granted; accepting a referral for identification opens the procedure."""
    _referral_in_scope(user, referral)
    if referral.to_organisation_id != user.organisation_id:
        raise DomainError(
            _("Only the organisation the referral was sent to can respond to it."), field="referral"
        )
    if referral.status != ReferralStatus.PENDING:
        raise DomainError(_("This referral has already been answered."), field="status")
    reason = _text(reason, "reason", 500, required=not accept)
    case = referral.case
    status = ReferralStatus.ACCEPTED if accept else ReferralStatus.DECLINED
    update_versioned(
        referral,
        expected_version=expected_version,
        user=user,
        fields={"status": status, "responded_at": timezone.now(), "responded_by": user, "reason": reason},
    )
    if not accept:
        _end_granted_involvement(user=user, referral=referral, reason=gettext_reason("declined"))
    timeline_add(
        case=case,
        user=user,
        kind="referral_accepted" if accept else "referral_declined",
        params={"org": referral.to_organisation.name, "purpose": referral.purpose},
    )
    audit_record(
        actor=user,
        action="update",
        object_type="referral",
        object_id=referral.pk,
        case_code=case.code,
        detail={"status": status},
    )
    notify(
        organisation=referral.from_organisation,
        kind="referral_accepted" if accept else "referral_declined",
        case_code=case.code,
        params={"case": case.code, "org": referral.to_organisation.name, "purpose": referral.purpose},
    )
    if (
        accept
        and referral.purpose == ReferralPurpose.IDENTIFICATION
        and policy.can(user, policy.PROCEDURE_RUN, case)
        and not case.procedures.filter(closed_at__isnull=True).exists()
    ):
        procedure_start(user=user, case=case)
    return referral


def gettext_reason(kind: str) -> str:
    # Stored in the involvement's end reason: kept in the source language like other stored labels.
    return {"declined": "referral declined", "withdrawn": "referral withdrawn"}[kind]


def _end_granted_involvement(*, user: Any, referral: Referral, reason: str) -> None:
    involvement = referral.involvement
    if involvement is None or involvement.ended_at is not None:
        return
    update_versioned(
        involvement,
        expected_version=involvement.version,
        user=user,
        fields={"ended_at": timezone.now(), "end_reason": reason},
    )
    policy.forget()


@transaction.atomic
def referral_withdraw(*, user: Any, referral: Referral, reason: str, expected_version: int) -> Referral:
    _referral_in_scope(user, referral)
    if referral.from_organisation_id != user.organisation_id:
        raise DomainError(_("Only the referring organisation can withdraw a referral."), field="referral")
    if referral.status != ReferralStatus.PENDING:
        raise DomainError(_("This referral has already been answered."), field="status")
    reason = _text(reason, "reason", 500, required=True)
    update_versioned(
        referral,
        expected_version=expected_version,
        user=user,
        fields={"status": ReferralStatus.WITHDRAWN, "responded_at": timezone.now(), "reason": reason},
    )
    _end_granted_involvement(user=user, referral=referral, reason=gettext_reason("withdrawn"))
    timeline_add(
        case=referral.case,
        user=user,
        kind="referral_withdrawn",
        params={"org": referral.to_organisation.name, "purpose": referral.purpose},
    )
    audit_record(
        actor=user,
        action="update",
        object_type="referral",
        object_id=referral.pk,
        case_code=referral.case.code,
        detail={"status": ReferralStatus.WITHDRAWN},
    )
    return referral


SUPERVISOR_ROLES = [RoleCode.CENTRE_HEAD]


@transaction.atomic
def referrals_escalate(*, now: dt.datetime | None = None) -> int:
    """Referrals past their deadline without a response: mark them escalated once and tell the
    receiving organisation's supervisors (the Centre head) and the referring organisation.

    Run by ``opennrm identification escalate`` from a timer; the pages compute "overdue" live, so a
    missed run delays the notice, never the display.
    """
    now = now or timezone.now()
    overdue = list(
        Referral.objects.select_for_update()
        .filter(status=ReferralStatus.PENDING, due_at__lt=now, escalated_at__isnull=True)
        .select_related("case", "to_organisation", "from_organisation")
        .order_by("due_at")[:1000]
    )
    for referral in overdue:
        Referral.objects.filter(pk=referral.pk).update(escalated_at=now)
        params = {"case": referral.case.code, "org": referral.to_organisation.name}
        sent = notify(
            organisation=referral.to_organisation,
            kind="referral_overdue",
            case_code=referral.case.code,
            params=params,
            roles=SUPERVISOR_ROLES,
        )
        if not sent:
            # No supervisor role in that organisation: everyone there hears about it.
            notify(
                organisation=referral.to_organisation,
                kind="referral_overdue",
                case_code=referral.case.code,
                params=params,
            )
        notify(
            organisation=referral.from_organisation,
            kind="referral_overdue",
            case_code=referral.case.code,
            params=params,
        )
        timeline_add(
            case=referral.case,
            user=None,
            kind="referral_overdue",
            params=params | {"purpose": referral.purpose},
        )
        audit_record(
            actor=None,
            action="update",
            object_type="referral",
            object_id=referral.pk,
            case_code=referral.case.code,
            detail={"escalated": True},
            actor_username="system",
        )
    return len(overdue)


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
    now = timezone.now()
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
        _set_status(user=user, case=case, status=CaseStatus.PRESUMED_VICTIM)
    if is_foreign_national(case) and not ReflectionPeriod.objects.filter(case=case).exists():
        reflection_period_start(user=user, case=case, starts_on=local_today())
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
    _choice(kind, ProcedureRecordKind, "kind")
    if not policy.can(user, policy.PROCEDURE_RUN, case):
        if kind != ProcedureRecordKind.OPINION:
            raise DomainError(_("Your organisation can give its opinion to the procedure."), field="kind")
        if organisation is not None and organisation.pk != user.organisation_id:
            raise DomainError(_("Give your own organisation's opinion."), field="organisation")
    _choice(sensitivity, Sensitivity, "sensitivity")
    if not policy.may_read_class(user, sensitivity):
        raise DomainError(_("Your role cannot add content of this sensitivity."), field="sensitivity")
    organisation = organisation or user.organisation
    if not case.involvements.filter(organisation=organisation).exists():
        raise DomainError(_("Choose an organisation involved in the case."), field="organisation")
    if screening is not None and screening.case_id != case.pk:
        raise DomainError(_("Choose a screening of this case."), field="screening")
    text = _text(text, "text", MAX_TEXT, required=True)
    key_id, blob = crypto.encrypt({"text": text}, aad=procedure_record_aad(case.code))
    record = ProcedureRecord.objects.create(
        procedure=procedure,
        kind=kind,
        happened_on=_date(happened_on, "happened_on", default=local_today()),
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
    _choice(outcome, DecisionOutcome, "outcome")
    reasons = _text(reasons, "reasons", MAX_TEXT, required=True, minimum=MIN_REASONS)
    legal_basis = _text(legal_basis, "legal_basis", 300, required=True)
    forms = forms or []
    if not isinstance(forms, list):
        raise DomainError(_("Choose one or more forms of exploitation."), field="forms")
    for form in forms:
        _choice(form, ExploitationForm, "forms")
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
    now = timezone.now()
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
        _set_status(user=user, case=case, status=new_status)
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


# --- Children ----------------------------------------------------------------------------------


@transaction.atomic
def age_assessment_record(
    *, user: Any, case: Case, assessed_on: Any, method: str, outcome: str
) -> AgeAssessment:
    """Only an assessment that finds the person an adult lifts the presumption of minority."""
    policy.require(user, policy.AGE_ASSESS, case)
    _choice(outcome, AgeOutcome, "outcome")
    method = _text(method, "method", 200, required=True)
    assessment = AgeAssessment.objects.create(
        case=case,
        assessed_on=_date(assessed_on, "assessed_on"),
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
        appointed_on=_date(appointed_on, "appointed_on"),
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
    today = today or local_today()
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
        ReflectionPeriod.objects.filter(pk=period.pk).update(alert_sent_at=timezone.now())
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
    now = now or timezone.now()
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
