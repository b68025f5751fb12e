"""Reading residence permits and health coverage: what each user may see of them.

The ground of a permit, its history (applications, refusals) and the issuing authority are legal
content. A role that does not read the legal class (a school, a shelter) learns only what it needs
to help the person: that there is a residence permit valid until a date, and that it expires soon.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from opennrm import policy
from opennrm.cases import sheet
from opennrm.cases.models import Case
from opennrm.lib import clock
from opennrm.lib.errors import NotFound
from opennrm.residence.models import HealthCoverage, PermitDecision, ResidencePermit
from opennrm.residence.rules import OPEN_OR_GRANTED, reminder_lead_days


def case_permits(case: Case) -> list[ResidencePermit]:
    """Every application of the case, newest first (callers check that the user reads legal)."""
    return sheet.rows(
        case, "permits", lambda: ResidencePermit.objects.filter(case=case).order_by("-applied_on", "-id")
    )


def _longest_first(permits: list[ResidencePermit]) -> list[ResidencePermit]:
    return sorted(permits, key=lambda p: (p.valid_until, p.pk), reverse=True)


def current_permit(case: Case, *, on: dt.date | None = None) -> ResidencePermit | None:
    """The granted permit in force on ``on`` (today), the one running longest if several overlap."""
    on = on or clock.today()
    granted = [
        p
        for p in case_permits(case)
        if p.decision == PermitDecision.GRANTED
        and p.valid_from
        and p.valid_until
        and p.valid_from <= on <= p.valid_until
    ]
    return next(iter(_longest_first(granted)), None)


def latest_granted(case: Case) -> ResidencePermit | None:
    granted = [p for p in case_permits(case) if p.decision == PermitDecision.GRANTED and p.valid_until]
    return next(iter(_longest_first(granted)), None)


def permits_visible(user: Any, case: Case) -> list[ResidencePermit]:
    """Legal readers: the whole history. Others: the permit in force, if any (its validity only;
    callers withhold the ground). The caller has checked that the user sees the case."""
    if policy.can(user, policy.RESIDENCE_GROUND_READ):
        return case_permits(case)
    current = current_permit(case)
    return [current] if current else []


def permit_get(*, user: Any, case: Case, pk: int) -> ResidencePermit:
    """A permit of this case that the user may see; 404 otherwise (a legal reader sees them all)."""
    permit = next((p for p in permits_visible(user, case) if p.pk == pk), None)
    if permit is None:
        raise NotFound()
    permit.case = case
    return permit


def validity(case: Case, *, today: dt.date | None = None) -> dict[str, Any]:
    """The state of the person's residence for the case page: "valid", "expiring" (within the
    reminder's lead time, no renewal granted yet), "expired" or "none"."""
    today = today or clock.today()
    current = current_permit(case, on=today)
    if current is None:
        last = latest_granted(case)
        expired = last is not None and last.valid_until is not None and last.valid_until < today
        return {"state": "expired" if expired else "none", "permit": last if expired else None}
    assert current.valid_until is not None
    lead = reminder_lead_days()
    renewed = any(
        p.renewal_of_id == current.pk and p.decision == PermitDecision.GRANTED for p in case_permits(case)
    )
    expiring = current.valid_until <= today + dt.timedelta(days=lead) and not renewed
    return {
        "state": "expiring" if expiring else "valid",
        "permit": current,
        "days_left": (current.valid_until - today).days,
    }


def permits_expiring(user: Any, within_days: int | None = None) -> QuerySet[ResidencePermit]:
    """For the home page: permits in force in the cases the user sees that expire within
    ``within_days`` (the reminder's lead time by default) with no renewal under way or granted."""
    today = clock.today()
    days = reminder_lead_days() if within_days is None else within_days
    renewed = ResidencePermit.objects.filter(renewal_of=OuterRef("pk"), decision__in=OPEN_OR_GRANTED)
    rows = (
        ResidencePermit.objects.filter(
            decision=PermitDecision.GRANTED,
            valid_from__lte=today,
            valid_until__gte=today,
            valid_until__lte=today + dt.timedelta(days=days),
        )
        .exclude(Exists(renewed))
        .select_related("case")
        .only("valid_until", "case__code")  # what the home page shows
        .order_by("valid_until", "id")
    )
    return policy.within_visible_cases(user, rows)


def health_coverages(user: Any, case: Case) -> list[HealthCoverage]:
    """The coverage records, newest first, for roles that read the medical class (empty otherwise)."""
    if not policy.can(user, policy.HEALTH_COVERAGE_READ):
        return []
    return _coverages(case)


def _coverages(case: Case) -> list[HealthCoverage]:
    return sheet.rows(
        case,
        "health_coverages",
        lambda: HealthCoverage.objects.filter(case=case).select_related("organisation"),
    )


def current_coverage(case: Case, *, on: dt.date | None = None) -> HealthCoverage | None:
    """The latest record that has started by ``on`` and not ended: it replaces earlier ones."""
    on = on or clock.today()
    latest = next((c for c in _coverages(case) if c.from_on <= on), None)
    if latest is None or (latest.until_on is not None and latest.until_on < on):
        return None
    return latest


def interpreter_need(case: Case) -> str:
    """The person's languages when an interpreter is needed ("sq, it"); empty when none is needed.

    Shown with every appointment (CETS 197 Art. 12(1)(c)-(d)). Languages are non-identifying
    attributes of the person, readable by everyone who sees the case."""
    person = case.person
    if not person.interpreter_needed:
        return ""
    languages = [str(code) for code in (person.languages or []) if str(code).strip()]
    return ", ".join(languages) if languages else _("language not recorded")
