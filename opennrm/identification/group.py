"""Screening and referring a group: the indicators a group shares answered once for all of its cases,
and one referral per case sent together. Used right after a group is registered (intake's handover,
registered in IdentificationConfig.ready()) and for a group already registered (``group_screening_record``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import JSONField, Value
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opennrm import policy
from opennrm.accounts.models import Organisation
from opennrm.audit.services import audit_record
from opennrm.cases import services as case_services
from opennrm.cases.models import Case, CaseStatus, Involvement, TimelineEvent
from opennrm.core import deadlines
from opennrm.identification import indicators
from opennrm.identification import services as identification_services
from opennrm.identification.models import (
    Referral,
    ReferralPurpose,
    Screening,
    ScreeningAnswer,
    ScreeningSetting,
)
from opennrm.intake.group.columns import SCREENING_BATCH, GroupResult
from opennrm.lib import clock
from opennrm.lib.errors import DomainError, PermissionDenied
from opennrm.notifications.services import notify


def _event(user: Any, case: Case, kind: str, params: dict[str, Any], at: dt.datetime) -> TimelineEvent:
    return TimelineEvent(
        case_id=case.pk,
        actor_id=user.pk if getattr(user, "is_authenticated", False) else None,
        organisation_id=user.organisation_id,
        kind=kind,
        params=params,
        at=at,
    )


def _shared_screening_clean(
    data: dict[str, Any],
) -> tuple[indicators.IndicatorSet, dict[str, str], str, dict]:
    if not isinstance(data, dict):
        raise DomainError(_("Describe the shared screening."), field="shared_screening")
    code, version = str(data.get("indicator_set") or ""), str(data.get("version") or "")
    try:
        iset = indicators.get_set(code, version) if version else indicators.latest(code)
    except indicators.UnknownIndicatorSet:
        raise DomainError(
            _("There is no indicator set %(code)s in version %(version)s.")
            % {"code": code, "version": version},
            field="shared_screening.indicator_set",
        ) from None
    setting = data.get("setting") or ScreeningSetting.WORKPLACE_INSPECTION
    if setting not in ScreeningSetting.values:
        raise DomainError(_("Choose one of the listed values."), field="shared_screening.setting")
    answers = data.get("answers")
    if not isinstance(answers, dict) or not answers:
        raise DomainError(_("Answer at least one indicator."), field="shared_screening.answers")
    answers = {str(k): str(v) for k, v in answers.items()}
    try:
        indicators.evaluate(iset, answers, is_child=iset.applies_to == "child")
    except ValueError as exc:
        raise DomainError(str(exc), field="shared_screening.answers") from None
    screened_on = data.get("screened_on") or clock.today()
    if not isinstance(screened_on, dt.date):
        try:
            screened_on = dt.date.fromisoformat(str(screened_on))
        except ValueError:
            raise DomainError(
                _("Enter a real date as YYYY-MM-DD."), field="shared_screening.screened_on"
            ) from None
    if screened_on > clock.today():
        raise DomainError(_("The date cannot be in the future."), field="shared_screening.screened_on")
    return iset, answers, setting, {**data, "screened_on": screened_on}


def _refer_to_clean(user: Any, organisation: Organisation) -> None:
    if organisation.pk == user.organisation_id:
        raise DomainError(_("Your organisation cannot refer a case to itself."), field="refer_to")
    if not organisation.is_active:
        raise DomainError(_("This organisation is not active."), field="refer_to")


def _screen_group(*, user: Any, cases: list[Case], shared: tuple, now: dt.datetime, events: list) -> int:
    iset, answers, setting, data = shared
    evaluations = {}
    for is_child in sorted({c.is_child for c in cases}):
        if not iset.is_for(is_child=is_child):
            count = sum(1 for c in cases if c.is_child == is_child)
            raise DomainError(
                ngettext(
                    "The indicator set %(set)s is not for screening %(who)s, and %(n)d person in the group is one. "
                    "Screen them individually.",
                    "The indicator set %(set)s is not for screening %(who)s, and %(n)d persons in the group are. "
                    "Screen them individually.",
                    count,
                )
                % {"set": iset.code, "who": _("children") if is_child else _("adults"), "n": count},
                field="shared_screening.indicator_set",
            )
        # One evaluation per rule (children's or adults'), shared by every case it applies to.
        evaluations[is_child] = indicators.evaluate(iset, answers, is_child=is_child)
    # The result as a literal expression: that keeps PostgreSQL's bulk insert on rows of VALUES. Django's
    # UNNEST path would escape every quote of every copy of the ~1 kB result into one jsonb[] literal,
    # six times slower for 500 cases. (The saved instances keep the expression; they are not returned.)
    results = {flag: Value(e.as_dict(), output_field=JSONField()) for flag, e in evaluations.items()}
    screenings = [
        Screening(
            case_id=case.pk,
            indicator_set=iset.code,
            indicator_version=iset.version,
            setting=setting,
            screened_on=data["screened_on"],
            interpreter_used=bool(data.get("interpreter_used")),
            organisation_id=user.organisation_id,
            as_child=case.is_child,
            recommendation=evaluations[case.is_child].recommendation,
            result=results[case.is_child],
            created_by_id=user.pk,
            updated_by_id=user.pk,
        )
        for case in cases
    ]
    Screening.objects.bulk_create(screenings, batch_size=SCREENING_BATCH)
    ScreeningAnswer.objects.bulk_create(
        [
            ScreeningAnswer(screening_id=screening.pk, indicator=k, answer=v)
            for screening in screenings
            for k, v in sorted(answers.items())
        ]
    )
    for case in cases:
        events.append(
            _event(
                user,
                case,
                "screening_recorded",
                {
                    "set": iset.code,
                    "version": iset.version,
                    "recommendation": evaluations[case.is_child].recommendation,
                },
                now,
            )
        )
    audit_record(
        actor=user,
        action="create",
        object_type="screening",
        object_id=screenings[0].pk,
        case_code=cases[0].code,
        detail={
            "set": iset.code,
            "version": iset.version,
            "count": len(screenings),
            "first": cases[0].code,
            "last": cases[-1].code,
            "recommendations": sorted({e.recommendation for e in evaluations.values()}),
        },
    )
    return len(screenings)


def _refer_group(
    *, user: Any, cases: list[Case], organisation: Organisation, now: dt.datetime, events: list
) -> tuple[str, int]:
    purpose = ReferralPurpose.IDENTIFICATION
    if not policy.can(user, policy.REFERRAL_MAKE, cases[0]):
        raise PermissionDenied()
    refused = [c for c in cases if not identification_services.receives(organisation, purpose, c)]
    if refused:
        raise DomainError(
            _("A %(type)s cannot receive a referral for %(purpose)s.")
            % {"type": organisation.get_type_display(), "purpose": ReferralPurpose(purpose).label},
            field="refer_to",
        )
    role = identification_services.ROLE_FOR_PURPOSE[purpose]
    involved = set(
        Involvement.objects.active()
        .filter(case__in=cases, organisation=organisation, role=role)
        .values_list("case_id", flat=True)
    )
    granted = {
        c.pk: Involvement(
            case_id=c.pk,
            organisation_id=organisation.pk,
            role=role,
            started_at=now,
            created_by_id=user.pk,
            updated_by_id=user.pk,
        )
        for c in cases
        if c.pk not in involved
    }
    Involvement.objects.bulk_create(list(granted.values()))
    if granted:
        policy.forget()
    # The persons referred together share a batch code: the receiving organisation sees them as a group.
    batch = f"B-{cases[0].code}"
    due_at = deadlines.due("referral_response", now)
    Referral.objects.bulk_create(
        [
            Referral(
                case_id=c.pk,
                from_organisation_id=user.organisation_id,
                to_organisation_id=organisation.pk,
                purpose=purpose,
                due_at=due_at,
                involvement_id=granted[c.pk].pk if c.pk in granted else None,
                batch=batch,
                created_by_id=user.pk,
                updated_by_id=user.pk,
            )
            for c in cases
        ]
    )
    for case in cases:
        events.append(
            _event(
                user,
                case,
                "referral_made",
                {"org": organisation.name, "purpose": purpose, "due": due_at.isoformat(), "batch": batch},
                now,
            )
        )
    audit_record(
        actor=user,
        action="permission_change" if granted else "create",
        object_type="referral",
        object_id=batch,
        case_code=cases[0].code,
        detail={
            "to": organisation.code,
            "purpose": purpose,
            "batch": batch,
            "count": len(cases),
            "first": cases[0].code,
            "last": cases[-1].code,
            "granted": len(granted),
        },
    )
    # One notification for the group, not one per person.
    notify(
        organisation=organisation,
        kind="referral_received",
        case_code=cases[0].code,
        params={
            "case": f"{cases[0].code}…{cases[-1].code} ({len(cases)})",
            "org": user.organisation.name,
            "purpose": purpose,
            "batch": batch,
        },
    )
    return batch, len(cases)


@transaction.atomic
def group_screening_record(*, user: Any, incident_code: str, shared_screening: dict[str, Any]) -> int:
    """Screen everyone of an incident the user's organisation sees with the indicators they share (the
    workplace, the recruiter, the debt), evaluated once; each person's own indicators are screened from
    their case page. Returns the number of cases screened."""
    incident = case_services.incident_for_user(user=user, code=incident_code)  # NotFound outside scope
    if not policy.writes_cases(user):
        raise PermissionDenied()
    shared = _shared_screening_clean(shared_screening)
    cases = list(policy.visible_cases(user).filter(incident=incident).order_by("id"))
    if not cases:
        raise DomainError(_("No case of this incident is open to your organisation."), field="incident")
    now = clock.now()
    events: list[TimelineEvent] = []
    count = _screen_group(user=user, cases=cases, shared=shared, now=now, events=events)
    reported = [c for c in cases if c.status == CaseStatus.REPORTED]
    if reported:
        case_services.cases_status_set(
            user=user, cases=reported, status=CaseStatus.SCREENING, at=now, events=events
        )
    TimelineEvent.objects.bulk_create(events)
    return count


# ---- the handover from intake -------------------------------------------------------------------------


def handover_prepare(
    *, user: Any, shared_screening: dict[str, Any] | None, refer_to: Organisation | None
) -> Any:
    """Check the screening and the referral asked with a group's registration, before it is written."""
    shared = _shared_screening_clean(shared_screening) if shared_screening else None
    if refer_to is not None:
        _refer_to_clean(user, refer_to)
    return shared, refer_to


def handover_apply(*, user: Any, cases: list[Case], prepared: Any, result: GroupResult) -> None:
    """Screen and refer the cases of a group just registered, in the registration's transaction."""
    shared, refer_to = prepared
    now = clock.now()
    events: list[TimelineEvent] = []
    if shared is not None:
        result.screenings = _screen_group(user=user, cases=cases, shared=shared, now=now, events=events)
    if refer_to is not None:
        result.batch, result.referrals = _refer_group(
            user=user, cases=cases, organisation=refer_to, now=now, events=events
        )
    # Screened, then referred, in the same instant: one status change (reported -> referred) per case,
    # not two, tells the same story with half the rows.
    target = CaseStatus.REFERRED if refer_to is not None else CaseStatus.SCREENING
    case_services.cases_status_set(user=user, cases=cases, status=target, at=now, events=events)
    TimelineEvent.objects.bulk_create(events)
