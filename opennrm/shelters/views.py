"""Facility pages, the coordinator's occupancy page, and the accommodation section of the case page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from opennrm import policy
from opennrm.accounts.roles import Perm
from opennrm.audit.services import audit_record
from opennrm.cases import selectors as case_selectors
from opennrm.core.http import access
from opennrm.lib.dates import local_today
from opennrm.lib.errors import DomainError, NotFound, PermissionDenied
from opennrm.shelters import rules, selectors, services
from opennrm.shelters.forms import (
    ExitForm,
    FacilityForm,
    FreeBedSearchForm,
    MoveForm,
    OccupancyForm,
    PlaceForm,
    VersionForm,
    WaitForm,
)
from opennrm.shelters.models import Facility, PlacementStatus

LICENCE_WARNING_DAYS = 30


def _licence_state(facility: Facility, today: dt.date) -> str:
    """ "lapsed", "ending" (within 30 days) or "" — shown as a warning next to the facility."""
    if not rules.licence_valid(facility, today):
        return "lapsed"
    until = facility.licence_valid_until
    if until is not None and until <= today + dt.timedelta(days=LICENCE_WARNING_DAYS):
        return "ending"
    return ""


def _apply_error(form: forms.Form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields and exc.field != "version" else None
    form.add_error(field, exc.message)


# ---- facilities ---------------------------------------------------------------------------------


@access("authenticated")
def facility_list_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    search = FreeBedSearchForm(request.GET or None)
    if search.is_bound and search.is_valid():
        d = search.cleaned_data
        facilities = selectors.free_beds_search(
            user=user,
            sex=d["sex"] or None,
            child=d["child"],
            children=d["children"] or 0,
            specialisation=d["specialisation"] or None,
        )
    else:
        facilities = selectors.facility_list(user=user)
    today = local_today()
    rows = [
        {"facility": f, "licence": _licence_state(f, today)}
        for f in facilities.prefetch_related("specialisations")
    ]
    return render(
        request,
        "shelters/facility_list.html",
        {
            "rows": rows,
            "search": search,
            "searched": search.is_bound,
            "may_see": selectors.may_see_facilities(user),
            "may_create": policy.has_perm(user, Perm.FACILITY_MANAGE),
            "may_see_history": policy.has_perm(user, Perm.STATS_VIEW),
        },
    )


def _facility_data(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k not in ("code", "version")}


@access("perm", Perm.FACILITY_MANAGE, methods=("GET", "POST"))
def facility_new_view(request: HttpRequest) -> HttpResponse:
    form = FacilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            facility = services.facility_create(
                user=request.user, code=form.cleaned_data["code"], data=_facility_data(form.cleaned_data)
            )
            messages.success(request, _("Facility registered."))
            return redirect("shelters:facility", facility_code=facility.code)
        except DomainError as exc:
            _apply_error(form, exc)
    return render(request, "shelters/facility_form.html", {"form": form}, status=400 if form.errors else 200)


@access("authenticated")
def facility_detail_view(request: HttpRequest, facility_code: str) -> HttpResponse:
    user = request.user
    try:
        facility = selectors.facility_get(user=user, code=facility_code)
    except NotFound:
        # Outside the user's facilities there is nothing to show, and whether it exists is not said.
        return redirect("shelters:facilities")
    date_from, date_to = selectors.default_history_range()
    residents = selectors.facility_residents(user=user, facility=facility)
    waiting = selectors.facility_waiting_list(user=user, facility=facility)
    shown = [e for e in residents if e.case_code]
    audit_record(
        actor=user,
        action="read",
        object_type="facility",
        object_id=facility.code,
        detail={"residents": sorted(e.case_code for e in shown)},
    )
    # A resident the user may not know of is counted, never described: dates and flags would let them
    # match the row with a placement they see "withheld" on a case page.
    return render(
        request,
        "shelters/facility_detail.html",
        {
            "facility": facility,
            "licence": _licence_state(facility, local_today()),
            "specialisations": list(facility.specialisations.all()),
            "residents": shown,
            "residents_hidden": len(residents) - len(shown),
            "waiting": [e for e in waiting if e.case_code],
            "waiting_hidden": sum(1 for e in waiting if not e.case_code),
            "history": selectors.occupancy_history(
                date_from=date_from, date_to=date_to, facilities=[facility]
            ),
            "may_manage": selectors.may_manage_facility(user, facility),
        },
    )


@access("perm", Perm.FACILITY_MANAGE, methods=("GET", "POST"))
def facility_edit_view(request: HttpRequest, facility_code: str) -> HttpResponse:
    user = request.user
    try:
        facility = selectors.facility_get(user=user, code=facility_code)
    except NotFound:
        return redirect("shelters:facilities")
    if not selectors.may_manage_facility(user, facility):
        messages.error(request, _("Only the organisation that runs a facility keeps its register."))
        return redirect("shelters:facility", facility_code=facility.code)
    initial = {f: getattr(facility, f) for f in services.FACILITY_FIELDS}
    initial["specialisations"] = list(facility.specialisations.values_list("form", flat=True))
    initial["version"] = facility.version
    form = FacilityForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.facility_update(
                user=user, facility=facility, expected_version=d["version"], data=_facility_data(d)
            )
            messages.success(request, _("Saved."))
            return redirect("shelters:facility", facility_code=facility.code)
        except DomainError as exc:
            _apply_error(form, exc)
        except PermissionDenied:
            messages.error(request, _("Only the organisation that runs a facility keeps its register."))
            return redirect("shelters:facility", facility_code=facility.code)
    return render(
        request,
        "shelters/facility_form.html",
        {"form": form, "facility": facility},
        status=400 if form.errors else 200,
    )


@access("perm", Perm.STATS_VIEW)
def occupancy_view(request: HttpRequest) -> HttpResponse:
    """Use over time for the coordinator: bed-days and occupancy rates, and overrides. No cases."""
    form = OccupancyForm(request.GET or None)
    date_from, date_to = selectors.default_history_range()
    if form.is_bound and form.is_valid():
        date_from = form.cleaned_data["date_from"] or date_from
        date_to = form.cleaned_data["date_to"] or date_to
    if date_to < date_from or (date_to - date_from).days > 3 * 366:
        form.add_error("date_to", _("Choose a period of at most three years, ending after it starts."))
        date_from, date_to = selectors.default_history_range()
    facilities = list(selectors.visible_facilities(request.user).order_by("name", "id"))
    history = selectors.occupancy_history(date_from=date_from, date_to=date_to, facilities=facilities)
    audit_record(
        actor=request.user,
        action="read",
        object_type="occupancy",
        detail={"from": date_from.isoformat(), "to": date_to.isoformat()},
    )
    return render(
        request,
        "shelters/occupancy.html",
        {
            "form": form,
            "date_from": date_from,
            "date_to": date_to,
            "history": history,
            "overrides": selectors.override_count(date_from=date_from, date_to=date_to),
        },
    )


# ---- the case page section ------------------------------------------------------------------------


def placements_panel(request: HttpRequest, case: Any) -> dict[str, Any] | None:
    """Registered with cases.views.register_case_panel: placements, waiting lists and their forms."""
    user = request.user
    placements = selectors.case_placements(case=case)
    may_manage = policy.can(user, policy.PLACEMENT_MANAGE, case)
    if not placements and not may_manage:
        return None
    today = local_today()
    may_override = may_manage and policy.can(user, policy.PLACEMENT_OVERRIDE, case)
    facilities = selectors.facility_list(user=user) if may_manage else None
    rows = [
        {
            "placement": p,
            "where": selectors.placement_whereabouts(user=user, placement=p),
            "may_exit": p.status == PlacementStatus.PLACED and selectors.may_record_exit(user, p),
            "may_move": may_manage and p.status == PlacementStatus.PLACED,
            "may_withdraw": may_manage and p.status == PlacementStatus.WAITING,
        }
        for p in placements
    ]
    placed = any(p.status == PlacementStatus.PLACED for p in placements)
    return {
        "template": "shelters/_placements_panel.html",
        "rows": rows,
        "placed": placed,
        "may": {"manage": may_manage, "override": may_override},
        "place_form": PlaceForm(
            initial={"placed_on": today, "accompanying_children": 0},
            facilities=facilities,
            may_override=may_override,
            auto_id="place_%s",
        )
        if may_manage and not placed
        else None,
        "wait_form": WaitForm(
            initial={"requested_on": today, "accompanying_children": 0},
            facilities=facilities,
            auto_id="wait_%s",
        )
        if may_manage
        else None,
        "move_form": MoveForm(
            initial={"placed_on": today}, facilities=facilities, may_override=may_override, auto_id="move_%s"
        )
        if may_manage and placed
        else None,
        "exit_form": ExitForm(initial={"ended_on": today}, auto_id="exit_%s"),
        "destinations": ExitForm.base_fields["destination"].choices,
    }


def _run(
    request: HttpRequest, case: Any, form: forms.Form, action: Callable[[dict[str, Any]], str]
) -> HttpResponse:
    """Run one action from the case page; errors come back as a message and nothing is half-written.

    Like cases.views.post_case_action, but a user who loses the case by the action (shelter staff
    recording a departure) is taken to the facilities instead of a page they may no longer open.
    """
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    else:
        try:
            messages.success(request, action(form.cleaned_data))
        except DomainError as exc:
            messages.error(request, exc.message)
            audit_record(
                actor=request.user,
                action="rejected",
                object_type="placement",
                object_id=case.code,
                case_code=case.code,
                detail={"field": exc.field or ""},
            )
    if not policy.can(request.user, Perm.CASE_VIEW, case):
        return redirect("shelters:facilities")
    return redirect("cases:detail", code=case.code)


def _case_for(request: HttpRequest, code: str, action: str) -> Any:
    case = case_selectors.case_get(user=request.user, code=code)
    policy.require(request.user, action, case)
    return case


def _facilities(request: HttpRequest) -> Any:
    return selectors.facility_list(user=request.user)


@access("case", policy.PLACEMENT_MANAGE, methods=("POST",))
def place_view(request: HttpRequest, code: str) -> HttpResponse:
    case = _case_for(request, code, policy.PLACEMENT_MANAGE)

    def run(d: dict[str, Any]) -> str:
        services.placement_place(
            user=request.user,
            case=case,
            facility=d["facility"],
            placed_on=d["placed_on"],
            accompanying_children=d["accompanying_children"] or 0,
            override_reason=d.get("override_reason") or None,
        )
        return _("Placed.")

    form = PlaceForm(request.POST, facilities=_facilities(request), may_override=True)
    return _run(request, case, form, run)


@access("case", policy.PLACEMENT_MANAGE, methods=("POST",))
def wait_view(request: HttpRequest, code: str) -> HttpResponse:
    case = _case_for(request, code, policy.PLACEMENT_MANAGE)

    def run(d: dict[str, Any]) -> str:
        services.placement_wait(
            user=request.user,
            case=case,
            facility=d["facility"],
            requested_on=d["requested_on"],
            accompanying_children=d["accompanying_children"] or 0,
        )
        return _("Put on the waiting list.")

    return _run(request, case, WaitForm(request.POST, facilities=_facilities(request)), run)


@access("case", policy.PLACEMENT_MANAGE, methods=("POST",))
def move_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    case = _case_for(request, code, policy.PLACEMENT_MANAGE)
    placement = selectors.placement_get(case=case, pk=pk)

    def run(d: dict[str, Any]) -> str:
        services.placement_move(
            user=request.user,
            placement=placement,
            to_facility=d["facility"],
            expected_version=d["version"],
            moved_on=d["placed_on"],
            accompanying_children=d["accompanying_children"],
            override_reason=d.get("override_reason") or None,
        )
        return _("Moved.")

    form = MoveForm(request.POST, facilities=_facilities(request), may_override=True)
    return _run(request, case, form, run)


@access("case", policy.PLACEMENT_EXIT, methods=("POST",))
def exit_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    case = _case_for(request, code, policy.PLACEMENT_EXIT)
    placement = selectors.placement_get(case=case, pk=pk)

    def run(d: dict[str, Any]) -> str:
        services.placement_exit(
            user=request.user,
            placement=placement,
            expected_version=d["version"],
            ended_on=d["ended_on"],
            destination=d["destination"],
            note=d["note"],
        )
        return _("Departure recorded.")

    return _run(request, case, ExitForm(request.POST), run)


@access("case", policy.PLACEMENT_MANAGE, methods=("POST",))
def withdraw_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    case = _case_for(request, code, policy.PLACEMENT_MANAGE)
    placement = selectors.placement_get(case=case, pk=pk)

    def run(d: dict[str, Any]) -> str:
        services.placement_withdraw(user=request.user, placement=placement, expected_version=d["version"])
        return _("Taken off the waiting list.")

    return _run(request, case, VersionForm(request.POST), run)
