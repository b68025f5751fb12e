"""Needs assessments, the assistance plan and its services: the rules.

Assistance does not depend on cooperation with police or prosecution (CETS 197 Art. 12(6)). No
function here takes, reads or stores the person's stance towards the authorities; a provider who
declines a service because the person does not cooperate has that decline flagged, counted for the
national coordinator and reported to the coordinating organisation.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opennrm import policy
from opennrm.accounts.models import Organisation
from opennrm.accounts.models import OrganisationType as OT
from opennrm.accounts.roles import Perm
from opennrm.assistance.models import (
    OPEN_SERVICE_STATUSES,
    AssessedNeed,
    AssistancePlan,
    AssistanceService,
    ConsentHow,
    CooperationRecord,
    CooperationStance,
    DataConsent,
    DeclineReason,
    NeedPriority,
    NeedsAssessment,
    ServiceStatus,
    ServiceType,
    service_sensitivity,
)
from opennrm.audit.services import audit_record
from opennrm.cases.models import WHEREABOUTS_PARAM, Case, CaseStatus, Involvement, InvolvementRole
from opennrm.cases.services import case_status_set, timeline_add
from opennrm.core.locking import update_versioned
from opennrm.lib import clean, clock
from opennrm.lib.clean import clean_choice, clean_date, clean_text
from opennrm.lib.errors import DomainError, NotFound, PermissionDenied
from opennrm.lib.scripts import fold
from opennrm.notifications.services import notify
from opennrm.protection import selectors as protection_selectors

TIMELINE_KINDS = (
    "needs_assessed",
    "plan_opened",
    "plan_approved",
    "service_requested",
    "service_status",
    "service_consent_withdrawn",
    "cooperation_recorded",
)

# A person is assisted from reasonable grounds on (presumed victim), and while identified.
ASSISTABLE = (CaseStatus.PRESUMED_VICTIM, CaseStatus.IDENTIFIED, CaseStatus.ASSISTED)

# Who can provide what. The Centre may provide or arrange anything.
_ALL = (OT.CENTRE,)
SERVICE_PROVIDERS: dict[str, tuple[str, ...]] = {
    ServiceType.SAFE_ACCOMMODATION: (*_ALL, OT.SHELTER, OT.NGO, OT.SOCIAL_WORK_CENTRE),
    ServiceType.MEDICAL_CARE: (*_ALL, OT.HEALTH, OT.NGO),
    ServiceType.PSYCHOLOGICAL_SUPPORT: (*_ALL, OT.HEALTH, OT.NGO, OT.SOCIAL_WORK_CENTRE),
    ServiceType.PSYCHOSOCIAL_SUPPORT: (*_ALL, OT.NGO, OT.SOCIAL_WORK_CENTRE, OT.SHELTER),
    ServiceType.LEGAL_COUNSELLING: (*_ALL, OT.NGO),
    ServiceType.LEGAL_AID: (*_ALL, OT.NGO),
    ServiceType.INTERPRETATION: (*_ALL, OT.NGO, OT.SOCIAL_WORK_CENTRE, OT.INTERNATIONAL_ORGANISATION),
    ServiceType.MATERIAL_SUPPORT: (*_ALL, OT.SOCIAL_WORK_CENTRE, OT.NGO, OT.INTERNATIONAL_ORGANISATION),
    ServiceType.EDUCATION: (*_ALL, OT.SCHOOL, OT.NGO, OT.SOCIAL_WORK_CENTRE),
    ServiceType.VOCATIONAL_TRAINING: (*_ALL, OT.NGO, OT.SOCIAL_WORK_CENTRE, OT.INTERNATIONAL_ORGANISATION),
    ServiceType.EMPLOYMENT: (*_ALL, OT.NGO, OT.SOCIAL_WORK_CENTRE, OT.INTERNATIONAL_ORGANISATION),
    ServiceType.FAMILY_TRACING: (*_ALL, OT.SOCIAL_WORK_CENTRE, OT.INTERNATIONAL_ORGANISATION, OT.NGO),
    ServiceType.SAFE_RETURN: (*_ALL, OT.INTERNATIONAL_ORGANISATION, OT.NGO, OT.SOCIAL_WORK_CENTRE),
}

# The involvement a service grants when the person agrees to share the case file.
_ROLE_FOR_PROVIDER: dict[str, InvolvementRole] = {
    OT.SHELTER: InvolvementRole.SHELTER,
    OT.HEALTH: InvolvementRole.HEALTH,
}

# Words that state non-cooperation with the authorities as the reason, in English and Serbian (either
# script: the text is folded to Latin first). A backstop for a reason typed as text rather than chosen.
_NON_COOPERATION = re.compile(
    r"co-?operat|statement|testif|witness|\bpolice|\binvestigat|\bprosecut|\bcourt\b|"
    r"sarad|saradj|izjav|svedo|svjedo|iskaz|\bpolic|\bistrag|\btuzil|\bsud\b|\bsudu\b|\bsuda\b"
)

MIN_REASON = 10
FUTURE_PLANNING_DAYS = 366


def _where(service_type: str) -> dict[str, bool]:
    """The provider of safe accommodation is where the person sleeps (cases.models.WHEREABOUTS_PARAM)."""
    return {WHEREABOUTS_PARAM: True} if service_type == ServiceType.SAFE_ACCOMMODATION else {}


def mentions_non_cooperation(text: str) -> bool:
    return bool(_NON_COOPERATION.search(fold(text or "")))


def _require(user: Any, action: str, case: Case) -> None:
    policy.require(user, action, case)


def _assistable(case: Case) -> None:
    if case.status not in ASSISTABLE:
        raise DomainError(
            _(
                "Assistance is planned for a presumed or identified victim; this case is %(status)s. "
                "Record reasonable grounds or the identification decision first."
            )
            % {"status": CaseStatus(case.status).label},
            field="case",
        )


def _bump(plan: AssistancePlan, user: Any) -> None:
    """A change to the plan's services is a new version of the plan (a child's guardian approves a
    version). Not an optimistic-lock check: adding a service overwrites nothing."""
    AssistancePlan.objects.filter(pk=plan.pk).update(version=F("version") + 1, updated_by=user)
    plan.refresh_from_db(fields=["version"])


# --- Needs -----------------------------------------------------------------------------------------


@transaction.atomic
def needs_assess(
    *,
    user: Any,
    case: Case,
    needs: dict[str, str],
    assessed_on: Any = None,
    with_person: bool = True,
    interpreter_language: str = "",
) -> NeedsAssessment:
    """Record what the person needs (service type -> priority), assessed with them."""
    _require(user, policy.PLAN_MANAGE, case)
    _assistable(case)
    if not isinstance(needs, dict) or not needs:
        raise DomainError(_("Choose at least one need."), field="needs")
    for service_type, priority in needs.items():
        clean_choice(service_type, ServiceType, "needs")
        clean_choice(priority, NeedPriority, "needs")
    assessment = NeedsAssessment.objects.create(
        case=case,
        assessed_on=clean.clean_past_date(assessed_on, "assessed_on", default=clock.today()),
        organisation_id=user.organisation_id,
        with_person=bool(with_person),
        interpreter_language=clean_text(interpreter_language, "interpreter_language", 20),
        created_by=user,
        updated_by=user,
    )
    AssessedNeed.objects.bulk_create(
        AssessedNeed(assessment=assessment, service_type=t, priority=p) for t, p in sorted(needs.items())
    )
    timeline_add(case=case, user=user, kind="needs_assessed", params={"count": len(needs)})
    audit_record(
        actor=user,
        action="create",
        object_type="needs_assessment",
        object_id=assessment.pk,
        case_code=case.code,
    )
    return assessment


# --- Plan ------------------------------------------------------------------------------------------


def _plan_open(user: Any, case: Case, *, agreed_with_person_on: Any = None, review_due_on: Any = None):
    today = clock.today()
    agreed = (
        clean.clean_past_date(agreed_with_person_on, "agreed_with_person_on")
        if agreed_with_person_on
        else None
    )
    review = clean_date(review_due_on, "review_due_on")
    if review is not None and review < today:
        raise DomainError(_("The next review cannot be in the past."), field="review_due_on")
    plan = AssistancePlan.objects.create(
        case=case,
        organisation_id=user.organisation_id,
        opened_on=today,
        agreed_with_person_on=agreed,
        review_due_on=review,
        created_by=user,
        updated_by=user,
    )
    timeline_add(case=case, user=user, kind="plan_opened", params={})
    audit_record(
        actor=user, action="create", object_type="assistance_plan", object_id=plan.pk, case_code=case.code
    )
    return plan


@transaction.atomic
def plan_open(
    *, user: Any, case: Case, agreed_with_person_on: Any = None, review_due_on: Any = None
) -> AssistancePlan:
    _require(user, policy.PLAN_MANAGE, case)
    _assistable(case)
    if AssistancePlan.objects.filter(case=case).exists():
        raise DomainError(_("This case already has an assistance plan."), field="case")
    return _plan_open(user, case, agreed_with_person_on=agreed_with_person_on, review_due_on=review_due_on)


@transaction.atomic
def plan_update(
    *,
    user: Any,
    plan: AssistancePlan,
    expected_version: int,
    agreed_with_person_on: Any = None,
    review_due_on: Any = None,
) -> AssistancePlan:
    _require(user, policy.PLAN_MANAGE, plan.case)
    agreed = (
        clean.clean_past_date(agreed_with_person_on, "agreed_with_person_on")
        if agreed_with_person_on
        else None
    )
    review = clean_date(review_due_on, "review_due_on")
    if review is not None and review < clock.today():
        raise DomainError(_("The next review cannot be in the past."), field="review_due_on")
    update_versioned(
        plan,
        expected_version=expected_version,
        user=user,
        fields={"agreed_with_person_on": agreed, "review_due_on": review},
    )
    audit_record(
        actor=user,
        action="update",
        object_type="assistance_plan",
        object_id=plan.pk,
        case_code=plan.case.code,
    )
    return plan


@transaction.atomic
def plan_approve(*, user: Any, plan: AssistancePlan, expected_version: int) -> AssistancePlan:
    """The child's guardian approves this version of the plan."""
    case = plan.case
    _require(user, policy.PLAN_APPROVE, case)
    if not case.is_child:
        raise DomainError(_("Only a child's plan needs the guardian's approval."), field="case")
    update_versioned(
        plan,
        expected_version=expected_version,
        user=user,
        # The version this write produces is the one approved.
        fields={
            "guardian_approved_version": expected_version + 1,
            "guardian_approved_at": clock.now(),
            "guardian_approved_by": user,
        },
    )
    timeline_add(case=case, user=user, kind="plan_approved", params={"version": plan.version})
    audit_record(
        actor=user,
        action="approve",
        object_type="assistance_plan",
        object_id=plan.pk,
        case_code=case.code,
        detail={"version": plan.version},
    )
    return plan


# --- Services --------------------------------------------------------------------------------------


def provides(organisation: Organisation, service_type: str) -> bool:
    return organisation.type in SERVICE_PROVIDERS.get(service_type, ())


def provider_choices(service_type: str | None = None) -> Any:
    types = (
        SERVICE_PROVIDERS.get(service_type, ())
        if service_type
        else sorted({t for ts in SERVICE_PROVIDERS.values() for t in ts})
    )
    return Organisation.objects.filter(is_active=True, type__in=list(types)).order_by("name")


@transaction.atomic
def service_request(
    *,
    user: Any,
    case: Case,
    service_type: str,
    provider: Organisation,
    planned_from: Any,
    data_consent: str,
    consent_how: str,
    consent_on: Any = None,
    planned_until: Any = None,
    urgent: bool = False,
    interpreter_language: str | None = None,
) -> AssistanceService:
    """Add a service to the plan (opening the plan if there is none) and send it to the provider.

    The provider joins the case only if the person agreed to share the case file with it; otherwise
    it receives the request alone, under the case code."""
    _require(user, policy.PLAN_MANAGE, case)
    _assistable(case)
    if case.closures.filter(status="requested").exists():
        raise DomainError(
            _("A closure of this case awaits review: refuse it first to plan new services."), field="case"
        )
    clean_choice(service_type, ServiceType, "service_type")
    clean_choice(data_consent, DataConsent, "data_consent")
    clean_choice(consent_how, ConsentHow, "consent_how")
    if not isinstance(provider, Organisation):
        raise DomainError(_("Choose the provider."), field="provider")
    if not provider.is_active:
        raise DomainError(_("This organisation is not active."), field="provider")
    if not provides(provider, service_type):
        raise DomainError(
            _("A %(type)s does not provide %(service)s.")
            % {"type": provider.get_type_display(), "service": ServiceType(service_type).label},
            field="provider",
        )
    if service_type == ServiceType.SAFE_RETURN and not protection_selectors.family_return_allowed(case):
        # CETS 197 Art. 16(7): no child is returned without an assessment of the family and the risks.
        raise DomainError(
            _(
                "A child's safe return is planned only after the centre for social work's family "
                "assessment found it in the child's best interests."
            ),
            field="service_type",
        )
    today = clock.today()
    start = clean_date(planned_from, "planned_from")
    if start is None:
        raise DomainError(_("This field is required."), field="planned_from")
    if start > today + dt.timedelta(days=FUTURE_PLANNING_DAYS):
        raise DomainError(_("Plan services at most a year ahead."), field="planned_from")
    until = clean_date(planned_until, "planned_until")
    if until is not None and until < start:
        raise DomainError(_("The end cannot be before the start."), field="planned_until")
    consent_date = clean.clean_past_date(consent_on, "consent_on", default=today)
    if interpreter_language is None:
        # The person's languages travel with every appointment when an interpreter is needed.
        person = case.person
        interpreter_language = ", ".join(person.languages or []) if person.interpreter_needed else ""
    interpreter_language = clean_text(interpreter_language, "interpreter_language", 20)
    if AssistanceService.objects.filter(
        case=case,
        service_type=service_type,
        provider=provider,
        status__in=OPEN_SERVICE_STATUSES,
    ).exists():
        raise DomainError(_("This provider already has this service open in the case."), field="service_type")
    plan = AssistancePlan.objects.filter(case=case).first() or _plan_open(user, case)
    involvement = None
    if data_consent == DataConsent.CASE_FILE:
        # Each service holds its own involvement, so that ending it never ends the access another
        # service or a placement relies on. It carries the service's class: a clinic giving therapy is
        # not listed to a reader who may not learn of therapy.
        role = (
            InvolvementRole.SHELTER
            if service_type == ServiceType.SAFE_ACCOMMODATION
            else _ROLE_FOR_PROVIDER.get(provider.type, InvolvementRole.SERVICE_PROVIDER)
        )
        involvement = Involvement.objects.create(
            case=case,
            organisation=provider,
            role=role,
            sensitivity=service_sensitivity(service_type),
            started_at=clock.now(),
            created_by=user,
            updated_by=user,
        )
        policy.forget()
    service = AssistanceService.objects.create(
        plan=plan,
        case=case,
        service_type=service_type,
        sensitivity=service_sensitivity(service_type),
        provider=provider,
        urgent=bool(urgent),
        requested_on=today,
        planned_from=start,
        planned_until=until,
        data_consent=data_consent,
        consent_how=consent_how,
        consent_on=consent_date,
        interpreter_language=interpreter_language,
        involvement=involvement,
        created_by=user,
        updated_by=user,
    )
    _bump(plan, user)
    timeline_add(
        case=case,
        user=user,
        kind="service_requested",
        params={"service": service_type, "org": provider.name, **_where(service_type)},
        sensitivity=service.sensitivity,
    )
    audit_record(
        actor=user,
        action="permission_change" if involvement else "create",
        object_type="assistance_service",
        object_id=service.pk,
        case_code=case.code,
        detail={"to": provider.code, "service": service_type, "consent": data_consent},
    )
    notify(
        organisation=provider,
        kind="service_requested",
        case_code=case.code,
        params={"org": user.organisation.name},
    )
    return service


def _end_involvement(*, user: Any, service: AssistanceService, reason: str) -> None:
    involvement = service.involvement
    if involvement is None or involvement.ended_at is not None:
        return
    update_versioned(
        involvement,
        expected_version=involvement.version,
        user=user,
        fields={"ended_at": clock.now(), "end_reason": reason},
    )
    policy.forget()
    audit_record(
        actor=user,
        action="permission_change",
        object_type="involvement",
        object_id=involvement.pk,
        case_code=service.case.code,
        detail={"ended": True, "service": service.pk},
    )


def service_for_provider(*, user: Any, pk: int) -> AssistanceService:
    """A service addressed to the user's organisation (404 otherwise): the provider acts on the
    request even when the person did not agree to share the case file with it."""
    if not policy.has_perm(user, Perm.CASE_VIEW) or not user.organisation_id:
        raise NotFound()
    service = (
        AssistanceService.objects.select_related("case", "provider", "plan")
        .filter(pk=pk, provider_id=user.organisation_id)
        .first()
    )
    if service is None:
        raise NotFound()
    return service


@transaction.atomic
def service_update_status(
    *,
    user: Any,
    service: AssistanceService,
    status: str,
    expected_version: int,
    on: Any = None,
    decline_reason: str = "",
    reason: str = "",
) -> AssistanceService:
    """Move a service on. The provider accepts, starts, completes or declines its own service; the
    coordinator records that the person refused it (and may move on a service it provides itself)."""
    clean_choice(status, ServiceStatus, "status")
    case = service.case
    is_provider = service.provider_id == user.organisation_id and policy.has_perm(user, Perm.CASE_VIEW)
    is_coordinator = policy.can(user, policy.PLAN_MANAGE, case)
    if not (is_provider or is_coordinator):
        if not policy.can(user, Perm.CASE_VIEW, case):
            raise NotFound()
        raise PermissionDenied()
    if status not in service.next_statuses():
        raise DomainError(
            _("A service that is %(old)s cannot become %(new)s.")
            % {"old": ServiceStatus(service.status).label, "new": ServiceStatus(status).label},
            field="status",
        )
    if status not in service.steps_for(provider=is_provider, coordinator=is_coordinator):
        if status == ServiceStatus.REFUSED_BY_PERSON:
            raise DomainError(
                _("The organisation coordinating the case records the person's refusal."), field="status"
            )
        raise DomainError(_("Only the provider can record this step."), field="status")
    day = clean.clean_past_date(on, "on", default=clock.today())
    # Each step on or after the one before it.
    earliest = service.started_on or service.accepted_on or service.requested_on
    if day < earliest:
        raise DomainError(
            _("The date cannot be before %(date)s, the service's previous step.")
            % {"date": earliest.isoformat()},
            field="on",
        )
    if decline_reason:
        clean_choice(decline_reason, DeclineReason, "decline_reason")
    fields: dict[str, Any] = {"status": status}
    if status == ServiceStatus.ACCEPTED:
        fields["accepted_on"] = day
    elif status == ServiceStatus.IN_PROGRESS:
        fields["started_on"] = day
    else:
        fields["ended_on"] = day
    ending = status in (ServiceStatus.DECLINED_BY_PROVIDER, ServiceStatus.REFUSED_BY_PERSON)
    if ending:
        reason = clean_text(reason, "reason", 500, required=True)
        if len(reason) < MIN_REASON:
            raise DomainError(_("Write at least %(n)d characters.") % {"n": MIN_REASON}, field="reason")
        if status == ServiceStatus.DECLINED_BY_PROVIDER:
            if not decline_reason:
                raise DomainError(_("This field is required."), field="decline_reason")
            clean_choice(decline_reason, DeclineReason, "decline_reason")
        fields["decline_reason"] = decline_reason or ""
        fields["reason"] = reason
        fields["non_cooperation_flag"] = decline_reason == DeclineReason.NON_COOPERATION or (
            mentions_non_cooperation(reason)
        )
    update_versioned(service, expected_version=expected_version, user=user, fields=fields)
    if status == ServiceStatus.IN_PROGRESS and case.status == CaseStatus.IDENTIFIED:
        case_status_set(user=user, case=case, status=CaseStatus.ASSISTED)
    if ending or status == ServiceStatus.COMPLETED:
        _end_involvement(user=user, service=service, reason=gettext_noop("service ended"))
    _bump(service.plan, user)
    timeline_add(
        case=case,
        user=user,
        kind="service_status",
        params={
            "service": service.service_type,
            "status": status,
            "org": service.provider.name,
            **_where(service.service_type),
        },
        sensitivity=service.sensitivity,
    )
    audit_record(
        actor=user,
        action="update",
        object_type="assistance_service",
        object_id=service.pk,
        case_code=case.code,
        detail={"status": status, "flag": service.non_cooperation_flag},
    )
    if service.non_cooperation_flag:
        _report_conditioned(user=user, service=service)
    elif status == ServiceStatus.DECLINED_BY_PROVIDER:
        _tell_coordinators(service=service, kind="service_declined")
    return service


def _coordinators(case: Case) -> list[int]:
    return list(
        Involvement.objects.active()
        .filter(case=case, role__in=[InvolvementRole.IDENTIFYING_BODY, InvolvementRole.CASE_COORDINATION])
        .values_list("organisation_id", flat=True)
        .distinct()
    )


def _tell_coordinators(*, service: AssistanceService, kind: str) -> None:
    for org in Organisation.objects.filter(pk__in=_coordinators(service.case)):
        notify(
            organisation=org,
            kind=kind,
            case_code=service.case.code,
            params={"org": service.provider.name},
        )


def _report_conditioned(*, user: Any, service: AssistanceService) -> None:
    """Conditioning assistance on cooperation is a violation: it goes on the record of its own."""
    audit_record(
        actor=user,
        action="assistance_conditioned",
        object_type="assistance_service",
        object_id=service.pk,
        case_code=service.case.code,
        detail={"provider": service.provider.code, "service": service.service_type},
    )
    _tell_coordinators(service=service, kind="service_conditioned")


@transaction.atomic
def service_consent_withdraw(
    *, user: Any, service: AssistanceService, expected_version: int, withdrawn_on: Any = None
) -> AssistanceService:
    """The person no longer lets the provider read the case file: its access ends, the request stays."""
    _require(user, policy.PLAN_MANAGE, service.case)
    if service.data_consent != DataConsent.CASE_FILE or service.consent_withdrawn_on is not None:
        raise DomainError(_("There is no consent to share the case file to withdraw."), field="data_consent")
    day = clean.clean_past_date(withdrawn_on, "withdrawn_on", default=clock.today())
    if day < service.consent_on:
        raise DomainError(_("Consent cannot be withdrawn before it was given."), field="withdrawn_on")
    update_versioned(
        service,
        expected_version=expected_version,
        user=user,
        fields={"consent_withdrawn_on": day, "data_consent": DataConsent.REQUEST_ONLY},
    )
    _end_involvement(user=user, service=service, reason=gettext_noop("consent withdrawn"))
    audit_record(
        actor=user,
        action="permission_change",
        object_type="assistance_service",
        object_id=service.pk,
        case_code=service.case.code,
        detail={"consent": "withdrawn"},
    )
    timeline_add(
        case=service.case,
        user=user,
        kind="service_consent_withdrawn",
        params={
            "service": service.service_type,
            "org": service.provider.name,
            **_where(service.service_type),
        },
        sensitivity=service.sensitivity,
    )
    return service


# --- Cooperation (recorded apart; nothing reads it) ---------------------------------------------


@transaction.atomic
def cooperation_record(*, user: Any, case: Case, stance: str, recorded_on: Any = None) -> CooperationRecord:
    """Record the person's stance towards giving a statement. Deliberately changes nothing else."""
    policy.require(user, policy.COOPERATION_RECORD, case)
    clean_choice(stance, CooperationStance, "stance")
    record = CooperationRecord.objects.create(
        case=case,
        stance=stance,
        recorded_on=clean.clean_past_date(recorded_on, "recorded_on", default=clock.today()),
        organisation_id=user.organisation_id,
        created_by=user,
        updated_by=user,
    )
    timeline_add(
        case=case, user=user, kind="cooperation_recorded", params={"stance": stance}, sensitivity="legal"
    )
    audit_record(
        actor=user,
        action="create",
        object_type="cooperation_record",
        object_id=record.pk,
        case_code=case.code,
    )
    return record
