"""Every rule of the policy, one per action: the permission it needs and what else must hold.

An action not listed here needs its own name as a permission (and, on a case, the involvement). A rule
may add a condition on the user alone (``user``), on the user's part in a case (``case``, given the
request's ``CaseAccess``), or on another object that belongs to an organisation (``other``, e.g. a
facility). Facts only the layers above know come through ``access.register_fact``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from opennrm.accounts.roles import Perm, Sensitivity
from opennrm.cases.models import Case, CaseDocument, CaseNote, InvolvementRole
from opennrm.people.models import Person
from opennrm.policy import actions as A
from opennrm.policy.access import (
    IDENTITY_FIELDS,
    CaseAccess,
    case_access,
    has_perm,
    person_visible,
    readable_sensitivities,
)

R = InvolvementRole
S = Sensitivity

# The fact the assistance layer registers: the user's organisation provides a service in the case.
PROVIDES_SERVICE = "provides_service"


@dataclass(frozen=True)
class Rule:
    # The role's permission the action needs; None when ``user`` decides alone.
    perm: str | None = None
    user: Callable[[Any], bool] | None = None
    case: Callable[[CaseAccess], bool] | None = None
    other: Callable[[Any, Any], bool] | None = None


def writes_cases(user: Any) -> bool:
    """Screens and refers: first-line organisations (create cases) and the Centre (edits them)."""
    return has_perm(user, Perm.CASE_CREATE) or has_perm(user, Perm.CASE_EDIT)


def _is_csw(a: CaseAccess) -> bool:
    return getattr(a.user.organisation, "type", None) == "social_work_centre"


def _facility_keeper(user: Any, facility: Any) -> bool:
    """Keep the register of a facility: its operator's staff, or an administrator of organisations."""
    if has_perm(user, Perm.ADMIN_ORGANISATIONS):
        return True
    return (
        has_perm(user, Perm.FACILITY_MANAGE)
        and bool(user.organisation_id)
        and facility.operator_id == user.organisation_id
    )


def _exit_recorder(user: Any, placement: Any) -> bool:
    """The coordinator of the case, or staff of the organisation running the facility (shelter staff
    only for their own organisation's facilities)."""
    a = case_access(user, placement.case)
    if not a.visible or not a.can(A.PLACEMENT_EXIT):
        return False
    return a.can(A.INVOLVEMENT_MANAGE) or placement.facility.operator_id == user.organisation_id


# The roles that see the whole facility register (they place people or oversee).
_REGISTER_PERMS = (Perm.CASE_EDIT, Perm.INVOLVEMENT_MANAGE, Perm.STATS_VIEW, Perm.ADMIN_ORGANISATIONS)


def _sees_register(user: Any) -> bool:
    return any(has_perm(user, p) for p in _REGISTER_PERMS)


RULES: dict[str, Rule] = {
    # Reading a note or document is part of viewing the case; the sensitivity gate applies on top.
    A.NOTE_VIEW: Rule(perm=Perm.CASE_VIEW),
    A.DOCUMENT_VIEW: Rule(perm=Perm.CASE_VIEW),
    # Only the organisation coordinating the case (the identifying body) adds or ends involvements.
    A.INVOLVEMENT_MANAGE: Rule(perm=Perm.INVOLVEMENT_MANAGE, case=lambda a: a.coordinating),
    # First-line organisations and the Centre screen and refer; a prosecutor or shelter does not.
    A.SCREENING_RECORD: Rule(perm=Perm.CASE_VIEW, user=writes_cases),
    A.REFERRAL_MAKE: Rule(perm=Perm.CASE_VIEW, user=writes_cases),
    # Referring on to services (shelter, health, NGO, guardianship, return) is the coordinator's job.
    A.REFERRAL_SERVICES: Rule(perm=Perm.CASE_VIEW, case=lambda a: a.can(A.INVOLVEMENT_MANAGE)),
    # The identifying body runs the procedure; only a role that signs decisions issues one.
    A.PROCEDURE_RUN: Rule(perm=Perm.CASE_EDIT, case=lambda a: R.IDENTIFYING_BODY in a.roles),
    # Other organisations in the case give their opinion to the procedure (they do not read its records).
    A.PROCEDURE_CONTRIBUTE: Rule(
        perm=Perm.CASE_VIEW, case=lambda a: a.can(A.PROCEDURE_RUN) or a.has(Perm.NOTE_ADD)
    ),
    A.DECISION_ISSUE: Rule(perm=Perm.DECISION_SIGN, case=lambda a: R.IDENTIFYING_BODY in a.roles),
    # The reasons are legal content: the identifying body and roles that read legal notes see them; a
    # referring school or inspector learns the outcome only.
    A.DECISION_REASONS: Rule(
        perm=Perm.CASE_VIEW, case=lambda a: R.IDENTIFYING_BODY in a.roles or a.reads(S.LEGAL)
    ),
    A.AGE_ASSESS: Rule(perm=Perm.CASE_EDIT),
    # The centre for social work appoints the guardian (Family Law; CETS 197 Art. 10(4)).
    A.GUARDIAN_APPOINT: Rule(perm=Perm.CASE_EDIT, case=_is_csw),
    # The coordinating organisation assesses needs and keeps the assistance plan.
    A.PLAN_MANAGE: Rule(perm=Perm.CASE_EDIT, case=lambda a: a.coordinating),
    # A child's guardian approves the plan (Family Law; CETS 197 Art. 10(4)).
    A.PLAN_APPROVE: Rule(perm=Perm.CASE_EDIT, case=lambda a: R.GUARDIAN in a.roles),
    # A service is moved on by its provider or by the coordinator.
    A.SERVICE_STEP: Rule(
        perm=Perm.CASE_VIEW, case=lambda a: a.can(A.PLAN_MANAGE) or a.fact(PROVIDES_SERVICE)
    ),
    # Placing in, moving between and waiting for facilities is the coordinator's; overriding a refusal
    # (full, unfit, licence lapsed) takes a role that signs decisions, with written reasons. At high
    # risk only the staff named to know where the person is place or move them: anyone else would learn
    # the facility from the answer ("already placed there").
    A.PLACEMENT_MANAGE: Rule(
        perm=Perm.INVOLVEMENT_MANAGE, case=lambda a: a.can(A.INVOLVEMENT_MANAGE) and a.whereabouts
    ),
    A.PLACEMENT_OVERRIDE: Rule(perm=Perm.DECISION_SIGN, case=lambda a: a.coordinating and a.whereabouts),
    # The shelter records a departure as well as the coordinator; on a placement, shelter staff only in
    # their own organisation's facilities.
    A.PLACEMENT_EXIT: Rule(
        perm=Perm.CASE_VIEW,
        case=lambda a: (
            a.can(A.INVOLVEMENT_MANAGE) or (a.has(Perm.FACILITY_MANAGE) and R.SHELTER in a.roles)
        )
        and a.whereabouts,
        other=_exit_recorder,
    ),
    # Risk is assessed and protection measures recorded by the coordinator and by the investigating
    # police (who run police protection and the witness programme).
    A.RISK_MANAGE: Rule(
        perm=Perm.CASE_VIEW,
        case=lambda a: (a.has(Perm.CASE_EDIT) and a.coordinating)
        or (R.INVESTIGATING_POLICE in a.roles and a.reads(S.SECURITY)),
    ),
    # Closing needs a request with reasons by the coordinator and a supervisor's review (four eyes: the
    # closure itself refuses a reviewer who asked for it, CaseClosure.reviewable_by).
    A.CLOSURE_REQUEST: Rule(perm=Perm.CASE_EDIT, case=lambda a: a.coordinating),
    A.CLOSURE_REVIEW: Rule(perm=Perm.DECISION_SIGN, case=lambda a: a.coordinating),
    # Follow-up contacts are recorded by the coordinator or by the organisation that follows up.
    A.FOLLOW_UP_RECORD: Rule(
        perm=Perm.CASE_VIEW,
        case=lambda a: (a.has(Perm.CASE_EDIT) and a.coordinating) or (a.has(Perm.NOTE_ADD) and bool(a.roles)),
    ),
    # The person's stance towards the authorities is legal content: recorded by those who read it back.
    A.COOPERATION_RECORD: Rule(perm=Perm.NOTE_ADD, user=lambda u: S.LEGAL in readable_sensitivities(u)),
    # The centre for social work assesses a child's family before any return to it.
    A.FAMILY_ASSESS: Rule(perm=Perm.CASE_EDIT, case=_is_csw),
    # Naming who may know where the person is, like involving an organisation, is the coordinator's.
    A.STAFF_NAME: Rule(perm=Perm.INVOLVEMENT_MANAGE, case=lambda a: a.can(A.INVOLVEMENT_MANAGE)),
    A.WHEREABOUTS_VIEW: Rule(perm=Perm.CASE_VIEW, case=lambda a: a.whereabouts),
    # About the user alone.
    A.FAMILY_READ: Rule(user=lambda u: bool(readable_sensitivities(u) & {S.PSYCHOSOCIAL, S.SECURITY})),
    A.RESIDENCE_GROUND_READ: Rule(user=lambda u: S.LEGAL in readable_sensitivities(u)),
    A.HEALTH_COVERAGE_READ: Rule(user=lambda u: S.MEDICAL in readable_sensitivities(u)),
    A.FACILITY_REGISTER: Rule(user=_sees_register),
    A.FACILITY_VIEW: Rule(user=lambda u: _sees_register(u) or has_perm(u, Perm.FACILITY_MANAGE)),
    A.FACILITY_KEEP: Rule(user=lambda u: _sees_register(u) or has_perm(u, Perm.FACILITY_MANAGE),
                          other=_facility_keeper),
}  # fmt: skip


def _rule(action: str) -> Rule:
    return RULES.get(action) or Rule(perm=action)


def _user_allows(user: Any, rule: Rule) -> bool:
    if rule.perm is not None and not has_perm(user, rule.perm):
        return False
    return rule.user is None or rule.user(user)


def case_allows(access: CaseAccess, action: str, field: str | None = None) -> bool:
    """May the user of ``access`` do ``action`` in its case?"""
    rule = _rule(action)
    if not access.visible or not _user_allows(access.user, rule):
        return False
    if action == Perm.NOTE_ADD and field is not None:
        return access.reads(field)
    return rule.case is None or rule.case(access)


def can(user: Any, action: str, obj: Any = None, field: str | None = None) -> bool:
    """May ``user`` do ``action`` (on ``obj``, and for identity on ``field``)?"""
    rule = _rule(action)
    if not _user_allows(user, rule):
        return False
    if obj is None:
        return True
    if isinstance(obj, Case):
        return case_allows(case_access(user, obj), action, field)
    if isinstance(obj, Person):
        return person_visible(user, obj) and (field is None or field in IDENTITY_FIELDS)
    if isinstance(obj, CaseNote | CaseDocument):
        return obj.sensitivity in readable_sensitivities(user) and case_access(user, obj.case).visible
    if rule.other is not None:
        return rule.other(user, obj)
    return False


def require(user: Any, action: str, obj: Any = None) -> None:
    """Raise unless ``can``: NotFound when the user may not even see the case or person (existence is
    never confirmed), PermissionDenied when they may see it but their role may not do this."""
    from opennrm.lib.errors import NotFound, PermissionDenied

    if can(user, action, obj):
        return
    if isinstance(obj, Case) and not case_access(user, obj).visible:
        raise NotFound()
    if isinstance(obj, Person) and not can(user, Perm.CASE_VIEW, obj):
        raise NotFound()
    raise PermissionDenied()
