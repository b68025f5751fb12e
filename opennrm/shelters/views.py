"""Facility pages, the coordinator's occupancy page, and the accommodation section of the case page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from opennrm import policy
from opennrm.accounts.roles import Perm
from opennrm.audit.services import audit_record
from opennrm.cases.models import Case
from opennrm.cases.views import case_form
from opennrm.core.http import AuthenticatedHttpRequest, access
from opennrm.lib import clock
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
from opennrm.shelters.models import PlacementStatus


def _apply_error(form: forms.Form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields and exc.field != "version" else None
    form.add_error(field, exc.message)


# ---- facilities ---------------------------------------------------------------------------------


@access("authenticated")
def facility_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
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
    today = clock.today()
    rows = [
        {"facility": f, "licence": rules.licence_state(f, today)}
        for f in facilities.prefetch_related("specialisations")
    ]
    return render(
        request,
        "shelters/facility_list.html",
        {
            "rows": rows,
            "search": search,
            "searched": search.is_bound,
            "may_see": policy.can(user, policy.FACILITY_VIEW),
            "may_create": policy.has_perm(user, Perm.FACILITY_MANAGE),
            "may_see_history": policy.has_perm(user, Perm.STATS_VIEW),
            "licence_warning_days": rules.licence_warning_days(),
        },
    )


def _facility_data(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k not in ("code", "version")}


@access("perm", Perm.FACILITY_MANAGE, methods=("GET", "POST"))
def facility_new_view(request: AuthenticatedHttpRequest) -> HttpResponse:
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
def facility_detail_view(request: AuthenticatedHttpRequest, facility_code: str) -> HttpResponse:
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
            "licence": rules.licence_state(facility, clock.today()),
            "licence_warning_days": rules.licence_warning_days(),
            "specialisations": list(facility.specialisations.all()),
            "residents": shown,
            "residents_hidden": len(residents) - len(shown),
            "waiting": [e for e in waiting if e.case_code],
            "waiting_hidden": sum(1 for e in waiting if not e.case_code),
            "history": selectors.occupancy_history(
                date_from=date_from, date_to=date_to, facilities=[facility]
            ),
            "may_manage": policy.can(user, policy.FACILITY_KEEP, facility),
        },
    )


@access("perm", Perm.FACILITY_MANAGE, methods=("GET", "POST"))
def facility_edit_view(request: AuthenticatedHttpRequest, facility_code: str) -> HttpResponse:
    user = request.user
    try:
        facility = selectors.facility_get(user=user, code=facility_code)
    except NotFound:
        return redirect("shelters:facilities")
    if not policy.can(user, policy.FACILITY_KEEP, facility):
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
def occupancy_view(request: AuthenticatedHttpRequest) -> HttpResponse:
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


def placements_panel(request: AuthenticatedHttpRequest, case: Any) -> dict[str, Any] | None:
    """Registered with cases.views.register_case_panel: placements, waiting lists and their forms."""
    user = request.user
    placements = selectors.case_placements(case=case)
    may_manage = policy.can(user, policy.PLACEMENT_MANAGE, case)
    if not placements and not may_manage:
        return None
    today = clock.today()
    may_override = may_manage and policy.can(user, policy.PLACEMENT_OVERRIDE, case)
    rows = [
        {
            "placement": p,
            "where": selectors.placement_whereabouts(user=user, placement=p),
            "may_exit": p.status == PlacementStatus.PLACED and policy.can(user, policy.PLACEMENT_EXIT, p),
            "may_move": may_manage and p.status == PlacementStatus.PLACED,
            "may_withdraw": may_manage and p.status == PlacementStatus.WAITING,
        }
        for p in placements
    ]
    placed = any(p.status == PlacementStatus.PLACED for p in placements)
    destination = ExitForm.base_fields["destination"]
    assert isinstance(destination, forms.ChoiceField)
    return {
        "template": "shelters/_placements_panel.html",
        "rows": rows,
        "placed": placed,
        "may": {"manage": may_manage, "override": may_override},
        "may_place": may_manage and not placed,
        "today": today,
        "destinations": destination.choices,
    }


def _run(
    request: AuthenticatedHttpRequest, case: Any, form: forms.Form, action: Callable[[dict[str, Any]], str]
) -> HttpResponse:
    """Run one action from the case page; errors come back as a message and nothing is half-written.

    Like cases.views.post_case_action, but a user who loses the case by the action (shelter staff
    recording a departure) is taken to the facilities instead of a page they may no longer open.
    """
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            text = " ".join(map(str, errors))  # an ErrorList yields its messages as text
            messages.error(request, f"{label}: {text}" if label else text)
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


def _facilities(request: AuthenticatedHttpRequest) -> Any:
    return selectors.facility_list(user=request.user)


def _form(
    request: AuthenticatedHttpRequest,
    case: Any,
    form: forms.Form,
    action: Callable[[dict[str, Any]], str],
    *,
    title: str,
    submit: str,
) -> HttpResponse:
    """GET: the form, fetched when its section of the case page opens (cases.views.case_form); POST:
    ``_run``."""
    if request.method == "POST":
        return _run(request, case, form, action)
    return case_form(request, case, form, action, title=title, submit=submit)


@access("case", policy.PLACEMENT_MANAGE, methods=("GET", "POST"))
def place_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:

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

    if request.method == "POST":
        form = PlaceForm(request.POST, facilities=_facilities(request), may_override=True)
    else:
        form = PlaceForm(
            initial={"placed_on": clock.today(), "accompanying_children": 0},
            facilities=_facilities(request),
            may_override=policy.can(request.user, policy.PLACEMENT_OVERRIDE, case),
            auto_id="place_%s",
        )
    return _form(request, case, form, run, title=_("Place in a facility"), submit=_("Place"))


@access("case", policy.PLACEMENT_MANAGE, methods=("GET", "POST"))
def wait_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:

    def run(d: dict[str, Any]) -> str:
        services.placement_wait(
            user=request.user,
            case=case,
            facility=d["facility"],
            requested_on=d["requested_on"],
            accompanying_children=d["accompanying_children"] or 0,
        )
        return _("Put on the waiting list.")

    form = WaitForm(
        request.POST or None,
        initial={"requested_on": clock.today(), "accompanying_children": 0},
        facilities=_facilities(request),
        auto_id="wait_%s",
    )
    return _form(
        request, case, form, run, title=_("Put on a waiting list"), submit=_("Put on the waiting list")
    )


@access("case", policy.PLACEMENT_MANAGE, methods=("GET", "POST"))
def move_view(request: AuthenticatedHttpRequest, case: Case, pk: int) -> HttpResponse:
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

    if request.method == "POST":
        form = MoveForm(request.POST, facilities=_facilities(request), may_override=True)
    else:
        form = MoveForm(
            initial={"placed_on": clock.today(), "version": placement.version},
            facilities=_facilities(request),
            may_override=policy.can(request.user, policy.PLACEMENT_OVERRIDE, case),
            auto_id=f"move{placement.pk}_%s",
        )
    return _form(request, case, form, run, title=_("Move to another facility"), submit=_("Move"))


@access("case", policy.PLACEMENT_EXIT, methods=("POST",))
def exit_view(request: AuthenticatedHttpRequest, case: Case, pk: int) -> HttpResponse:
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
def withdraw_view(request: AuthenticatedHttpRequest, case: Case, pk: int) -> HttpResponse:
    placement = selectors.placement_get(case=case, pk=pk)

    def run(d: dict[str, Any]) -> str:
        services.placement_withdraw(user=request.user, placement=placement, expected_version=d["version"])
        return _("Taken off the waiting list.")

    return _run(request, case, VersionForm(request.POST), run)
