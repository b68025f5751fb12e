"""Residence permits of foreign victims and their entitlement to free health care: the rules.

Who: the organisation coordinating the case (``policy.PLAN_MANAGE``) records both. The permit file is
legal content, so its writer must also read the legal class; health coverage is medical content.

What never happens here: no assistance, placement or service reads the residence ground or the
permit (CETS 197 Art. 12(6); the ground is recorded, nothing depends on it), and the ground is never
put in a notification, an email or anything printable (CETS 197 Art. 11).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, overload

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from opennrm import policy
from opennrm.accounts.models import Organisation, Role
from opennrm.accounts.roles import Perm, Sensitivity
from opennrm.audit.services import audit_record
from opennrm.cases.models import Case, CaseStatus, Involvement, InvolvementRole
from opennrm.cases.services import timeline_add
from opennrm.core.locking import update_versioned
from opennrm.lib import clock
from opennrm.lib.clean import clean_choice, clean_date, clean_text
from opennrm.lib.dates import local_tz
from opennrm.lib.errors import DomainError, PermissionDenied
from opennrm.notifications.services import notify
from opennrm.people.models import is_foreign_national
from opennrm.residence.models import (
    HealthCoverage,
    HealthCoverageBasis,
    PermitDecision,
    ResidenceGround,
    ResidencePermit,
)
from opennrm.residence.rules import OPEN_OR_GRANTED, reminder_lead_days

TIMELINE_KINDS = ("permit_applied", "permit_decided", "permit_renewal_due", "health_coverage_recorded")

MAX_AUTHORITY = 120


# --- Input -----------------------------------------------------------------------------------------


@overload
def _past_date(value: Any, field: str, *, required: Literal[True] = True) -> dt.date: ...


@overload
def _past_date(value: Any, field: str, *, required: bool) -> dt.date | None: ...


def _past_date(value: Any, field: str, *, required: bool = True) -> dt.date | None:
    if isinstance(value, dt.datetime):
        value = value.date()
    parsed = clean_date(value, field)
    if parsed is None:
        if required:
            raise DomainError(_("This field is required."), field=field)
        return None
    if parsed > clock.today():
        raise DomainError(_("The date cannot be in the future."), field=field)
    return parsed


def _date(value: Any, field: str) -> dt.date | None:
    if isinstance(value, dt.datetime):
        value = value.date()
    return clean_date(value, field)


def _require_permit_writer(user: Any, case: Case) -> None:
    """The coordinating organisation records permits; the permit file is legal content, so whoever
    writes it must be able to read it back."""
    policy.require(user, policy.PLAN_MANAGE, case)
    if not policy.reads(user, Sensitivity.LEGAL):
        raise PermissionDenied()


def _foreign_national(case: Case) -> None:
    if not (case.person.citizenship or "").strip():
        raise DomainError(
            _("Record the person's citizenship first: a residence permit is for foreign nationals."),
            field="case",
        )
    if not is_foreign_national(case):
        raise DomainError(
            _("The person is a citizen of this country and needs no residence permit."), field="case"
        )


def _authority(value: Any) -> str:
    return clean_text(value, "issuing_authority", MAX_AUTHORITY)


def _create(**fields: Any) -> ResidencePermit:
    """Insert, turning the database's one-open-application rules into a clear error (two people
    recording the same application at once)."""
    try:
        with transaction.atomic():
            return ResidencePermit.objects.create(**fields)
    except IntegrityError:
        if fields.get("renewal_of") is not None:
            raise DomainError(
                _("This permit already has a renewal under way or granted."), field="permit"
            ) from None
        raise DomainError(_("An application is already pending in this case."), field="case") from None


def _applied(user: Any, case: Case, permit: ResidencePermit) -> None:
    timeline_add(
        case=case,
        user=user,
        kind="permit_applied",
        params={"ground": permit.ground, "renewal": permit.renewal_of_id is not None},
        sensitivity=Sensitivity.LEGAL,
    )
    audit_record(
        actor=user,
        action="create",
        object_type="residence_permit",
        object_id=permit.pk,
        case_code=case.code,
        # The ground stays out of the audit detail too: auditors read the record if they must.
        detail={"renewal_of": permit.renewal_of_id},
    )


# --- Permits ---------------------------------------------------------------------------------------


@transaction.atomic
def permit_apply(
    *, user: Any, case: Case, ground: str, applied_on: Any, issuing_authority: str = ""
) -> ResidencePermit:
    """Record an application for temporary residence (only for a foreign national)."""
    _require_permit_writer(user, case)
    _foreign_national(case)
    clean_choice(ground, ResidenceGround, "ground")
    day = _past_date(applied_on, "applied_on")
    authority = _authority(issuing_authority)
    if ResidencePermit.objects.filter(case=case, decision=PermitDecision.PENDING).exists():
        raise DomainError(_("An application is already pending in this case."), field="case")
    permit = _create(
        case=case,
        ground=ground,
        applied_on=day,
        issuing_authority=authority,
        created_by=user,
        updated_by=user,
    )
    _applied(user, case, permit)
    return permit


@transaction.atomic
def permit_decide(
    *,
    user: Any,
    permit: ResidencePermit,
    decision: str,
    decided_on: Any,
    expected_version: int,
    valid_from: Any = None,
    valid_until: Any = None,
) -> ResidencePermit:
    """Record the authority's decision on an application: granted (with its validity) or refused."""
    case = permit.case
    _require_permit_writer(user, case)
    if decision not in (PermitDecision.GRANTED, PermitDecision.REFUSED):
        raise DomainError(_("Choose granted or refused."), field="decision")
    day = _past_date(decided_on, "decided_on")
    start = _date(valid_from, "valid_from")
    end = _date(valid_until, "valid_until")
    if decision == PermitDecision.GRANTED:
        if start is None:
            raise DomainError(_("A granted permit needs its validity."), field="valid_from")
        if end is None:
            raise DomainError(_("A granted permit needs its validity."), field="valid_until")
        if end < start:
            raise DomainError(_("The end cannot be before the start."), field="valid_until")
    elif start is not None or end is not None:
        raise DomainError(_("A refused application has no validity."), field="valid_from")
    fresh = ResidencePermit.objects.select_for_update().get(pk=permit.pk)
    # A stale form is a conflict (409) even when the other person's change was the decision itself.
    if fresh.version == expected_version and fresh.decision != PermitDecision.PENDING:
        raise DomainError(_("This application has already been decided."), field="decision")
    if day < fresh.applied_on:
        raise DomainError(_("The decision cannot come before the application."), field="decided_on")
    update_versioned(
        fresh,
        expected_version=expected_version,
        user=user,
        fields={"decision": decision, "decided_on": day, "valid_from": start, "valid_until": end},
    )
    timeline_add(
        case=case,
        user=user,
        kind="permit_decided",
        params={"decision": decision, "until": end.isoformat() if end else ""},
        sensitivity=Sensitivity.LEGAL,
    )
    audit_record(
        actor=user,
        action="update",
        object_type="residence_permit",
        object_id=fresh.pk,
        case_code=case.code,
        detail={"decision": decision},
    )
    fresh.case = case
    return fresh


@transaction.atomic
def permit_renew(
    *,
    user: Any,
    permit: ResidencePermit,
    applied_on: Any,
    ground: str | None = None,
    issuing_authority: str | None = None,
) -> ResidencePermit:
    """Record the application to renew a granted permit: a new pending row pointing at it. The ground
    may change (a presumed victim identified since applies as a victim); by default it is kept."""
    case = permit.case
    _require_permit_writer(user, case)
    _foreign_national(case)
    ground = permit.ground if ground in (None, "") else ground
    clean_choice(ground, ResidenceGround, "ground")
    authority = permit.issuing_authority if issuing_authority is None else _authority(issuing_authority)
    day = _past_date(applied_on, "applied_on")
    assert day is not None
    # Locked: two renewals of the same permit recorded at once must not both pass the checks.
    fresh = ResidencePermit.objects.select_for_update().get(pk=permit.pk)
    if fresh.decision != PermitDecision.GRANTED:
        raise DomainError(_("Only a granted permit can be renewed."), field="permit")
    if fresh.renewals.filter(decision__in=OPEN_OR_GRANTED).exists():
        raise DomainError(_("This permit already has a renewal under way or granted."), field="permit")
    if fresh.decided_on and day < fresh.decided_on:
        raise DomainError(
            _("A renewal cannot be applied for before the permit was granted."), field="applied_on"
        )
    if ResidencePermit.objects.filter(case=case, decision=PermitDecision.PENDING).exists():
        raise DomainError(_("An application is already pending in this case."), field="case")
    renewal = _create(
        case=case,
        ground=ground,
        applied_on=day,
        issuing_authority=authority,
        renewal_of=fresh,
        created_by=user,
        updated_by=user,
    )
    _applied(user, case, renewal)
    return renewal


# --- Health coverage -------------------------------------------------------------------------------


@transaction.atomic
def health_coverage_record(
    *,
    user: Any,
    case: Case,
    entitled: bool,
    from_on: Any,
    basis: str = "",
    until_on: Any = None,
) -> HealthCoverage:
    """Record whether the person is entitled to free health care, on what basis, for which period.
    A change is a new record; earlier ones stay as history."""
    policy.require(user, policy.PLAN_MANAGE, case)
    if not policy.reads(user, Sensitivity.MEDICAL):
        raise PermissionDenied()
    if not isinstance(entitled, bool):
        raise DomainError(_("Choose yes or no."), field="entitled")
    basis = basis or ""
    if entitled:
        if not basis:
            raise DomainError(_("Choose the basis of the entitlement."), field="basis")
        clean_choice(basis, HealthCoverageBasis, "basis")
    elif basis:
        raise DomainError(_("Without an entitlement there is no basis to record."), field="basis")
    start = _date(from_on, "from_on")
    if start is None:
        raise DomainError(_("This field is required."), field="from_on")
    end = _date(until_on, "until_on")
    if end is not None and end < start:
        raise DomainError(_("The end cannot be before the start."), field="until_on")
    coverage = HealthCoverage.objects.create(
        case=case,
        entitled=entitled,
        basis=basis,
        from_on=start,
        until_on=end,
        organisation_id=user.organisation_id,
        created_by=user,
        updated_by=user,
    )
    timeline_add(
        case=case,
        user=user,
        kind="health_coverage_recorded",
        params={"entitled": entitled, "from": start.isoformat(), "until": end.isoformat() if end else ""},
        sensitivity=Sensitivity.MEDICAL,
    )
    audit_record(
        actor=user,
        action="create",
        object_type="health_coverage",
        object_id=coverage.pk,
        case_code=case.code,
        detail={"entitled": entitled, "basis": basis},
    )
    return coverage


# --- Renewal reminders (run by the deadlines timer) -----------------------------------------------


def _coordinators(case: Case) -> list[Organisation]:
    return list(
        Organisation.objects.filter(
            involvements__in=Involvement.objects.active().filter(
                case=case, role__in=[InvolvementRole.IDENTIFYING_BODY, InvolvementRole.CASE_COORDINATION]
            )
        ).distinct()
    )


@transaction.atomic
def renewal_reminders_run(*, now: dt.datetime | None = None) -> int:
    """Granted permits that expire within the lead time, with no renewal under way or granted: tell
    the coordinating organisation once per permit. Returns how many permits were reminded of.

    Days are counted on the calendar of the country's time zone: at 00:30 on 1 February in Belgrade
    (still 31 January in UTC) a 30-day lead time reaches 3 March."""
    now = now or clock.now()
    today = timezone.localtime(now, local_tz()).date()
    horizon = today + dt.timedelta(days=reminder_lead_days())
    renewed = ResidencePermit.objects.filter(renewal_of=OuterRef("pk"), decision__in=OPEN_OR_GRANTED)
    due = list(
        ResidencePermit.objects.select_for_update(of=("self",))
        .filter(
            decision=PermitDecision.GRANTED,
            reminder_sent_at__isnull=True,
            valid_until__gte=today,
            valid_until__lte=horizon,
        )
        .exclude(Exists(renewed))
        # A closed case is no longer followed by anyone who could act on the reminder.
        .exclude(case__status=CaseStatus.CLOSED)
        .select_related("case")
        .order_by("valid_until", "id")[:1000]
    )
    # Those who can act on it: a statistics-only account of the same organisation is not told.
    editors = [r.code for r in Role.objects.all() if Perm.CASE_EDIT in (r.permissions or [])]
    count = 0
    for permit in due:
        # Conditional: a second timer running at the same moment cannot send it again.
        if not ResidencePermit.objects.filter(pk=permit.pk, reminder_sent_at__isnull=True).update(
            reminder_sent_at=now
        ):
            continue
        count += 1
        case = permit.case
        assert permit.valid_until is not None
        for organisation in _coordinators(case):
            # The date only: the ground never travels in a notification or an email.
            notify(
                organisation=organisation,
                kind="residence_renewal_due",
                case_code=case.code,
                params={"date": permit.valid_until.isoformat()},
                roles=editors,
            )
        timeline_add(
            case=case,
            user=None,
            kind="permit_renewal_due",
            params={"date": permit.valid_until.isoformat()},
            sensitivity=Sensitivity.LEGAL,
            at=now,
        )
        audit_record(
            actor=None,
            actor_username="system",
            action="update",
            object_type="residence_permit",
            object_id=permit.pk,
            case_code=case.code,
            detail={"reminder": True},
        )
    return count
