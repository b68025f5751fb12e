"""Risk assessments, protection measures and named staff: the rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from opennrm import policy
from opennrm.accounts.models import Organisation, User
from opennrm.accounts.roles import Sensitivity
from opennrm.audit.services import audit_record
from opennrm.cases.models import Case, Involvement
from opennrm.cases.services import timeline_add
from opennrm.core import deadlines
from opennrm.core.locking import update_versioned
from opennrm.lib import clean, clock
from opennrm.lib.clean import clean_choice, clean_text
from opennrm.lib.errors import DomainError, NotFound, PermissionDenied
from opennrm.notifications.services import notify
from opennrm.people.models import Person
from opennrm.protection import risk
from opennrm.protection.models import (
    RESTRICTED_LEVELS,
    RISK_ORDER,
    FactorAnswer,
    FamilyAssessment,
    FamilyOutcome,
    MeasureKind,
    NamedStaff,
    ProtectionMeasure,
    RiskAnswer,
    RiskAssessment,
    RiskFactor,
    RiskLevel,
)

TIMELINE_KINDS = (
    "risk_assessed",
    "measure_added",
    "measure_ended",
    "staff_named",
    "staff_unnamed",
    "family_assessed",
)
MIN_REASON = 20


def _require(user: Any, action: str, case: Case) -> None:
    policy.require(user, action, case)


def _measure_params(kind: str, responsible: Organisation | None = None) -> dict[str, str]:
    """The witness programme is known to roles reading legal and security content only; the timeline
    (read by class) says that a measure was taken, not which, nor by whom."""
    if kind == MeasureKind.WITNESS_PROTECTION:
        return {}
    params = {"measure": kind}
    if responsible is not None:
        params["org"] = responsible.name
    return params


def reassess_by(level: str, assessed_on: dt.date) -> dt.date:
    """The level sets how soon the risk is looked at again (per-country deadline table)."""
    r = deadlines.rule(f"risk_reassessment_{level}")
    return assessed_on + dt.timedelta(days=r.amount)


def whereabouts_restriction_refresh(persons: QuerySet[Person] | None = None) -> int:
    """Recompute ``Person.whereabouts_restricted`` (of ``persons``, or of everyone) from the newest
    assessment of each of their cases: one UPDATE. Called wherever assessments are written, so that
    the whereabouts gate may trust the column (protection.selectors.whereabouts_gate)."""
    from opennrm.protection.selectors import restricted_cases

    return (persons if persons is not None else Person.objects.all()).update(
        whereabouts_restricted=Exists(restricted_cases(OuterRef("pk")))
    )


def current_assessment_refresh(cases: QuerySet[Case]) -> None:
    """Mark the newest assessment of each of ``cases`` current and the others not (two UPDATEs over
    the cases' own assessments). Called wherever assessments are written, so that the reassessment
    queue (protection.selectors.reassessments_due) may trust ``RiskAssessment.is_current``."""
    from opennrm.protection.selectors import newest_first

    newest = newest_first(OuterRef("case")).values("pk")[:1]
    rows = RiskAssessment.objects.filter(case__in=cases)
    rows.filter(is_current=True).exclude(pk=Subquery(newest)).update(is_current=False)
    rows.filter(is_current=False, pk=Subquery(newest)).update(is_current=True)


@transaction.atomic
def risk_assess(
    *,
    user: Any,
    case: Case,
    answers: dict[str, str],
    assessed_on: Any = None,
    level: str | None = None,
    raised_reason: str = "",
) -> RiskAssessment:
    """Record an assessment. Every factor is answered (yes / no / not known); the level follows from
    the rule and may be raised, never lowered, with written reasons. At high or critical risk the
    assessor is named to know the person's whereabouts if nobody is yet."""
    _require(user, policy.RISK_MANAGE, case)
    # One assessment at a time per case: the newest one, which the queue marks current, is decided
    # under this lock.
    Case.objects.select_for_update().filter(pk=case.pk).first()
    if not isinstance(answers, dict):
        raise DomainError(_("Answer every risk factor."), field="answers")
    unknown_keys = set(answers) - set(RiskFactor.values)
    if unknown_keys:
        raise DomainError(_("Unknown risk factor."), field=sorted(unknown_keys)[0])
    for factor in RiskFactor.values:
        if factor not in answers:
            raise DomainError(_("Answer every risk factor."), field=factor)
        clean_choice(answers[factor], FactorAnswer, factor)
    day = clean.clean_past_date(assessed_on, "assessed_on", default=clock.today())
    result = risk.assess(answers)
    final = result.level
    raised_reason = clean_text(raised_reason, "raised_reason", 500)
    if level not in (None, ""):
        clean_choice(level, RiskLevel, "level")
        if RISK_ORDER[level] < RISK_ORDER[result.level]:
            raise DomainError(
                _("The level cannot be lower than the factors give (%(level)s).")
                % {"level": RiskLevel(result.level).label},
                field="level",
            )
        if RISK_ORDER[level] > RISK_ORDER[result.level] and len(raised_reason) < MIN_REASON:
            raise DomainError(
                _("Write why the level is raised (at least %(n)d characters).") % {"n": MIN_REASON},
                field="raised_reason",
            )
        final = level
    if final == result.level:
        raised_reason = ""
    assessment = RiskAssessment.objects.create(
        case=case,
        assessed_on=day,
        organisation_id=user.organisation_id,
        computed_level=result.level,
        level=final,
        raised_reason=raised_reason,
        reassess_by=reassess_by(final, day),
        created_by=user,
        updated_by=user,
    )
    RiskAnswer.objects.bulk_create(
        RiskAnswer(assessment=assessment, factor=f, answer=answers[f]) for f in RiskFactor.values
    )
    if (
        final in RESTRICTED_LEVELS
        and not NamedStaff.objects.filter(case=case, ended_at__isnull=True).exists()
    ):
        _name(user=user, case=case, named=user)
    current_assessment_refresh(Case.objects.filter(pk=case.pk))
    whereabouts_restriction_refresh(Person.objects.filter(pk=case.person_id))
    # The person in memory too: the rest of this request asks the gate with it.
    case.person.refresh_from_db(fields=["whereabouts_restricted"])
    policy.forget()
    timeline_add(
        case=case, user=user, kind="risk_assessed", params={"level": final}, sensitivity=Sensitivity.SECURITY
    )
    audit_record(
        actor=user,
        action="create",
        object_type="risk_assessment",
        object_id=assessment.pk,
        case_code=case.code,
        detail={"level": final, "computed": result.level},
    )
    return assessment


@transaction.atomic
def measure_add(
    *, user: Any, case: Case, kind: str, responsible: Organisation, started_on: Any = None
) -> ProtectionMeasure:
    _require(user, policy.RISK_MANAGE, case)
    clean_choice(kind, MeasureKind, "kind")
    if not isinstance(responsible, Organisation) or not responsible.is_active:
        raise DomainError(_("Choose an active organisation."), field="responsible")
    if not Involvement.objects.active().filter(case=case, organisation=responsible).exists():
        # A measure (and its notice) goes to an organisation that already has a part in the case.
        raise DomainError(
            _("The responsible organisation must be involved in the case: refer the case to it first."),
            field="responsible",
        )
    if (
        kind != MeasureKind.OTHER
        and ProtectionMeasure.objects.filter(case=case, kind=kind, ended_on__isnull=True).exists()
    ):
        raise DomainError(_("This measure is already in place."), field="kind")
    measure = ProtectionMeasure.objects.create(
        case=case,
        kind=kind,
        responsible=responsible,
        started_on=clean.clean_past_date(started_on, "started_on", default=clock.today()),
        created_by=user,
        updated_by=user,
    )
    timeline_add(
        case=case,
        user=user,
        kind="measure_added",
        params=_measure_params(kind, responsible),
        sensitivity=Sensitivity.SECURITY,
    )
    audit_record(
        actor=user,
        action="create",
        object_type="protection_measure",
        object_id=measure.pk,
        case_code=case.code,
        detail={"kind": kind},
    )
    for org in Organisation.objects.filter(pk=responsible.pk).exclude(pk=user.organisation_id):
        notify(
            organisation=org,
            kind="protection_measure",
            case_code=case.code,
            params={"org": user.organisation.name},
        )
    return measure


@transaction.atomic
def measure_end(
    *, user: Any, measure: ProtectionMeasure, expected_version: int, ended_on: Any = None, reason: str = ""
) -> ProtectionMeasure:
    case = measure.case
    _require(user, policy.RISK_MANAGE, case)
    if measure.ended_on is not None:
        raise DomainError(_("This measure has already ended."), field="ended_on")
    day = clean.clean_past_date(ended_on, "ended_on", default=clock.today())
    if day < measure.started_on:
        raise DomainError(_("The end cannot be before the start."), field="ended_on")
    reason = clean_text(reason, "reason", 300, required=True)
    update_versioned(
        measure, expected_version=expected_version, user=user, fields={"ended_on": day, "end_reason": reason}
    )
    timeline_add(
        case=case,
        user=user,
        kind="measure_ended",
        params=_measure_params(measure.kind),
        sensitivity=Sensitivity.SECURITY,
    )
    audit_record(
        actor=user,
        action="update",
        object_type="protection_measure",
        object_id=measure.pk,
        case_code=case.code,
    )
    return measure


def _name(*, user: Any, case: Case, named: User) -> NamedStaff:
    row = NamedStaff.objects.create(
        case=case, user=named, started_at=clock.now(), created_by=user, updated_by=user
    )
    timeline_add(
        case=case,
        user=user,
        kind="staff_named",
        params={"org": named.organisation.name if named.organisation is not None else ""},
        sensitivity=Sensitivity.SECURITY,
    )
    audit_record(
        actor=user,
        action="permission_change",
        object_type="named_staff",
        object_id=row.pk,
        case_code=case.code,
        detail={"user": named.username, "named": True},
    )
    return row


@transaction.atomic
def staff_name(*, user: Any, case: Case, named: User) -> NamedStaff:
    """Name a user of an organisation involved in the case to know where the person is."""
    _require(user, policy.STAFF_NAME, case)
    if not isinstance(named, User) or not named.is_active:
        raise DomainError(_("Choose an active user."), field="user")
    if not Involvement.objects.active().filter(case=case, organisation_id=named.organisation_id).exists():
        raise DomainError(_("Only staff of an organisation involved in the case can be named."), field="user")
    if NamedStaff.objects.filter(case=case, user=named, ended_at__isnull=True).exists():
        raise DomainError(_("This person is already named."), field="user")
    row = _name(user=user, case=case, named=named)
    policy.forget()
    return row


@transaction.atomic
def staff_unname(*, user: Any, row: NamedStaff, expected_version: int) -> NamedStaff:
    case = row.case
    _require(user, policy.STAFF_NAME, case)
    if row.ended_at is not None:
        raise DomainError(_("This person is no longer named."), field="user")
    update_versioned(row, expected_version=expected_version, user=user, fields={"ended_at": clock.now()})
    policy.forget()
    timeline_add(case=case, user=user, kind="staff_unnamed", params={}, sensitivity=Sensitivity.SECURITY)
    audit_record(
        actor=user,
        action="permission_change",
        object_type="named_staff",
        object_id=row.pk,
        case_code=case.code,
        detail={"user": row.user.username, "named": False},
    )
    return row


def measure_in_case(*, user: Any, case: Case, pk: int) -> ProtectionMeasure:
    if not policy.reads(user, Sensitivity.SECURITY):
        raise PermissionDenied()
    measure = ProtectionMeasure.objects.filter(case=case, pk=pk).select_related("case").first()
    if measure is None:
        raise NotFound()
    return measure


@transaction.atomic
def family_assess(*, user: Any, case: Case, outcome: str, assessed_on: Any = None) -> FamilyAssessment:
    """The centre for social work records whether a child may go back to the family."""
    _require(user, policy.FAMILY_ASSESS, case)
    if not case.is_child:
        raise DomainError(_("A family assessment is recorded for a child."), field="case")
    clean_choice(outcome, FamilyOutcome, "outcome")
    row = FamilyAssessment.objects.create(
        case=case,
        assessed_on=clean.clean_past_date(assessed_on, "assessed_on", default=clock.today()),
        organisation_id=user.organisation_id,
        outcome=outcome,
        created_by=user,
        updated_by=user,
    )
    timeline_add(case=case, user=user, kind="family_assessed", params={"outcome": outcome})
    audit_record(
        actor=user,
        action="create",
        object_type="family_assessment",
        object_id=row.pk,
        case_code=case.code,
        detail={"outcome": outcome},
    )
    return row
