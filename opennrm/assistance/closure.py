"""Reintegration follow-up, closure with a supervisor's review, reopening, and the flag of a person
who may have been trafficked again.

Closing is never a plain status change (cases.services.TRANSITIONS leaves it out): seeds describe
cases that went quiet and were forgotten, so a case closes only on written reasons that a second
person — the Centre head — approves, and nothing closes while services are still running.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypedDict, overload

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from opennrm import policy
from opennrm.accounts.models import Organisation
from opennrm.assistance.models import (
    OPEN_SERVICE_STATUSES,
    AssistanceService,
    CaseClosure,
    ClosureReason,
    ClosureStatus,
    FollowUp,
    FollowUpMethod,
    FollowUpOutcome,
    ReintegrationPlan,
)
from opennrm.audit.services import audit_record
from opennrm.cases import services as case_services
from opennrm.cases import sheet
from opennrm.cases.models import Case, CaseStatus, Involvement, InvolvementRole
from opennrm.cases.services import timeline_add
from opennrm.core.locking import update_versioned
from opennrm.lib import clean, clock
from opennrm.lib.clean import clean_choice, clean_date, clean_text
from opennrm.lib.errors import DomainError
from opennrm.notifications.services import notify

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations
from opennrm.people.models import LookupKind, PersonLookup

TIMELINE_KINDS = (
    "reintegration_started",
    "follow_up_done",
    "closure_requested",
    "closure_approved",
    "closure_rejected",
    "case_reopened",
)
MIN_EXPLANATION = 20
MAX_MONTHS = 36


# --- Reintegration and follow-up -----------------------------------------------------------------


@transaction.atomic
def reintegration_start(
    *,
    user: Any,
    case: Case,
    follow_up_by: Organisation,
    interval_days: int,
    months: int,
    started_on: Any = None,
) -> ReintegrationPlan:
    """Plan follow-up contacts every ``interval_days`` for ``months`` months, by an organisation
    already involved in the case (the person's consent to that organisation came with its referral)."""
    policy.require(user, policy.PLAN_MANAGE, case)
    if case.status not in (CaseStatus.IDENTIFIED, CaseStatus.ASSISTED, CaseStatus.PRESUMED_VICTIM):
        raise DomainError(_("Reintegration is planned for a presumed or identified victim."), field="case")
    if ReintegrationPlan.objects.filter(case=case).exists():
        raise DomainError(_("This case already has a reintegration plan."), field="case")
    if not isinstance(interval_days, int) or not 7 <= interval_days <= 180:
        raise DomainError(_("Choose an interval between 7 and 180 days."), field="interval_days")
    if not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
        raise DomainError(_("Choose between 1 and %(n)d months.") % {"n": MAX_MONTHS}, field="months")
    if not isinstance(follow_up_by, Organisation) or not (
        Involvement.objects.active().filter(case=case, organisation=follow_up_by).exists()
    ):
        raise DomainError(
            _("Follow-up is done by an organisation involved in the case: refer the case to it first."),
            field="follow_up_by",
        )
    start = clean_date(started_on, "started_on") or clock.today()
    until = start + dt.timedelta(days=round(months * 30.44))
    plan = ReintegrationPlan.objects.create(
        case=case,
        started_on=start,
        until_on=until,
        interval_days=interval_days,
        follow_up_by=follow_up_by,
        created_by=user,
        updated_by=user,
    )
    due = start + dt.timedelta(days=interval_days)
    rows = []
    while due <= until:
        rows.append(FollowUp(plan=plan, case=case, due_on=due, created_by=user, updated_by=user))
        due += dt.timedelta(days=interval_days)
    FollowUp.objects.bulk_create(rows)
    timeline_add(
        case=case,
        user=user,
        kind="reintegration_started",
        params={"org": follow_up_by.name, "count": len(rows), "until": until.isoformat()},
    )
    audit_record(
        actor=user, action="create", object_type="reintegration_plan", object_id=plan.pk, case_code=case.code
    )
    return plan


@transaction.atomic
def follow_up_record(
    *, user: Any, follow_up: FollowUp, outcome: str, method: str, expected_version: int, done_on: Any = None
) -> FollowUp:
    case = follow_up.case
    policy.require(user, policy.FOLLOW_UP_RECORD, case)
    clean_choice(outcome, FollowUpOutcome, "outcome")
    clean_choice(method, FollowUpMethod, "method")
    if follow_up.done_on is not None:
        raise DomainError(_("This follow-up has already been recorded."), field="follow_up")
    day = clean.clean_past_date(done_on, "done_on", default=clock.today())
    if day < follow_up.plan.started_on:
        raise DomainError(_("The contact cannot be before the plan started."), field="done_on")
    update_versioned(
        follow_up,
        expected_version=expected_version,
        user=user,
        fields={"done_on": day, "outcome": outcome, "method": method},
    )
    timeline_add(case=case, user=user, kind="follow_up_done", params={"outcome": outcome})
    audit_record(
        actor=user,
        action="update",
        object_type="follow_up",
        object_id=follow_up.pk,
        case_code=case.code,
        detail={"outcome": outcome},
    )
    return follow_up


def reintegration_plan(case: Case) -> ReintegrationPlan | None:
    plans = sheet.rows(
        case,
        "reintegration_plans",
        lambda: ReintegrationPlan.objects.filter(case=case).select_related("follow_up_by")[:1],
    )
    return plans[0] if plans else None


def case_follow_ups(case: Case) -> list[FollowUp]:
    return sheet.rows(case, "follow_ups", lambda: FollowUp.objects.filter(case=case).order_by("due_on", "id"))


def case_closures(case: Case) -> list[CaseClosure]:
    return sheet.rows(
        case, "closures", lambda: CaseClosure.objects.filter(case=case).select_related("reviewed_by")[:10]
    )


def follow_ups_overdue(user: Any, *, on: dt.date | None = None, limit: int = 20) -> QuerySet[FollowUp]:
    """Follow-ups past their date, in open cases the user sees (for the case manager's home page)."""
    on = on or clock.today()
    rows = (
        FollowUp.objects.filter(done_on__isnull=True, due_on__lt=on)
        .exclude(case__status=CaseStatus.CLOSED)
        .select_related("case", "plan")
        # The columns the list shows (the case's code, the organisation from the directory): full rows
        # of the case and the plan cost more to decode than the query took to run.
        .only("due_on", "case__code", "plan__follow_up_by_id")
        .order_by("due_on", "id")
    )
    return policy.within_visible_cases(user, rows)[:limit]


# --- Closure -------------------------------------------------------------------------------------


@transaction.atomic
def closure_request(*, user: Any, case: Case, reason: str, explanation: str) -> CaseClosure:
    policy.require(user, policy.CLOSURE_REQUEST, case)
    clean_choice(reason, ClosureReason, "reason")
    explanation = clean_text(explanation, "explanation", 1000, required=True)
    if len(explanation) < MIN_EXPLANATION:
        raise DomainError(_("Write at least %(n)d characters.") % {"n": MIN_EXPLANATION}, field="explanation")
    if case.status == CaseStatus.CLOSED:
        raise DomainError(_("The case is already closed."), field="case")
    _lock(case)
    if CaseClosure.objects.filter(case=case, status=ClosureStatus.REQUESTED).exists():
        raise DomainError(_("A closure of this case is already awaiting review."), field="case")
    _refuse_if_blocked(case)
    closure = CaseClosure.objects.create(
        case=case,
        reason=reason,
        explanation=explanation,
        organisation_id=user.organisation_id,
        previous_status=case.status,
        created_by=user,
        updated_by=user,
    )
    timeline_add(case=case, user=user, kind="closure_requested", params={"reason": reason})
    audit_record(
        actor=user, action="create", object_type="case_closure", object_id=closure.pk, case_code=case.code
    )
    notify(
        organisation=user.organisation,
        kind="closure_requested",
        case_code=case.code,
        roles=["centre_head"],
        exclude_user=user,
    )
    return closure


def open_services_check(case: Case) -> str:
    """Registered with cases.services.register_closure_check."""
    n = AssistanceService.objects.filter(case=case, status__in=OPEN_SERVICE_STATUSES).count()
    return _("%(n)d services are still open: record their end first.") % {"n": n} if n else ""


def _lock(case: Case) -> None:
    # One closure decision at a time per case: requests, reviews and reopenings queue on the case row.
    Case.objects.select_for_update().filter(pk=case.pk).first()


def _refuse_if_blocked(case: Case) -> None:
    blockers = case_services.closure_blockers(case)
    if blockers:
        raise DomainError(" ".join(blockers), field="case")


@transaction.atomic
def closure_review(
    *, user: Any, closure: CaseClosure, approve: bool, expected_version: int, note: str = ""
) -> CaseClosure:
    """The supervisor approves (the case closes) or refuses (with a note). Not the person who asked."""
    case = closure.case
    policy.require(user, policy.CLOSURE_REVIEW, case)
    _lock(case)
    closure.refresh_from_db(fields=["status"])
    if closure.status != ClosureStatus.REQUESTED:
        raise DomainError(_("This closure has already been reviewed."), field="closure")
    if not closure.reviewable_by(user):
        raise DomainError(
            _("A closure is reviewed by someone other than the person who asked for it."), field="closure"
        )
    note = clean_text(note, "note", 500, required=not approve)
    update_versioned(
        closure,
        expected_version=expected_version,
        user=user,
        fields={
            "status": ClosureStatus.APPROVED if approve else ClosureStatus.REJECTED,
            "reviewed_by": user,
            "reviewed_at": clock.now(),
            "review_note": note,
        },
    )
    if approve:
        # What was started after the request (a service, a placement) keeps the case open.
        _refuse_if_blocked(case)
        case_services.case_status_set(user=user, case=case, status=CaseStatus.CLOSED)
    timeline_add(case=case, user=user, kind="closure_approved" if approve else "closure_rejected", params={})
    audit_record(
        actor=user,
        action="approve" if approve else "update",
        object_type="case_closure",
        object_id=closure.pk,
        case_code=case.code,
        detail={"approved": approve},
    )
    return closure


REOPEN_TO: dict[str, CaseStatus] = {
    CaseStatus.PRESUMED_VICTIM: CaseStatus.PRESUMED_VICTIM,
    CaseStatus.IDENTIFIED: CaseStatus.ASSISTED,
    CaseStatus.ASSISTED: CaseStatus.ASSISTED,
}


@transaction.atomic
def case_reopen(*, user: Any, case: Case, reason: str) -> CaseClosure:
    """Reopen a closed case on written reasons: it goes back to assistance (or to referral, if it
    was closed before anyone was identified)."""
    policy.require(user, policy.CLOSURE_REQUEST, case)
    reason = clean_text(reason, "reason", 500, required=True)
    if len(reason) < MIN_EXPLANATION:
        raise DomainError(_("Write at least %(n)d characters.") % {"n": MIN_EXPLANATION}, field="reason")
    _lock(case)
    case.refresh_from_db(fields=["status", "version"])
    if case.status != CaseStatus.CLOSED:
        raise DomainError(_("Only a closed case can be reopened."), field="case")
    closure = CaseClosure.objects.filter(case=case, status=ClosureStatus.APPROVED).order_by("-id").first()
    previous = closure.previous_status if closure else CaseStatus.REFERRED
    if closure is not None:
        update_versioned(
            closure,
            expected_version=closure.version,
            user=user,
            fields={
                "status": ClosureStatus.REOPENED,
                "reopened_by": user,
                "reopened_at": clock.now(),
                "reopen_reason": reason,
            },
        )
    case_services.case_status_set(user=user, case=case, status=REOPEN_TO.get(previous, CaseStatus.REFERRED))
    timeline_add(case=case, user=user, kind="case_reopened", params={})
    audit_record(
        actor=user,
        action="update",
        object_type="case",
        object_id=case.code,
        case_code=case.code,
        detail={"reopened": True},
    )
    return closure  # type: ignore[return-value]


def pending_closures(user: Any, limit: int = 20) -> QuerySet[CaseClosure]:
    rows = (
        CaseClosure.objects.filter(status=ClosureStatus.REQUESTED)
        .select_related("case")
        .only("reason", "created_at", "case__code")  # what the home page shows
        .order_by("created_at", "id")  # closure_requested_idx
    )
    return policy.within_visible_cases(user, rows)[:limit]


# --- Possible re-trafficking ----------------------------------------------------------------------


class Visibility(TypedDict):
    """Whether the user may see the case, which ``earlier_matches`` adds with a user."""

    visible: bool


if TYPE_CHECKING:
    CaseWithVisibility = WithAnnotations[Case, Visibility]


@overload
def earlier_matches(case: Case, *, user: None = None) -> list[Case]: ...


@overload
def earlier_matches(case: Case, *, user: Any) -> list[CaseWithVisibility]: ...


def earlier_matches(case: Case, *, user: Any = None) -> list[Case] | list[CaseWithVisibility]:
    """Earlier cases of the same person, or of a person with the same document number or the same
    full name and date of birth (keyed-hash lookups: no identity is decrypted). A person already known
    who appears in a new case may have been trafficked again — or is a duplicate: a human decides.

    Three plain queries (the person's digests, who shares them, their earlier cases): one query with a
    subquery per kind cost the case page more to build in Python than the database took to answer.
    With ``user``, each case says whether the user may see it (``c.visible``): the caller names only
    those, and counts the others."""
    person = case.person
    rows = Case.objects.filter(
        person_id__in=[person.pk, *_persons_sharing_identity(person.pk)], opened_at__lt=case.opened_at
    ).exclude(pk=case.pk)
    if user is None:
        return list(rows.order_by("-opened_at").select_related("person"))
    involved = Involvement.objects.active().filter(case=OuterRef("pk"), organisation_id=user.organisation_id)
    # What the case page shows of them: the code and the opening date.
    return list(rows.annotate(visible=Exists(involved)).only("code", "opened_at").order_by("-opened_at"))


_MATCH_KINDS = (LookupKind.DOCUMENT, LookupKind.FULL_NAME, LookupKind.BIRTH_DATE)


def _digest_holders(persons: set[int], kinds: tuple[str, ...]) -> dict[tuple[str, str], set[int]]:
    """Every holder of each (kind, digest) that one of ``persons`` holds, those persons included: two
    plain queries (their digests, then who holds them, by literal values: as a subquery PostgreSQL
    estimated each digest shared by dozens — birth dates repeat — and scanned every lookup)."""
    theirs = set(
        PersonLookup.objects.filter(person_id__in=persons, kind__in=kinds).values_list("kind", "digest")
    )
    if not theirs:
        return {}
    holders: dict[tuple[str, str], set[int]] = {}
    rows = PersonLookup.objects.filter(kind__in=kinds, digest__in=sorted({d for _k, d in theirs}))
    for person_id, kind, digest in rows.values_list("person_id", "kind", "digest"):
        if (kind, digest) in theirs:
            holders.setdefault((kind, digest), set()).add(person_id)
    return holders


def _persons_sharing_identity(person_id: int) -> set[int]:
    """Other persons with one of the person's document numbers, or with both the full name and the
    date of birth (a name alone, or a date alone, is not enough)."""
    shared: dict[int, set[str]] = {}
    for (kind, _digest), held in _digest_holders({person_id}, _MATCH_KINDS).items():
        for other in held - {person_id}:
            shared.setdefault(other, set()).add(kind)
    return {
        other
        for other, kinds in shared.items()
        if LookupKind.DOCUMENT in kinds or {LookupKind.FULL_NAME, LookupKind.BIRTH_DATE} <= kinds
    }


RETRAFFICKING_CHUNK = 100  # a chunk the planner reads by walking the index of opening dates
RETRAFFICKING_WALK = 500  # at most five chunks: the list shows ten


def possible_retrafficking(
    user: Any, *, limit: int = 10, chunk: int = RETRAFFICKING_CHUNK, walk: int = RETRAFFICKING_WALK
) -> list[Case]:
    """Open cases the user coordinates, opened in the last 90 days, whose person has an earlier case
    or shares a document number with another person, newest first (for the home page; the case page
    shows the full comparison, ``earlier_matches``).

    A walk over the newest coordinated cases, ``chunk`` at a time and at most ``walk`` of them, with two
    plain queries per chunk for the signals: as one query, PostgreSQL hashed every shared document
    of the registry before it looked at the first case (150 ms at 100,000 persons, growing with it)."""
    since = clock.now() - dt.timedelta(days=90)
    coordinating = Involvement.objects.active().filter(
        case=OuterRef("pk"),
        organisation_id=user.organisation_id,
        role__in=[InvolvementRole.IDENTIFYING_BODY, InvolvementRole.CASE_COORDINATION],
    )
    # The earlier case as an EXISTS in the walk (probed per row: its ``opened_at <`` correlation cannot
    # be hashed); the shared documents from the chunk's own digests (see ``_sharing_documents``).
    earlier_case = Case.objects.filter(person_id=OuterRef("person_id"), opened_at__lt=OuterRef("opened_at"))
    # The 90 days are checked on the rows read, not in the query: with the date range in it, the
    # planner expected thousands of rows at a million persons and started parallel workers (5 ms)
    # to read the first hundred.
    # Values, not instances: the walk reads up to 500 cases to show ten; the ten become cases.
    columns = ("id", "code", "person_id", "opened_at", "status")
    recent = (
        Case.objects.filter(Exists(coordinating))
        .exclude(status=CaseStatus.CLOSED)
        .annotate(earlier=Exists(earlier_case))
        .order_by("-opened_at", "-id")
        .values_list(*columns, "earlier")
    )
    found: list[tuple[Any, ...]] = []
    for offset in range(0, walk, chunk):
        read = list(recent[offset : offset + chunk])
        rows = [r for r in read if r[3] >= since]
        sharing = _sharing_documents({r[2] for r in rows if not r[-1]})
        found.extend(r for r in rows if r[-1] or r[2] in sharing)
        if len(found) >= limit or len(rows) < chunk:
            break
    return [Case.from_db(recent.db, list(columns), r[:-1]) for r in found[:limit]]


def _sharing_documents(persons: set[int]) -> set[int]:
    """Those of ``persons`` with a document number another person has too."""
    if not persons:
        return set()
    held = _digest_holders(persons, (LookupKind.DOCUMENT,)).values()
    return {p for holders in held if len(holders) > 1 for p in holders} & persons
