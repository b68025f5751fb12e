"""The one place that answers "may this user do this".

Pages, API, search, exports and background jobs all ask ``can``/``visible_cases``. The involvement
of the user's organisation decides *which* cases; the user's role decides *what* they may do and
which sensitivity classes they may read inside those cases. Objects out of scope are reported as not
found (404) by callers, so existence is never confirmed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from opennrm.accounts.roles import Perm, Sensitivity
from opennrm.cases.models import Case, CaseDocument, CaseNote, Involvement, InvolvementRole
from opennrm.core import request_context
from opennrm.people.models import Person

# Identity fields a role with identity access reads; "whereabouts" fields get a third gate in the
# assistance workflow (named staff only at high risk).
IDENTITY_FIELDS = (
    "given_names",
    "family_names",
    "aliases",
    "birth_date",
    "documents",
    "addresses",
    "contacts",
)


def _role(user: Any):
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return getattr(user, "role", None)


def has_perm(user: Any, perm: str) -> bool:
    role = _role(user)
    return bool(role and perm in role.permissions)


def readable_sensitivities(user: Any) -> set[str]:
    role = _role(user)
    return set(role.sensitivities) if role else set()


def visible_cases(user: Any) -> QuerySet[Case]:
    """Cases in which the user's organisation is actively involved, if the role may open cases."""
    if not has_perm(user, Perm.CASE_VIEW) or not user.organisation_id:
        return Case.objects.none()
    involved = Involvement.objects.active().filter(case=OuterRef("pk"), organisation_id=user.organisation_id)
    return Case.objects.filter(Exists(involved))


def within_visible_cases(user: Any, queryset: QuerySet, case_field: str = "case") -> QuerySet:
    """Rows of any model hanging off a case (timeline, tasks…) whose case the user may see.

    A correlated EXISTS on the involvement, not ``case__in=visible_cases``: with ORDER BY … LIMIT the
    database walks the newest rows and probes the involvement index instead of joining every case.
    """
    if not has_perm(user, Perm.CASE_VIEW) or not user.organisation_id:
        return queryset.none()
    involved = Involvement.objects.active().filter(
        case_id=OuterRef(case_field), organisation_id=user.organisation_id
    )
    return queryset.filter(Exists(involved))


def first_visible(user: Any, queryset: QuerySet, limit: int, chunk: int = 200) -> list:
    """The first ``limit`` rows of an ordered ``queryset`` (of a model with a ``case``) whose case the
    user may see, walking it chunk by chunk.

    Why not one query: for an organisation involved in a million cases the planner hashes all of its
    involvements before it sorts; walking the index of ``queryset`` and probing each chunk stays cheap.
    """
    found: list = []
    offset = 0
    while len(found) < limit:
        rows = list(queryset[offset : offset + chunk])
        if not rows:
            break
        ids = {r.pk for r in rows}
        allowed = set(
            within_visible_cases(user, queryset.model.objects.filter(pk__in=ids)).values_list("pk", flat=True)
        )
        found += [r for r in rows if r.pk in allowed]
        offset += chunk
    return found[:limit]


def visible_persons(user: Any) -> QuerySet[Person]:
    return Person.objects.filter(Exists(visible_cases(user).filter(person=OuterRef("pk"))))


def _memoised(key: tuple, compute: Any) -> Any:
    """Within one request, answer the same question once (pages ask about the same case many times)."""
    memo = request_context.memo()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def forget() -> None:
    """Drop memoised answers: called when involvements change within a request."""
    memo = request_context.memo()
    if memo is not None:
        memo.clear()


def involvement_roles(user: Any, case: Case) -> set[str]:
    if not user.organisation_id:
        return set()
    return _memoised(
        ("roles", user.pk, user.organisation_id, case.pk),
        lambda: set(
            Involvement.objects.active()
            .filter(case=case, organisation_id=user.organisation_id)
            .values_list("role", flat=True)
        ),
    )


def _case_visible(user: Any, case: Case) -> bool:
    return _memoised(
        ("case", user.pk, user.organisation_id, case.pk),
        lambda: visible_cases(user).filter(pk=case.pk).exists(),
    )


def can(user: Any, action: str, obj: Any = None, field: str | None = None) -> bool:
    """May ``user`` do ``action`` on ``obj`` (and, for identity, on ``field``)?"""
    if not has_perm(user, _perm_for(action)):
        return False
    if obj is None:
        return True
    if isinstance(obj, Case):
        if not _case_visible(user, obj):
            return False
        if action == Perm.INVOLVEMENT_MANAGE:
            # Only the organisation coordinating the case (the identifying body) adds or ends involvements.
            return bool(
                involvement_roles(user, obj)
                & {InvolvementRole.IDENTIFYING_BODY, InvolvementRole.CASE_COORDINATION}
            )
        if action == Perm.NOTE_ADD and field is not None:
            return field in readable_sensitivities(user)
        if action in CASE_RULES:
            return CASE_RULES[action](user, obj)
        return True
    if isinstance(obj, Person):
        visible = _memoised(
            ("person", user.pk, user.organisation_id, obj.pk),
            lambda: visible_cases(user).filter(person=obj).exists(),
        )
        if not visible:
            return False
        return field is None or field in IDENTITY_FIELDS
    if isinstance(obj, CaseNote | CaseDocument):
        return obj.sensitivity in readable_sensitivities(user) and _case_visible(user, obj.case)
    return False


def require(user: Any, action: str, obj: Any = None) -> None:
    """Raise unless ``can``: NotFound when the user may not even see the case or person (existence is
    never confirmed), PermissionDenied when they may see it but their role may not do this."""
    from opennrm.lib.errors import NotFound, PermissionDenied

    if can(user, action, obj):
        return
    if isinstance(obj, Case | Person) and not can(user, Perm.CASE_VIEW, obj):
        raise NotFound()
    raise PermissionDenied()


def _perm_for(action: str) -> str:
    # Reading a note or document is part of viewing the case; the sensitivity gate applies on top.
    # The identification actions start from viewing the case and add their own rule (CASE_RULES).
    if action in CASE_RULES:
        return Perm.CASE_VIEW
    return {"note.view": Perm.CASE_VIEW, "document.view": Perm.CASE_VIEW}.get(action, action)


# Actions of the identification workflow, on a case the user already sees.
SCREENING_RECORD = "screening.record"
REFERRAL_MAKE = "referral.make"
REFERRAL_SERVICES = "referral.services"
PROCEDURE_RUN = "procedure.run"
PROCEDURE_CONTRIBUTE = "procedure.contribute"
DECISION_ISSUE = "decision.issue"
DECISION_REASONS = "decision.reasons"
AGE_ASSESS = "age.assess"
GUARDIAN_APPOINT = "guardian.appoint"
# Actions of assistance and protection.
PLAN_MANAGE = "plan.manage"
PLAN_APPROVE = "plan.approve"
PLACEMENT_MANAGE = "placement.manage"
PLACEMENT_OVERRIDE = "placement.override"
PLACEMENT_EXIT = "placement.exit"
RISK_MANAGE = "risk.manage"
CLOSURE_REQUEST = "closure.request"
CLOSURE_REVIEW = "closure.review"
FOLLOW_UP_RECORD = "follow_up.record"
STAFF_NAME = "staff.name"
FAMILY_ASSESS = "family.assess"
COOPERATION_RECORD = "cooperation.record"
# Moving a service on: its provider or the coordinator (the rule is the assistance layer's, registered
# with register_case_rule, because it reads the services).
SERVICE_STEP = "service.step"


def writes_cases(user: Any) -> bool:
    """Screens and refers: first-line organisations (create cases) and the Centre (edits them)."""
    return has_perm(user, Perm.CASE_CREATE) or has_perm(user, Perm.CASE_EDIT)


def _identifying_body(user: Any, case: Case) -> bool:
    return InvolvementRole.IDENTIFYING_BODY in involvement_roles(user, case)


def _coordinating(user: Any, case: Case) -> bool:
    """The organisation that coordinates the case: the identifying body or a named case coordinator."""
    return bool(
        involvement_roles(user, case) & {InvolvementRole.IDENTIFYING_BODY, InvolvementRole.CASE_COORDINATION}
    )


CASE_RULES: dict[str, Any] = {
    # First-line organisations and the Centre screen and refer; a prosecutor or shelter does not.
    SCREENING_RECORD: lambda user, case: writes_cases(user),
    REFERRAL_MAKE: lambda user, case: writes_cases(user),
    # Referring on to services (shelter, health, NGO, guardianship, return) is the coordinator's job.
    REFERRAL_SERVICES: lambda user, case: can(user, Perm.INVOLVEMENT_MANAGE, case),
    # The identifying body runs the procedure; only a role that signs decisions issues one.
    PROCEDURE_RUN: lambda user, case: has_perm(user, Perm.CASE_EDIT) and _identifying_body(user, case),
    # Other organisations in the case give their opinion to the procedure (they do not read its records).
    PROCEDURE_CONTRIBUTE: lambda user, case: (
        CASE_RULES[PROCEDURE_RUN](user, case) or has_perm(user, Perm.NOTE_ADD)
    ),
    DECISION_ISSUE: lambda user, case: has_perm(user, Perm.DECISION_SIGN) and _identifying_body(user, case),
    # The reasons are legal content: the identifying body and roles that read legal notes see them;
    # a referring school or inspector learns the outcome only.
    DECISION_REASONS: lambda user, case: (
        _identifying_body(user, case) or Sensitivity.LEGAL in readable_sensitivities(user)
    ),
    AGE_ASSESS: lambda user, case: has_perm(user, Perm.CASE_EDIT),
    # The centre for social work appoints the guardian (Family Law; CETS 197 Art. 10(4)).
    GUARDIAN_APPOINT: lambda user, case: (
        has_perm(user, Perm.CASE_EDIT) and getattr(user.organisation, "type", None) == "social_work_centre"
    ),
    # The coordinating organisation assesses needs and keeps the assistance plan.
    PLAN_MANAGE: lambda user, case: has_perm(user, Perm.CASE_EDIT) and _coordinating(user, case),
    # A child's guardian approves the plan (Family Law; CETS 197 Art. 10(4)).
    PLAN_APPROVE: lambda user, case: (
        has_perm(user, Perm.CASE_EDIT) and InvolvementRole.GUARDIAN in involvement_roles(user, case)
    ),
    # Placing in, moving between and waiting for facilities is the coordinator's; overriding a refusal
    # (full, unfit, licence lapsed) takes a role that signs decisions, with written reasons.
    # At high risk only the staff named to know where the person is place or move them: anyone else
    # would learn the facility from the answer ("already placed there").
    PLACEMENT_MANAGE: lambda user, case: (
        can(user, Perm.INVOLVEMENT_MANAGE, case) and may_see_whereabouts(user, case)
    ),
    PLACEMENT_OVERRIDE: lambda user, case: (
        has_perm(user, Perm.DECISION_SIGN) and _coordinating(user, case) and may_see_whereabouts(user, case)
    ),
    # Risk is assessed and protection measures recorded by the coordinator and by the investigating
    # police (who run police protection and the witness programme).
    RISK_MANAGE: lambda user, case: (
        (has_perm(user, Perm.CASE_EDIT) and _coordinating(user, case))
        or (
            InvolvementRole.INVESTIGATING_POLICE in involvement_roles(user, case)
            and Sensitivity.SECURITY in readable_sensitivities(user)
        )
    ),
    # Closing needs a request with reasons by the coordinator and a supervisor's review (four eyes:
    # the service refuses a reviewer who asked for the closure).
    CLOSURE_REQUEST: lambda user, case: has_perm(user, Perm.CASE_EDIT) and _coordinating(user, case),
    CLOSURE_REVIEW: lambda user, case: has_perm(user, Perm.DECISION_SIGN) and _coordinating(user, case),
    # Follow-up contacts are recorded by the coordinator or by the organisation that follows up.
    FOLLOW_UP_RECORD: lambda user, case: (
        (has_perm(user, Perm.CASE_EDIT) and _coordinating(user, case))
        or (has_perm(user, Perm.NOTE_ADD) and bool(involvement_roles(user, case)))
    ),
    # The person's stance towards the authorities is legal content: recorded by those who read it back.
    COOPERATION_RECORD: lambda user, case: (
        has_perm(user, Perm.NOTE_ADD) and Sensitivity.LEGAL in readable_sensitivities(user)
    ),
    # The centre for social work assesses a child's family before any return to it.
    FAMILY_ASSESS: lambda user, case: (
        has_perm(user, Perm.CASE_EDIT) and getattr(user.organisation, "type", None) == "social_work_centre"
    ),
    # Naming who may know where the person is, like involving an organisation, is the coordinator's.
    STAFF_NAME: lambda user, case: can(user, Perm.INVOLVEMENT_MANAGE, case),
    # The shelter records a departure as well as the coordinator.
    PLACEMENT_EXIT: lambda user, case: (
        (
            can(user, Perm.INVOLVEMENT_MANAGE, case)
            or (
                has_perm(user, Perm.FACILITY_MANAGE)
                and InvolvementRole.SHELTER in involvement_roles(user, case)
            )
        )
        and may_see_whereabouts(user, case)
    ),
}


# --- Whereabouts: the third gate (named staff only at high risk) ------------------------------------

# Fields that tell where a person can be found. Withheld, not hidden: the reader learns that there is
# something they may not see, so nobody mistakes "withheld" for "unknown".
WHEREABOUTS_FIELDS = ("addresses",)

# Gates registered by the layer that knows the risk (protection): gate(user, person) -> bool.
_WHEREABOUTS_GATES: list[Any] = []


def register_whereabouts_gate(gate: Any) -> None:
    if gate not in _WHEREABOUTS_GATES:
        _WHEREABOUTS_GATES.append(gate)


def may_see_whereabouts(user: Any, obj: Any) -> bool:
    """May ``user`` see where the person (of ``obj``, a Person or a Case) is? Every registered gate
    must agree; the case and identity permissions are asked separately."""
    person = obj.person if isinstance(obj, Case) else obj
    return _memoised(
        ("whereabouts", getattr(user, "pk", None), person.pk),
        lambda: all(gate(user, person) for gate in _WHEREABOUTS_GATES),
    )


def register_case_rule(action: str, rule: Any) -> None:
    """A rule on a case that needs the models of a layer above (added in its AppConfig.ready)."""
    CASE_RULES[action] = rule


def may_read_class(user: Any, sensitivity: str) -> bool:
    return sensitivity in readable_sensitivities(user)


ALL_SENSITIVITIES = [s.value for s in Sensitivity]
