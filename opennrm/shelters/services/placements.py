"""Placements: waiting lists, placing (with the Centre head's override), moving, leaving.

Every function: keyword-only, one transaction, policy checked, audit written, timeline written.
Placing locks the facility's row before counting its occupancy, so two people placed into the last
bed at the same moment cannot both get it (on PostgreSQL the second waits for the first to commit
and then counts again; SQLite serialises writers anyway).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from opennrm import policy
from opennrm.accounts.models import Organisation
from opennrm.audit.services import audit_record
from opennrm.cases.models import Case, Involvement, InvolvementRole
from opennrm.cases.services import involvement_params, timeline_add
from opennrm.core.locking import update_versioned
from opennrm.lib import clock
from opennrm.lib.clean import clean_choice, clean_text
from opennrm.lib.errors import DomainError, PermissionDenied
from opennrm.protection import selectors as protection_selectors
from opennrm.shelters import rules, selectors
from opennrm.shelters.models import (
    ExitDestination,
    Facility,
    Placement,
    PlacementStatus,
)
from opennrm.shelters.services._common import (
    MAX_ACCOMPANYING,
    MAX_OVERRIDE_REASON,
    MIN_OVERRIDE_REASON,
    clean_day,
    clean_int,
)


def placement_check(
    *, facility: Facility, case: Case, accompanying_children: int = 0, on: dt.date | None = None
) -> list[str]:
    """Every reason the facility cannot take the person now, as codes (see rules.REASON_RULES)."""
    on = on or clock.today()
    adults, children = selectors.facility_occupancy(facility)
    return rules.check(
        facility=facility,
        person=rules.person_facts(case, on),
        accompanying_children=accompanying_children,
        on=on,
        adults_placed=adults,
        children_placed=children,
    )


def _lock_case(case: Case) -> None:
    # Serialises everything that places this person, so two placements of one person cannot cross.
    Case.objects.select_for_update().filter(pk=case.pk).first()


def _lock_facilities(*facilities: Facility) -> dict[int, Facility]:
    # Always in the same order, so a move A->B and a move B->A cannot deadlock.
    ids = sorted({f.pk for f in facilities})
    return {f.pk: f for f in Facility.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def _refuse(
    facility: Facility, reasons: list[str], *, field: str = "facility", note: str = ""
) -> DomainError:
    message = _("%(facility)s cannot take this person: %(reasons)s.") % {
        "facility": facility.name,
        "reasons": rules.reasons_text(reasons),
    }
    return DomainError(f"{message} {note}".strip(), field=field, extra={"reasons": reasons})


def _overridden_rules(
    *, user: Any, case: Case, facility: Facility, reasons: list[str], reason: str
) -> list[str]:
    """The rules set aside, or raise: only a role that signs decisions overrides, with written reasons."""
    if not reasons:
        return []
    if any(rules.REASON_RULES.get(r) is None for r in reasons) or not reason:
        raise _refuse(facility, reasons)
    if not policy.can(user, policy.PLACEMENT_OVERRIDE, case):
        raise _refuse(
            facility,
            reasons,
            field="override_reason",
            note=_("Only the head of the Centre may override a refusal."),
        )
    if len(reason) < MIN_OVERRIDE_REASON:
        raise DomainError(
            _("Write the reasons for the override in full (at least %(n)d characters).")
            % {"n": MIN_OVERRIDE_REASON},
            field="override_reason",
            extra={"reasons": reasons},
        )
    # Every reason names a rule here: a reason without one was refused above.
    return sorted({rule for r in reasons if (rule := rules.REASON_RULES[r]) is not None})


def _grant_involvement(*, user: Any, case: Case, facility: Facility) -> Involvement | None:
    """Involve the operator as the shelter (need-to-know of its staff). The placement holds its own
    involvement, so that ending another grant (a service with the case file) never ends it."""
    operator = facility.operator
    involvement = Involvement.objects.create(
        case=case, organisation=operator, role=InvolvementRole.SHELTER, created_by=user, updated_by=user
    )
    policy.forget()
    timeline_add(
        case=case,
        user=user,
        kind="involvement_added",
        params=involvement_params(operator, InvolvementRole.SHELTER),
    )
    audit_record(
        actor=user,
        action="permission_change",
        object_type="involvement",
        object_id=involvement.pk,
        case_code=case.code,
        detail={"role": InvolvementRole.SHELTER, "granted": True},
    )
    return involvement


def _end_involvement(*, user: Any, placement: Placement) -> None:
    """End the shelter involvement this placement granted: leaving the shelter ends its staff's access."""
    involvement = placement.involvement
    if involvement is None:
        return
    involvement.refresh_from_db()
    if involvement.ended_at is not None:
        return
    update_versioned(
        involvement,
        expected_version=involvement.version,
        user=user,
        fields={"ended_at": clock.now(), "end_reason": "left the facility"},
    )
    policy.forget()
    timeline_add(
        case=placement.case,
        user=user,
        kind="involvement_ended",
        params=involvement_params(involvement.organisation, involvement.role),
    )
    audit_record(
        actor=user,
        action="permission_change",
        object_type="involvement",
        object_id=involvement.pk,
        case_code=placement.case.code,
        detail={"role": involvement.role, "granted": False},
    )


def _notify(
    *, organisation: Organisation, kind: str, case_code: str, params: dict[str, Any], user: Any
) -> None:
    """Notify if the kind is registered in notifications.kinds (see the app's README in the report)."""
    from opennrm.notifications.kinds import KINDS
    from opennrm.notifications.services import notify

    if kind in KINDS:
        notify(organisation=organisation, kind=kind, case_code=case_code, params=params, exclude_user=user)


def _bed_freed(*, facility: Facility) -> None:
    """Tell the coordinators of the first person waiting for this facility that a bed is free."""
    first = selectors.waiting_list(facility=facility).select_related("case").first()
    if first is None:
        return
    timeline_add(case=first.case, user=None, kind="placement_bed_free", params={})
    coordinators = Involvement.objects.active().filter(
        case=first.case, role__in=[InvolvementRole.IDENTIFYING_BODY, InvolvementRole.CASE_COORDINATION]
    )
    for involvement in coordinators.select_related("organisation"):
        _notify(
            organisation=involvement.organisation,
            kind="placement_bed_free",
            case_code=first.case.code,
            params={},
            user=None,
        )


def _place(
    *,
    user: Any,
    case: Case,
    facility: Facility,
    placed_on: dt.date,
    accompanying_children: int,
    override_reason: str,
    involvement: Involvement | None = None,
    inherit_involvement: bool = False,
    timeline_kind: str = "placement_made",
) -> Placement:
    """Place after the caller locked the case and the facility and checked there is no active placement."""
    reasons = placement_check(
        facility=facility, case=case, accompanying_children=accompanying_children, on=placed_on
    )
    overridden = _overridden_rules(
        user=user, case=case, facility=facility, reasons=reasons, reason=override_reason
    )
    if not inherit_involvement:
        involvement = _grant_involvement(user=user, case=case, facility=facility)
    fields: dict[str, Any] = {
        "status": PlacementStatus.PLACED,
        "placed_on": placed_on,
        "is_child": rules.person_facts(case, placed_on).is_child,
        "accompanying_children": accompanying_children,
        "override": bool(overridden),
        "override_reason": override_reason if overridden else "",
        "override_by": user if overridden else None,
        "override_rules": overridden,
        "involvement": involvement,
    }
    # A person on this facility's waiting list takes their place from it (the entry keeps its date).
    waiting = selectors.waiting_list(facility=facility).filter(case=case).first()
    if waiting is not None:
        update_versioned(waiting, expected_version=waiting.version, user=user, fields=fields)
        placement = waiting
    else:
        placement = Placement(
            case=case, facility=facility, requested_on=placed_on, created_by=user, updated_by=user, **fields
        )
        placement.full_clean(exclude=["case", "facility", "involvement", "override_by", "moved_to"])
        placement.save()
    timeline_add(case=case, user=user, kind=timeline_kind, params={"override": bool(overridden)})
    audit_record(
        actor=user,
        action="create",
        object_type="placement",
        object_id=placement.pk,
        case_code=case.code,
        detail={"status": PlacementStatus.PLACED},
    )
    if overridden:
        # Counted for the coordinator; the written reasons stay on the placement (they may name people).
        audit_record(
            actor=user,
            action="override",
            object_type="placement",
            object_id=placement.pk,
            case_code=case.code,
            detail={"rules": overridden, "reasons": reasons},
        )
    _notify(
        organisation=facility.operator,
        kind="placement_made",
        case_code=case.code,
        params={"org": user.organisation.name if user.organisation_id else ""},
        user=user,
    )
    return placement


def placement_place(
    *,
    user: Any,
    case: Case,
    facility: Facility,
    placed_on: Any = None,
    accompanying_children: Any = 0,
    override_reason: str | None = None,
) -> Placement:
    """Place the person in the facility now, or refuse with every reason (DomainError on "facility").

    A refusal for being full, unfit or unlicensed is set aside only by a role that signs decisions
    (the Centre head), with written reasons; the override is audited and counted.
    """
    policy.require(user, policy.PLACEMENT_MANAGE, case)
    placed_on = clean_day(placed_on, "placed_on", default=clock.today())
    accompanying = clean_int(
        accompanying_children or 0, "accompanying_children", low=0, high=MAX_ACCOMPANYING
    )
    reason = clean_text(override_reason, "override_reason", MAX_OVERRIDE_REASON)
    with transaction.atomic():
        _lock_case(case)
        if case.placements.filter(status=PlacementStatus.PLACED).exists():
            raise DomainError(
                _("The person is already placed in a facility: move them instead."), field="facility"
            )
        locked = _lock_facilities(facility)[facility.pk]
        return _place(
            user=user,
            case=case,
            facility=locked,
            placed_on=placed_on,
            accompanying_children=accompanying or 0,
            override_reason=reason,
        )


@transaction.atomic
def placement_wait(
    *, user: Any, case: Case, facility: Facility, requested_on: Any = None, accompanying_children: Any = 0
) -> Placement:
    """Put the person on the facility's waiting list (a full facility or a lapsed licence may change)."""
    policy.require(user, policy.PLACEMENT_MANAGE, case)
    requested_on = clean_day(requested_on, "requested_on", default=clock.today())
    accompanying = (
        clean_int(accompanying_children or 0, "accompanying_children", low=0, high=MAX_ACCOMPANYING) or 0
    )
    _lock_case(case)
    if case.placements.filter(facility=facility, status=PlacementStatus.WAITING).exists():
        raise DomainError(_("The person is already on this facility's waiting list."), field="facility")
    if case.placements.filter(facility=facility, status=PlacementStatus.PLACED).exists():
        raise DomainError(_("The person is already placed in this facility."), field="facility")
    reasons = [
        r
        for r in placement_check(
            facility=facility, case=case, accompanying_children=accompanying, on=requested_on
        )
        if rules.REASON_RULES[r] in (None, "unfit")
    ]
    if reasons:
        raise _refuse(facility, reasons)
    placement = Placement.objects.create(
        case=case,
        facility=facility,
        status=PlacementStatus.WAITING,
        requested_on=requested_on,
        is_child=rules.person_facts(case, requested_on).is_child,
        accompanying_children=accompanying,
        created_by=user,
        updated_by=user,
    )
    timeline_add(case=case, user=user, kind="placement_waiting")
    audit_record(
        actor=user,
        action="create",
        object_type="placement",
        object_id=placement.pk,
        case_code=case.code,
        detail={"status": PlacementStatus.WAITING},
    )
    return placement


@transaction.atomic
def placement_withdraw(*, user: Any, placement: Placement, expected_version: int) -> Placement:
    """Take the person off a waiting list."""
    case = placement.case
    policy.require(user, policy.PLACEMENT_MANAGE, case)
    if placement.status != PlacementStatus.WAITING:
        raise DomainError(_("Only a place on a waiting list can be withdrawn."), field="status")
    update_versioned(
        placement,
        expected_version=expected_version,
        user=user,
        fields={"status": PlacementStatus.ENDED, "ended_on": clock.today()},
    )
    timeline_add(case=case, user=user, kind="placement_wait_withdrawn")
    audit_record(
        actor=user,
        action="update",
        object_type="placement",
        object_id=placement.pk,
        case_code=case.code,
        detail={"status": PlacementStatus.ENDED, "waiting": True},
    )
    return placement


def _end_dates(placement: Placement, value: Any, field: str) -> dt.date:
    ended_on = clean_day(value, field, default=clock.today())
    if placement.placed_on and ended_on < placement.placed_on:
        raise DomainError(_("The end cannot be before the start."), field=field)
    return ended_on


def placement_move(
    *,
    user: Any,
    placement: Placement,
    to_facility: Facility,
    expected_version: int,
    moved_on: Any = None,
    accompanying_children: Any = None,
    override_reason: str | None = None,
) -> Placement:
    """End the placement (destination: another facility) and place in ``to_facility``, at once.

    The new facility is checked like any placement; if it refuses, nothing changes.
    """
    case = placement.case
    policy.require(user, policy.PLACEMENT_MANAGE, case)
    if placement.status != PlacementStatus.PLACED:
        raise DomainError(_("Only a current placement can be moved."), field="status")
    if to_facility.pk == placement.facility_id:
        raise DomainError(_("Choose another facility."), field="facility")
    moved_on = _end_dates(placement, moved_on, "moved_on")
    if accompanying_children in (None, ""):
        accompanying = placement.accompanying_children
    else:
        accompanying = (
            clean_int(accompanying_children, "accompanying_children", low=0, high=MAX_ACCOMPANYING) or 0
        )
    reason = clean_text(override_reason, "override_reason", MAX_OVERRIDE_REASON)
    old_facility = placement.facility
    with transaction.atomic():
        _lock_case(case)
        locked = _lock_facilities(old_facility, to_facility)
        update_versioned(
            placement,
            expected_version=expected_version,
            user=user,
            fields={
                "status": PlacementStatus.ENDED,
                "ended_on": moved_on,
                "exit_destination": ExitDestination.OTHER_FACILITY,
            },
        )
        same_operator = to_facility.operator_id == old_facility.operator_id
        if not same_operator:
            _end_involvement(user=user, placement=placement)
        new = _place(
            user=user,
            case=case,
            facility=locked[to_facility.pk],
            placed_on=moved_on,
            accompanying_children=accompanying,
            override_reason=reason,
            involvement=placement.involvement if same_operator else None,
            inherit_involvement=same_operator,
            timeline_kind="placement_moved",
        )
        Placement.objects.filter(pk=placement.pk).update(moved_to=new)
        placement.moved_to = new
        _bed_freed(facility=old_facility)
    return new


@transaction.atomic
def placement_exit(
    *,
    user: Any,
    placement: Placement,
    expected_version: int,
    destination: str,
    ended_on: Any = None,
    note: str = "",
) -> Placement:
    """The person leaves: record where to; the shelter involvement the placement granted ends."""
    case = placement.case
    policy.require(user, policy.PLACEMENT_EXIT, case)
    if not policy.can(user, policy.PLACEMENT_EXIT, placement):
        raise PermissionDenied()
    if placement.status != PlacementStatus.PLACED:
        raise DomainError(_("The person is not placed there now."), field="status")
    destination = clean_choice(destination, ExitDestination, "destination")
    if destination in (ExitDestination.FAMILY, ExitDestination.RETURNED_ABROAD) and not (
        protection_selectors.family_return_allowed(case)
    ):
        raise DomainError(
            _(
                "A child goes back to the family only after the centre for social work's family "
                "assessment found it in the child's best interests."
            ),
            field="destination",
        )
    note = clean_text(note, "note", 300)
    ended_on = _end_dates(placement, ended_on, "ended_on")
    update_versioned(
        placement,
        expected_version=expected_version,
        user=user,
        fields={
            "status": PlacementStatus.ENDED,
            "ended_on": ended_on,
            "exit_destination": destination,
            "exit_note": note,
        },
    )
    timeline_add(case=case, user=user, kind="placement_ended", params={"destination": destination})
    audit_record(
        actor=user,
        action="update",
        object_type="placement",
        object_id=placement.pk,
        case_code=case.code,
        detail={"status": PlacementStatus.ENDED, "destination": destination},
    )
    _end_involvement(user=user, placement=placement)
    _bed_freed(facility=placement.facility)
    return placement


def facility_for_placement(*, code: Any) -> Facility:
    """A facility named in a placement request. Every facility may be chosen by who places."""
    facility = Facility.objects.select_related("operator").filter(code=str(code or "")).first()
    if facility is None:
        raise DomainError(_("There is no facility with this code."), field="facility")
    return facility
