"""Reads of facilities, occupancy and placements, always for a given user.

Who sees facilities: organisations that place people (case editors, coordinators of cases), the
national coordinator (numbers only) and administrators see all of them; shelter staff see their own
organisation's. Residents and waiting persons appear by case code only to users who see that case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, F, FilteredRelation, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from opennrm import policy
from opennrm.accounts.roles import Perm
from opennrm.cases import sheet
from opennrm.cases.models import Case
from opennrm.lib import clock
from opennrm.lib.errors import NotFound
from opennrm.shelters import rules
from opennrm.shelters.models import AcceptsSex, Facility, OverrideRule, Placement, PlacementStatus


class Occupancy(TypedDict):
    """The annotations ``with_occupancy`` adds to each facility."""

    adults_placed: int
    children_placed: int
    waiting: int
    free_adults: int
    free_children: int


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    FacilityWithOccupancy = WithAnnotations[Facility, Occupancy]

LIVE_STATUSES = (PlacementStatus.PLACED, PlacementStatus.WAITING)
PLACED = Q(live__status=PlacementStatus.PLACED)


def visible_facilities(user: Any) -> QuerySet[Facility]:
    if policy.can(user, policy.FACILITY_REGISTER):
        return Facility.objects.all()
    if policy.has_perm(user, Perm.FACILITY_MANAGE) and user.organisation_id:
        return Facility.objects.filter(operator_id=user.organisation_id)
    return Facility.objects.none()


def with_occupancy(qs: QuerySet[Facility]) -> QuerySet[FacilityWithOccupancy]:
    """Live occupancy and free beds, computed by the database in the same query as the facilities.

    One join to placements only, so the filtered counts and sums are not multiplied by another join,
    and only to the live ones (placed or waiting, through ``placement_facility_status_idx``): joining every
    placement ever made grew with the registry (150 ms at a million persons).
    """
    zero = Value(0, output_field=IntegerField())
    return (
        qs.annotate(live=FilteredRelation("placements", condition=Q(placements__status__in=LIVE_STATUSES)))
        .annotate(
            adults_placed=Count("live", filter=PLACED & Q(live__is_child=False)),
            children_placed=Count("live", filter=PLACED & Q(live__is_child=True))
            + Coalesce(Sum("live__accompanying_children", filter=PLACED), zero),
            waiting=Count("live", filter=Q(live__status=PlacementStatus.WAITING)),
        )
        .annotate(
            free_adults=F("beds_adults") - F("adults_placed"),
            free_children=F("beds_children") - F("children_placed"),
        )
    )


def facility_list(*, user: Any) -> QuerySet[FacilityWithOccupancy]:
    return with_occupancy(visible_facilities(user).select_related("operator")).order_by("name", "id")


def facility_get(*, user: Any, code: str) -> FacilityWithOccupancy:
    facility = facility_list(user=user).filter(code=code).first()
    if facility is None:
        raise NotFound()
    return facility


def facility_occupancy(facility: Facility) -> tuple[int, int]:
    """(adults placed, children's beds taken) now. Callers that then place lock the facility first."""
    row = Placement.objects.filter(facility=facility, status=PlacementStatus.PLACED).aggregate(
        adults=Count("id", filter=Q(is_child=False)),
        children=Count("id", filter=Q(is_child=True)),
        accompanying=Coalesce(Sum("accompanying_children"), 0),
    )
    return row["adults"], row["children"] + row["accompanying"]


def free_beds_search(
    *,
    user: Any,
    sex: str | None = None,
    child: bool = False,
    children: int = 0,
    specialisation: str | None = None,
    age: int | None = None,
    on: dt.date | None = None,
) -> QuerySet[FacilityWithOccupancy]:
    """Facilities that would take such a person now without an override, most free beds first."""
    on = on or clock.today()
    qs = facility_list(user=user).filter(rules.licence_valid_q(on), is_open=True)
    if sex == "female":
        qs = qs.exclude(accepts_sex=AcceptsSex.MEN)
    elif sex == "male":
        qs = qs.exclude(accepts_sex=AcceptsSex.WOMEN)
    elif sex:
        qs = qs.filter(accepts_sex=AcceptsSex.ANY)
    if child:
        qs = qs.filter(takes_children=True, free_children__gte=1 + children)
    else:
        qs = qs.filter(takes_adults=True, free_adults__gte=1)
        if children:
            qs = qs.filter(free_children__gte=children)
    if specialisation:
        qs = qs.filter(specialisations__form=specialisation)
    if age is not None:
        qs = qs.filter(
            Q(min_age__isnull=True) | Q(min_age__lte=age), Q(max_age__isnull=True) | Q(max_age__gte=age)
        )
    free = F("free_children") if child else F("free_adults")
    return qs.order_by(free.desc(), "name", "id")


# ---- residents and waiting list --------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A resident or a waiting person as a facility page shows them: the case code only if visible."""

    placement: Placement
    case_code: str | None


def _entries(user: Any, qs: QuerySet[Placement]) -> list[Entry]:
    rows = list(qs.select_related("case"))
    visible = set(
        policy.within_visible_cases(user, Placement.objects.filter(pk__in=[p.pk for p in rows])).values_list(
            "pk", flat=True
        )
    )
    # A resident at high risk is listed without the case code unless the user is named to know
    # where the person is: the code would tell them.
    return [
        Entry(p, p.case.code if p.pk in visible and policy.may_see_whereabouts(user, p.case) else None)
        for p in rows
    ]


def facility_residents(*, user: Any, facility: Facility) -> list[Entry]:
    return _entries(
        user, facility.placements.filter(status=PlacementStatus.PLACED).order_by("placed_on", "id")
    )


def facility_waiting_list(*, user: Any, facility: Facility) -> list[Entry]:
    return _entries(user, waiting_list(facility=facility))


def waiting_list(*, facility: Facility) -> QuerySet[Placement]:
    """First come, first served: by the date asked, then by the order recorded."""
    return facility.placements.filter(status=PlacementStatus.WAITING).order_by("requested_on", "id")


# ---- a case's placements -----------------------------------------------------------------------------


def case_placements(*, case: Case) -> list[Placement]:
    """Current first, then waiting, then past ones (the caller has checked the case is visible)."""
    order = {PlacementStatus.PLACED: 0, PlacementStatus.WAITING: 1, PlacementStatus.ENDED: 2}
    rows = sheet.rows(
        case, "placements", lambda: case.placements.select_related("facility", "facility__operator")
    )
    if getattr(case, "_sheet", None) is not None:
        facilities = {f.pk: f for f in case._sheet["placement_facilities"]}
        for p in rows:
            Placement.facility.field.set_cached_value(p, facilities[p.facility_id])
    for p in rows:
        Placement.case.field.set_cached_value(p, case)
    return sorted(rows, key=lambda p: (order[p.status], -(p.placed_on or p.requested_on).toordinal(), -p.pk))


def placement_get(*, case: Case, pk: int) -> Placement:
    placement = case.placements.select_related("facility", "case", "involvement").filter(pk=pk).first()
    if placement is None:
        raise NotFound()
    return placement


@dataclass(frozen=True)
class Whereabouts:
    code: str
    name: str
    municipality: str


def placement_whereabouts(*, user: Any, placement: Placement) -> Whereabouts | None:
    """Where the person is (or waits to go): the one place that decides whether a user may know it.

    Anyone who may see the case, except at high or critical risk, when only the staff named in the
    case may (the whereabouts gate of the policy).
    """
    if not policy.can(user, Perm.CASE_VIEW, placement.case):
        return None
    if not policy.may_see_whereabouts(user, placement.case):
        return None
    f = placement.facility
    return Whereabouts(code=f.code, name=f.name, municipality=f.municipality)


# ---- use over time (counts only) ---------------------------------------------------------------------


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _periods(date_from: dt.date, date_to: dt.date, by: str) -> list[tuple[dt.date, dt.date]]:
    """Half-open [start, end) periods covering date_from..date_to inclusive."""
    out = []
    start = date_from
    while start <= date_to:
        end = start + dt.timedelta(days=1) if by == "day" else _next_month(start)
        end = min(end, date_to + dt.timedelta(days=1))
        out.append((start, end))
        start = end
    return out


def occupancy_history(
    *,
    date_from: dt.date,
    date_to: dt.date,
    facilities: list[Facility] | None = None,
    by: str = "month",
) -> list[dict[str, Any]]:
    """Occupied bed-days per facility and period, from the placements' periods.

    A bed-day is a night: a stay from the 30th to the 2nd counts the 30th, the 31st and the 1st. An
    open placement counts up to today. Capacity is today's (capacity changes are not yet dated).
    Returns counts only, never a case.
    """
    if by not in ("day", "month"):
        raise ValueError("by must be 'day' or 'month'")
    facilities = list(facilities if facilities is not None else Facility.objects.order_by("name", "id"))
    periods = _periods(date_from, date_to, by)
    today = clock.today()
    stays = (
        Placement.objects.filter(facility__in=facilities, placed_on__isnull=False, placed_on__lte=date_to)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=date_from))
        .values_list("facility_id", "placed_on", "ended_on", "is_child", "accompanying_children")
    )
    used: dict[tuple[int, dt.date], list[int]] = {}
    for facility_id, placed_on, ended_on, is_child, accompanying in stays:
        assert placed_on is not None  # filtered on placed_on__isnull=False
        # The last night of an open stay is tonight (today's date), so "up to" tomorrow, exclusive.
        until = ended_on or max(today + dt.timedelta(days=1), placed_on)
        for start, end in periods:
            nights = (min(end, until) - max(start, placed_on)).days
            if nights <= 0:
                continue
            counts = used.setdefault((facility_id, start), [0, 0])
            counts[0] += 0 if is_child else nights
            counts[1] += nights * ((1 if is_child else 0) + accompanying)
    rows = []
    for f in facilities:
        for start, end in periods:
            adult_days, child_days = used.get((f.pk, start), [0, 0])
            capacity = (f.beds_adults + f.beds_children) * (end - start).days
            occupied = adult_days + child_days
            rows.append(
                {
                    "facility": f.code,
                    "facility_name": f.name,
                    "period": start,
                    "days": (end - start).days,
                    "adult_bed_days": adult_days,
                    "child_bed_days": child_days,
                    "capacity_bed_days": capacity,
                    "rate": round(occupied / capacity, 3) if capacity else None,
                }
            )
    return rows


def override_count(*, date_from: dt.date, date_to: dt.date) -> dict[str, int]:
    """Placements made by override in the period (by placement date), in total and per rule set aside.

    Overrides are rare, so the rules (a short JSON list) are counted here rather than in SQL.
    """
    counts = {"total": 0, **{rule: 0 for rule in OverrideRule.values}}
    for rules_set in Placement.objects.filter(
        override=True, placed_on__gte=date_from, placed_on__lte=date_to
    ).values_list("override_rules", flat=True):
        counts["total"] += 1
        for rule in rules_set or []:
            if rule in counts:
                counts[rule] += 1
    return counts


def default_history_range(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last twelve months, this month included."""
    today = today or clock.today()
    start = _month_start(today)
    for _i in range(11):
        start = _month_start(start - dt.timedelta(days=1))
    return start, today


def current_placement_check(case: Case) -> str:
    """Registered with cases.services.register_closure_check: a person still placed keeps the case open."""
    if case.placements.filter(status=PlacementStatus.PLACED).exists():
        return gettext("The person is still placed in a facility: record the departure first.")
    return ""
