"""Referrals: an organisation asks another to take a part in a case, by a deadline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from opennrm import policy
from opennrm.accounts.models import Organisation, OrganisationType
from opennrm.accounts.roles import Perm, RoleCode
from opennrm.audit.services import audit_record
from opennrm.cases.models import WHEREABOUTS_PARAM, Case, CaseStatus, Involvement, InvolvementRole
from opennrm.cases.services import case_status_set, timeline_add
from opennrm.core import deadlines
from opennrm.core.locking import update_versioned
from opennrm.identification.models import Referral, ReferralPurpose, ReferralStatus
from opennrm.identification.services.procedure import procedure_start
from opennrm.lib import clock
from opennrm.lib.clean import clean_choice, clean_text
from opennrm.lib.errors import DomainError, NotFound, PermissionDenied
from opennrm.notifications.services import notify

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


def _where(purpose: str) -> dict[str, bool]:
    """A referral to a shelter names where the person will sleep (see cases.models.WHEREABOUTS_PARAM)."""
    return {WHEREABOUTS_PARAM: True} if purpose == ReferralPurpose.SHELTER else {}


# First-line organisations refer for identification and to the criminal justice bodies (where the law
# obliges them to report a crime); referring on to services is for the coordinating organisation.
FIRST_LINE_PURPOSES = {
    ReferralPurpose.IDENTIFICATION,
    ReferralPurpose.INVESTIGATION,
    ReferralPurpose.PROSECUTION,
}

# --- Referrals ---------------------------------------------------------------------------------


def purposes_for(*, user: Any, case: Case) -> list[str]:
    """The purposes this user may refer the case for: first-line ones, or all for the coordinator."""
    if policy.can(user, policy.REFERRAL_SERVICES, case):
        return list(ReferralPurpose.values)
    return [p for p in ReferralPurpose.values if p in FIRST_LINE_PURPOSES]


def receives(organisation: Organisation, purpose: str, case: Case) -> bool:
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
    clean_choice(purpose, ReferralPurpose, "purpose")
    if purpose not in purposes_for(user=user, case=case):
        raise PermissionDenied()
    if to_organisation.pk == user.organisation_id:
        raise DomainError(_("Your organisation cannot refer a case to itself."), field="to_organisation")
    if not to_organisation.is_active:
        raise DomainError(_("This organisation is not active."), field="to_organisation")
    if not receives(to_organisation, purpose, case):
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
    now = clock.now()
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
        case_status_set(user=user, case=case, status=CaseStatus.REFERRED)
    timeline_add(
        case=case,
        user=user,
        kind="referral_made",
        params={
            "org": to_organisation.name,
            "purpose": purpose,
            "due": referral.due_at.isoformat(),
            **_where(purpose),
        },
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
    if not referral.respondable_by(user):
        if referral.status != ReferralStatus.PENDING:
            raise DomainError(_("This referral has already been answered."), field="status")
        raise DomainError(
            _("Only the organisation the referral was sent to can respond to it."), field="referral"
        )
    reason = clean_text(reason, "reason", 500, required=not accept)
    case = referral.case
    status = ReferralStatus.ACCEPTED if accept else ReferralStatus.DECLINED
    update_versioned(
        referral,
        expected_version=expected_version,
        user=user,
        fields={"status": status, "responded_at": clock.now(), "responded_by": user, "reason": reason},
    )
    if not accept:
        _end_granted_involvement(user=user, referral=referral, reason=gettext_reason("declined"))
    timeline_add(
        case=case,
        user=user,
        kind="referral_accepted" if accept else "referral_declined",
        params={
            "org": referral.to_organisation.name,
            "purpose": referral.purpose,
            **_where(referral.purpose),
        },
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
        fields={"ended_at": clock.now(), "end_reason": reason},
    )
    policy.forget()


@transaction.atomic
def referral_withdraw(*, user: Any, referral: Referral, reason: str, expected_version: int) -> Referral:
    _referral_in_scope(user, referral)
    if not referral.withdrawable_by(user):
        if referral.status != ReferralStatus.PENDING:
            raise DomainError(_("This referral has already been answered."), field="status")
        raise DomainError(_("Only the referring organisation can withdraw a referral."), field="referral")
    reason = clean_text(reason, "reason", 500, required=True)
    update_versioned(
        referral,
        expected_version=expected_version,
        user=user,
        fields={"status": ReferralStatus.WITHDRAWN, "responded_at": clock.now(), "reason": reason},
    )
    _end_granted_involvement(user=user, referral=referral, reason=gettext_reason("withdrawn"))
    timeline_add(
        case=referral.case,
        user=user,
        kind="referral_withdrawn",
        params={
            "org": referral.to_organisation.name,
            "purpose": referral.purpose,
            **_where(referral.purpose),
        },
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
    now = now or clock.now()
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
