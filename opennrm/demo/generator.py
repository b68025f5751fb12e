"""Synthetic data at scale, for benchmarks: up to a million persons, written with bulk inserts.

The rows are the ones the services write (person, encrypted identity, lookup digests, incident and
forms, case, involvements of the reporting organisation and the Centre, the reporter's account as
an encrypted note, timeline events, review tasks of cases not yet looked at) but without going
through the services one row at a time. One audit entry records the whole generation instead of
one per row: the rows are synthetic and nobody read or changed personal data.

After identification, for the cases that reached it (see ``Aftercare``): facility placements (ended
ones, a few waiting, and current residents of open cases, kept well under each facility's beds),
assistance plans and services from providers of an allowed type, reintegration plans with their
follow-ups (some overdue), risk assessments with their answers, residence permits of some foreign
persons, an approved closure for every closed case and a few closures awaiting review. The ~40
facilities they use are created once (``facilities_ensure``); a top-up adds rows only for its new
cases and counts the residents already placed.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, reset_queries, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from opennrm.accounts.models import Organisation, OrganisationType
from opennrm.accounts.roles import Sensitivity
from opennrm.assistance.models import (
    OPEN_SERVICE_STATUSES,
    AssistancePlan,
    AssistanceService,
    CaseClosure,
    ClosureReason,
    ClosureStatus,
    DataConsent,
    DeclineReason,
    FollowUp,
    FollowUpMethod,
    FollowUpOutcome,
    ReintegrationPlan,
    ServiceStatus,
    ServiceType,
    service_sensitivity,
)
from opennrm.assistance.services import SERVICE_PROVIDERS, mentions_non_cooperation
from opennrm.audit.services import audit_record
from opennrm.cases.models import (
    WHEREABOUTS_PARAM,
    Case,
    CaseNote,
    CaseStatus,
    CaseTask,
    ExploitationForm,
    Incident,
    IncidentForm,
    Involvement,
    InvolvementRole,
    TimelineEvent,
    note_aad,
)
from opennrm.cases.services import FIRST_REVIEW_HOURS, involvement_params
from opennrm.core import codes, crypto
from opennrm.demo import data
from opennrm.demo.synthetic import is_child_on, make_person, pick_age
from opennrm.identification.models import ConsentHow
from opennrm.lib.dates import local_tz
from opennrm.people.identity import clean_identity, lookup_digests
from opennrm.people.models import Person, PersonIdentity, PersonLookup, identity_aad
from opennrm.people.services import clean_attributes
from opennrm.protection import risk
from opennrm.protection import services as protection_services
from opennrm.protection.models import FactorAnswer, RiskAnswer, RiskAssessment, RiskFactor, RiskLevel
from opennrm.residence.models import PermitDecision, ResidenceGround, ResidencePermit
from opennrm.shelters import rules
from opennrm.shelters.models import (
    AcceptsSex,
    ExitDestination,
    Facility,
    FacilityKind,
    FacilitySpecialisation,
    Placement,
    PlacementStatus,
)

S = CaseStatus
FIRST_YEAR = 2019

# Final status -> (weight, the path of statuses that leads there).
OUTCOMES: dict[str, tuple[int, tuple[str, ...]]] = {
    "reported": (4, ()),
    "screening": (2, (S.SCREENING,)),
    "referred": (8, (S.REFERRED,)),
    "presumed_victim": (4, (S.REFERRED, S.PRESUMED_VICTIM)),
    "identified": (6, (S.REFERRED, S.PRESUMED_VICTIM, S.IDENTIFIED)),
    "not_identified": (6, (S.REFERRED, S.NOT_IDENTIFIED)),
    "assisted": (20, (S.REFERRED, S.PRESUMED_VICTIM, S.IDENTIFIED, S.ASSISTED)),
    "closed": (40, (S.REFERRED, S.PRESUMED_VICTIM, S.IDENTIFIED, S.ASSISTED, S.CLOSED)),
    "closed_not_identified": (10, (S.REFERRED, S.NOT_IDENTIFIED, S.CLOSED)),
}
# Which organisation types report, with the TIP referral category they count under.
REPORTING = {
    OrganisationType.POLICE: ("law_enforcement", 40),
    OrganisationType.SOCIAL_WORK_CENTRE: ("social_welfare", 25),
    OrganisationType.LABOUR_INSPECTORATE: ("other_government", 6),
    OrganisationType.HEALTH: ("other_government", 3),
    OrganisationType.SCHOOL: ("other_government", 3),
    OrganisationType.NGO: ("ngo_io", 18),
    OrganisationType.CENTRE: ("self_referral", 5),
}


@dataclass
class Generated:
    persons: int = 0
    cases: int = 0
    incidents: int = 0
    seconds: float = 0.0
    facilities: int = 0
    # Rows written after identification (placements, plans, services, …), by kind.
    rows: dict[str, int] = field(default_factory=lambda: defaultdict(int))


@dataclass
class _Row:
    person: Person
    identity: dict[str, Any]
    case: Case
    path: list[tuple[str, dt.datetime]]
    reporter: Organisation
    summary: str


# ---- after identification: facilities, placements, assistance, protection, residence, closure ----

FACILITY_PREFIX = "gen-facility-"
FACILITIES = 40
FACILITY_SEED = 40  # the same facilities whatever the run's seed, so a top-up finds them
# Operator type -> (weight, kinds it runs with their weights). Shelter organisations run the Centre's
# shelter; the Centre itself and international organisations rent alternative accommodation.
FACILITY_OPERATORS: dict[str, tuple[int, tuple[tuple[str, int], ...]]] = {
    OrganisationType.SOCIAL_WORK_CENTRE: (45, ((FacilityKind.CSW_SHELTER, 8), (FacilityKind.ALTERNATIVE, 2))),
    OrganisationType.NGO: (30, ((FacilityKind.NGO_SHELTER, 7), (FacilityKind.ALTERNATIVE, 3))),
    OrganisationType.SHELTER: (4, ((FacilityKind.CENTRE_SHELTER, 1),)),
    OrganisationType.INTERNATIONAL_ORGANISATION: (8, ((FacilityKind.ALTERNATIVE, 1),)),
    OrganisationType.CENTRE: (7, ((FacilityKind.ALTERNATIVE, 1),)),
}
FACILITY_NAMES = {
    FacilityKind.CENTRE_SHELTER: "Prihvatilište za urgentni smeštaj",
    FacilityKind.NGO_SHELTER: "Sigurna kuća",
    FacilityKind.CSW_SHELTER: "Prihvatilište centra za socijalni rad",
    FacilityKind.ALTERNATIVE: "Alternativni smeštaj",
}
SPECIALISATIONS = [f for f in ExploitationForm.values if f != ExploitationForm.UNKNOWN]

# Shares of the cases that reached reasonable grounds (presumed victim and after).
SHARE_PLACED = 0.3  # a facility at some point
SHARE_PLAN = 0.85  # an assistance plan with services
SHARE_REINTEGRATION = 0.35  # open identified or assisted cases; closed ones if long enough
SHARE_RISK = 0.5  # at least one risk assessment
SHARE_PERMIT = 0.3  # foreign persons who apply for temporary residence
SHARE_PENDING_CLOSURE = 0.05  # assisted cases with nothing open left, closure awaiting review
CURRENT_DAYS = 150  # placed this recently in an open case: may still live there
FILL = 0.6  # current residents stay under this share of a facility's beds (free beds remain)

SERVICE_WEIGHTS = {
    ServiceType.PSYCHOSOCIAL_SUPPORT: 20,
    ServiceType.MEDICAL_CARE: 14,
    ServiceType.MATERIAL_SUPPORT: 12,
    ServiceType.LEGAL_COUNSELLING: 10,
    ServiceType.SAFE_ACCOMMODATION: 8,
    ServiceType.PSYCHOLOGICAL_SUPPORT: 8,
    ServiceType.LEGAL_AID: 6,
    ServiceType.VOCATIONAL_TRAINING: 6,
    ServiceType.EMPLOYMENT: 6,
    ServiceType.INTERPRETATION: 0,  # only with an interpreter (below)
    ServiceType.EDUCATION: 2,
    ServiceType.FAMILY_TRACING: 2,
    ServiceType.SAFE_RETURN: 0,  # only for foreign persons (below)
}
# Why a service ended early; none states non-cooperation (mentions_non_cooperation() decides the flag).
REFUSALS = (
    "Lice ne želi ovu uslugu u ovom trenutku.",
    "Lice se preselilo i uslugu koristi u mestu boravka.",
)
DECLINES = (
    (DeclineReason.NO_CAPACITY, "Trenutno nema slobodnih termina; preporučen drugi pružalac."),
    (DeclineReason.NOT_IN_MANDATE, "Usluga nije u opisu rada naše organizacije."),
    (DeclineReason.NOT_ELIGIBLE, "Lice ne ispunjava uslove prijema za ovu uslugu."),
)
# Risk factor -> chance of "yes"; "not known" comes at UNKNOWN_RISK.
RISK_YES = {
    RiskFactor.TRAFFICKER_THREATS: 0.2,
    RiskFactor.TRAFFICKERS_KNOW_LOCATION: 0.15,
    RiskFactor.TRAFFICKERS_AT_LARGE: 0.4,
    RiskFactor.ORGANISED_GROUP: 0.25,
    RiskFactor.FAMILY_INVOLVED: 0.15,
    RiskFactor.WITNESS_ROLE: 0.3,
    RiskFactor.RISK_TO_RELATIVES: 0.15,
    RiskFactor.PREVIOUS_RETRAFFICKING: 0.1,
}
UNKNOWN_RISK = 0.08
RAISED_REASON = "Procena voditeljke slučaja posle razgovora sa licem i policijom; rizik je veći od zbira."
EXITS = {
    ExitDestination.FAMILY: 25,
    ExitDestination.INDEPENDENT_LIVING: 20,
    ExitDestination.OWN_HOME: 15,
    ExitDestination.OTHER_FACILITY: 10,
    ExitDestination.LEFT_WITHOUT_NOTICE: 10,
    ExitDestination.RETURNED_ABROAD: 10,
    ExitDestination.OTHER: 5,
}
AUTHORITIES = ("PU za grad Beograd", "PU Novi Sad", "PU Niš", "Uprava granične policije")
CLOSED_VICTIM = {
    ClosureReason.REINTEGRATED: 45,
    ClosureReason.LOST_CONTACT: 15,
    ClosureReason.DECLINED_ASSISTANCE: 15,
    ClosureReason.RETURNED: 15,
    ClosureReason.MOVED: 5,
}
# The involvement a provider's service grants with the case file (as assistance.services does).
PROVIDER_ROLES = {
    OrganisationType.SHELTER: InvolvementRole.SHELTER,
    OrganisationType.HEALTH: InvolvementRole.HEALTH,
}
CLOSURE_TEXT = {
    ClosureReason.MOVED: "Lice se preselilo u drugu državu; praćenje preuzeo tamošnji mehanizam upućivanja.",
    ClosureReason.NO_GROUNDS: "Nisu utvrđeni osnovi za identifikaciju; lice upućeno na druge usluge.",
}


def facilities_ensure(*, today: dt.date) -> list[Facility]:
    """Create the generator's facilities that are missing (by code), in bulk; return every facility.

    Capacities 4-20 adults and 0-10 children, some taking unaccompanied children, some for women or
    for men only, specialisations, licences: most valid, some ending within a month, some lapsed or
    missing, a few facilities closed. Drawn from a fixed seed, so every run asks for the same ones."""
    rng = random.Random(FACILITY_SEED)
    by_type: dict[str, list[Organisation]] = defaultdict(list)
    for org in Organisation.objects.filter(is_active=True, type__in=list(FACILITY_OPERATORS)).order_by("id"):
        by_type[org.type].append(org)
    types = [t for t in FACILITY_OPERATORS if by_type.get(t)]
    existing = set(Facility.objects.filter(code__startswith=FACILITY_PREFIX).values_list("code", flat=True))
    new, forms = [], []
    for n in range(1, FACILITIES + 1):
        if not types:
            break
        type_ = rng.choices(types, weights=[FACILITY_OPERATORS[t][0] for t in types])[0]
        operator = rng.choice(by_type[type_])
        kinds = FACILITY_OPERATORS[type_][1]
        kind = rng.choices([k for k, _w in kinds], weights=[w for _k, w in kinds])[0]
        municipality = operator.city or rng.choice(list(data.MUNICIPALITIES))
        takes_children = kind != FacilityKind.ALTERNATIVE and rng.random() < 0.3
        beds_children = rng.randint(4, 10) if takes_children else rng.choice((0, 0, 1, 2, 3, 4, 6))
        accepts = rng.choices([AcceptsSex.WOMEN, AcceptsSex.MEN, AcceptsSex.ANY], weights=(50, 20, 30))[0]
        licensed = kind in rules.LICENSED_KINDS or rng.random() < 0.3
        r = rng.random()
        if not licensed:
            licence: dict[str, Any] = {"licence_number": ""}
        elif r < 0.04:
            licence = {"licence_number": ""}  # missing: a licensed kind cannot take anyone
        else:
            until: dt.date | None = today + dt.timedelta(days=rng.randint(31, 1500))
            if r < 0.12:
                until = today - dt.timedelta(days=rng.randint(1, 200))  # lapsed
            elif r < 0.2:
                until = today + dt.timedelta(days=rng.randint(1, 29))  # ending within the month
            elif r < 0.45:
                until = None  # without an end
            licence = {
                "licence_number": f"LIC-SZ-GEN-{n:03d}",
                "licence_valid_from": today - dt.timedelta(days=rng.randint(400, 2500)),
                "licence_valid_until": until,
            }
        code = f"{FACILITY_PREFIX}{n:02d}"
        specialisations = rng.sample(SPECIALISATIONS, rng.choices((1, 2, 3), weights=(3, 4, 3))[0])
        if code in existing:
            continue
        facility = Facility(
            code=code,
            name=f"{FACILITY_NAMES[kind]} {municipality} {n}",
            kind=kind,
            operator=operator,
            municipality=municipality,
            beds_adults=rng.randint(4, 20),
            beds_children=beds_children,
            accepts_sex=accepts,
            takes_adults=True,
            takes_children=takes_children,
            min_age=rng.choice((14, 16, 18)) if not takes_children and rng.random() < 0.25 else None,
            is_open=rng.random() > 0.05,
            **licence,
        )
        new.append(facility)
        forms += [FacilitySpecialisation(facility=facility, form=f) for f in sorted(specialisations)]
    Facility.objects.bulk_create(new)
    FacilitySpecialisation.objects.bulk_create(forms)
    return list(Facility.objects.select_related("operator").order_by("id"))


def _milestones(path: list[tuple[str, dt.datetime]]) -> dict[str, dt.datetime]:
    return dict(path)


def _foreign(person: Person) -> bool:
    citizenship = (person.citizenship or "").upper()
    return bool(citizenship) and citizenship != settings.COUNTRY_CODE


@dataclass
class _Rows:
    """The rows of one batch after identification, inserted in dependency order."""

    involvements: list[Involvement] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)
    plans: list[AssistancePlan] = field(default_factory=list)
    services: list[AssistanceService] = field(default_factory=list)
    reintegrations: list[ReintegrationPlan] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    risks: list[RiskAssessment] = field(default_factory=list)
    answers: list[RiskAnswer] = field(default_factory=list)
    permits: list[list[ResidencePermit]] = field(default_factory=list)  # by depth of renewal
    closures: list[CaseClosure] = field(default_factory=list)
    pending: list[tuple[CaseClosure, dt.datetime]] = field(default_factory=list)
    events: list[TimelineEvent] = field(default_factory=list)

    def write(self) -> dict[str, int]:
        Involvement.objects.bulk_create(self.involvements)
        Placement.objects.bulk_create(self.placements)
        AssistancePlan.objects.bulk_create(self.plans)
        AssistanceService.objects.bulk_create(self.services)
        ReintegrationPlan.objects.bulk_create(self.reintegrations)
        FollowUp.objects.bulk_create(self.follow_ups)
        RiskAssessment.objects.bulk_create(self.risks)
        RiskAnswer.objects.bulk_create(self.answers)
        for level in self.permits:  # a renewal points at the permit it renews: insert that one first
            ResidencePermit.objects.bulk_create(level)
        CaseClosure.objects.bulk_create(self.closures)
        if self.pending:
            # created_at is set on insert; a closure awaiting review shows when it was asked for.
            for closure, at in self.pending:
                closure.created_at = at
            CaseClosure.objects.bulk_update([c for c, _at in self.pending], ["created_at"])
        TimelineEvent.objects.bulk_create(self.events)
        return {
            "involvements": len(self.involvements),
            "placements": len(self.placements),
            "assistance_plans": len(self.plans),
            "assistance_services": len(self.services),
            "reintegration_plans": len(self.reintegrations),
            "follow_ups": len(self.follow_ups),
            "risk_assessments": len(self.risks),
            "residence_permits": sum(len(level) for level in self.permits),
            "case_closures": len(self.closures),
            "pending_closures": len(self.pending),
            "aftercare_events": len(self.events),
        }


class Aftercare:
    """What happens to a case after reasonable grounds, written as the services would write it.

    Its own random stream: the persons and cases of a seed are the same as without it."""

    def __init__(
        self,
        *,
        seed: int,
        orgs: list[Organisation],
        centre: Organisation,
        facilities: list[Facility],
        now: dt.datetime,
    ):
        self.rng = random.Random(seed * 7919 + 17)
        self.centre = centre
        self.horizon = now - dt.timedelta(hours=1)
        self.today = timezone.localtime(self.horizon, local_tz()).date()
        self.facilities = facilities
        # Residents already placed (a top-up must not overfill what an earlier run placed).
        self.adults: dict[int, int] = defaultdict(int)
        self.children: dict[int, int] = defaultdict(int)
        placed = Placement.objects.filter(status=PlacementStatus.PLACED)
        for facility_id, is_child, extra in placed.values_list(
            "facility_id", "is_child", "accompanying_children"
        ):
            if is_child:
                self.children[facility_id] += 1
            else:
                self.adults[facility_id] += 1
            self.children[facility_id] += extra
        self.providers: dict[str, tuple[list[Organisation], list[float]]] = {}
        for service_type, types in SERVICE_PROVIDERS.items():
            allowed = [o for o in orgs if o.type in types]
            # The Centre may provide anything but mostly arranges others' services.
            weights = [1.0 if o.type == OrganisationType.CENTRE else 3.0 for o in allowed]
            self.providers[service_type] = (allowed, weights)
        epoch = dt.date(2000, 1, 1)
        self.reassess_days = {
            level: (protection_services.reassess_by(level, epoch) - epoch).days for level in RiskLevel.values
        }

    # ---- dates ----

    def _at(self, day: dt.date, *, after: dt.datetime | None = None) -> dt.datetime:
        """A moment of working hours on ``day``, not in the future and not before ``after``."""
        minute = self.rng.randrange(8 * 60, 18 * 60)
        at = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=local_tz())
        at = min(at, self.horizon)
        return max(at, after) if after is not None else at

    def _between(self, low: dt.date, high: dt.date) -> dt.date:
        if high <= low:
            return low
        return low + dt.timedelta(days=self.rng.randint(0, (high - low).days))

    @staticmethod
    def _day(at: dt.datetime) -> dt.date:
        return timezone.localtime(at, local_tz()).date()

    def _event(
        self,
        out: _Rows,
        case: Case,
        kind: str,
        at: dt.datetime,
        params: dict[str, Any],
        sensitivity: str = "general",
        org: Organisation | None = None,
    ) -> None:
        out.events.append(
            TimelineEvent(
                case=case,
                at=at,
                organisation=org or self.centre,
                kind=kind,
                params=params,
                sensitivity=sensitivity,
            )
        )

    # ---- one case ----

    def case(self, row: _Row, out: _Rows) -> None:
        case = row.case
        ms = _milestones(row.path)
        closed = case.status == S.CLOSED
        if closed:
            self._closure(row, ms, out)
        presumed = ms.get(S.PRESUMED_VICTIM)
        if presumed is None:
            return
        start = self._day(presumed)
        end = self._day(ms[S.CLOSED]) if closed else self.today
        rng = self.rng
        placed_now = False
        if rng.random() < SHARE_PLACED:
            placed_now = self._placement(row, start, end, out)
        services: list[AssistanceService] = []
        if rng.random() < SHARE_PLAN:
            services = self._plan(row, start, end, out)
        base = ms.get(S.ASSISTED) or ms.get(S.IDENTIFIED)
        if base is not None and rng.random() < SHARE_REINTEGRATION:
            self._reintegration(row, self._day(base), end, services, out)
        if rng.random() < SHARE_RISK:
            self._risk(row, start, end, out)
        if _foreign(row.person) and rng.random() < SHARE_PERMIT:
            self._permits(row, start, end, out)
        if (
            case.status == S.ASSISTED
            and not placed_now
            and not any(s.status in OPEN_SERVICE_STATUSES for s in services)
            and rng.random() < SHARE_PENDING_CLOSURE
        ):
            self._pending_closure(row, out)

    # ---- placements ----

    def _fits(self, facility: Facility, facts: rules.PersonFacts, children: int, on: dt.date) -> bool:
        reasons = rules.check(
            facility=facility,
            person=facts,
            accompanying_children=children,
            on=on,
            adults_placed=0,
            children_placed=0,
        )
        return not (set(reasons) - {"closed", "licence"})

    def _placement(self, row: _Row, start: dt.date, end: dt.date, out: _Rows) -> bool:
        """A stay in a facility: a current one for a recent open case if a facility fits and has room
        (kept under FILL of its beds), otherwise an ended one (or, sometimes, a place on a waiting list)."""
        rng, case = self.rng, row.case
        open_case = case.status in (S.PRESUMED_VICTIM, S.IDENTIFIED, S.ASSISTED)
        placed_on = self._between(start, min(start + dt.timedelta(days=5), end))
        current = open_case and (self.today - placed_on).days <= CURRENT_DAYS
        facts = rules.person_facts(case, placed_on)
        children = 0
        if not facts.is_child and facts.sex == "female" and rng.random() < 0.12:
            children = rng.choice((1, 1, 1, 2))
        fitting = [f for f in self.facilities if self._fits(f, facts, children, placed_on)]
        if not fitting and children:
            children = 0
            fitting = [f for f in self.facilities if self._fits(f, facts, 0, placed_on)]
        if not fitting:
            return False
        if current:
            room = [
                f
                for f in fitting
                if not rules.check(
                    facility=f,
                    person=facts,
                    accompanying_children=children,
                    on=placed_on,
                    adults_placed=self.adults[f.pk],
                    children_placed=self.children[f.pk],
                )
                and (facts.is_child or self.adults[f.pk] + 1 <= f.beds_adults * FILL)
                and self.children[f.pk] + children + facts.is_child <= f.beds_children * FILL
            ]
            if room:
                facility = rng.choice(room)
                self._stay(row, facility, facts.is_child, children, placed_on, None, out)
                if facts.is_child:
                    self.children[facility.pk] += 1 + children
                else:
                    self.adults[facility.pk] += 1
                    self.children[facility.pk] += children
                return True
            if rng.random() < 0.3:
                facility = rng.choice(fitting)
                out.placements.append(
                    Placement(
                        case=case,
                        facility=facility,
                        status=PlacementStatus.WAITING,
                        requested_on=placed_on,
                        is_child=facts.is_child,
                        accompanying_children=children,
                    )
                )
                self._event(out, case, "placement_waiting", self._at(placed_on), {})
                return False
        facility = rng.choices(fitting, weights=[f.beds_adults + f.beds_children for f in fitting])[0]
        ended_on = min(placed_on + dt.timedelta(days=int(rng.triangular(7, 240, 45))), end)
        self._stay(row, facility, facts.is_child, children, placed_on, ended_on, out)
        return False

    def _stay(
        self,
        row: _Row,
        facility: Facility,
        is_child: bool,
        children: int,
        placed_on: dt.date,
        ended_on: dt.date | None,
        out: _Rows,
    ) -> None:
        case = row.case
        placed_at = self._at(placed_on)
        ended_at = self._at(ended_on, after=placed_at) if ended_on else None
        involvement = Involvement(
            case=case,
            organisation=facility.operator,
            role=InvolvementRole.SHELTER,
            started_at=placed_at,
            ended_at=ended_at,
            end_reason="left the facility" if ended_at else "",  # as shelters.services ends it
        )
        out.involvements.append(involvement)
        if ended_on is None:
            status, destination = PlacementStatus.PLACED, ""
        else:
            status = PlacementStatus.ENDED
            foreign = _foreign(row.person)
            exits = {k: w for k, w in EXITS.items() if foreign or k != ExitDestination.RETURNED_ABROAD}
            destination = self.rng.choices(list(exits), weights=list(exits.values()))[0]
        out.placements.append(
            Placement(
                case=case,
                facility=facility,
                status=status,
                requested_on=placed_on,
                placed_on=placed_on,
                ended_on=ended_on,
                is_child=is_child,
                accompanying_children=children,
                exit_destination=destination,
                involvement=involvement,
            )
        )
        # As the placement services write it: the operator joins as the shelter, and leaves with the person.
        shelter = involvement_params(facility.operator, InvolvementRole.SHELTER)
        self._event(out, case, "involvement_added", placed_at, shelter)
        self._event(out, case, "placement_made", placed_at, {"override": False})
        if ended_at is not None:
            self._event(
                out, case, "placement_ended", ended_at, {"destination": destination}, org=facility.operator
            )
            self._event(out, case, "involvement_ended", ended_at, shelter, org=facility.operator)

    # ---- assistance ----

    def _service_types(self, row: _Row) -> list[str]:
        person, case = row.person, row.case
        weights = dict(SERVICE_WEIGHTS)
        if person.interpreter_needed:
            weights[ServiceType.INTERPRETATION] = 15
        if _foreign(person):
            weights[ServiceType.SAFE_RETURN] = 8
        if case.is_child:
            weights[ServiceType.EDUCATION] = 15
            weights[ServiceType.FAMILY_TRACING] = 6
            weights[ServiceType.EMPLOYMENT] = 0
        types = [t for t, w in weights.items() if w and self.providers[t][0]]
        n = min(self.rng.choices((1, 2, 3, 4, 5), weights=(25, 30, 25, 12, 8))[0], len(types))
        chosen: list[str] = []
        while len(chosen) < n:
            t = self.rng.choices(types, weights=[weights[x] for x in types])[0]
            if t not in chosen:
                chosen.append(t)
        return chosen

    def _status(self, case: Case, requested_on: dt.date) -> str:
        rng = self.rng
        if case.status == S.CLOSED:
            statuses = {"completed": 80, "refused_by_person": 10, "declined_by_provider": 10}
        elif (self.today - requested_on).days > 180:
            statuses = {"completed": 75, "in_progress": 10, "refused_by_person": 7, "declined_by_provider": 8}
        else:
            statuses = {
                "requested": 15,
                "accepted": 15,
                "in_progress": 35,
                "completed": 20,
                "refused_by_person": 7,
                "declined_by_provider": 8,
            }
        if case.status == S.IDENTIFIED:
            # A service under way moves an identified case on to assisted: not yet here.
            statuses.pop("in_progress", None)
            statuses.pop("completed", None)
            statuses.setdefault("requested", 15)
            statuses.setdefault("accepted", 15)
        return rng.choices(list(statuses), weights=list(statuses.values()))[0]

    def _plan(self, row: _Row, start: dt.date, end: dt.date, out: _Rows) -> list[AssistanceService]:
        rng, case, person = self.rng, row.case, row.person
        opened = self._between(start, min(start + dt.timedelta(days=10), end))
        types = self._service_types(row)
        plan = AssistancePlan(
            case=case,
            organisation=self.centre,
            opened_on=opened,
            agreed_with_person_on=self._between(opened, min(opened + dt.timedelta(days=5), end))
            if rng.random() < 0.9
            else None,
            review_due_on=self.today + dt.timedelta(days=rng.randint(7, 120))
            if case.status != S.CLOSED
            else None,
            version=1 + len(types),  # every service and step raises the plan's version; at least this
        )
        out.plans.append(plan)
        self._event(out, case, "plan_opened", self._at(opened), {})
        language = ", ".join(person.languages or []) if person.interpreter_needed else ""
        services = []
        for service_type in types:
            orgs, weights = self.providers[service_type]
            provider = rng.choices(orgs, weights=weights)[0]
            requested = self._between(opened, min(opened + dt.timedelta(days=30), end))
            planned_from = requested + dt.timedelta(days=rng.randint(0, 7))
            status = self._status(case, requested)
            service = AssistanceService(
                plan=plan,
                case=case,
                service_type=service_type,
                sensitivity=service_sensitivity(service_type),
                provider=provider,
                status=status,
                urgent=rng.random() < 0.15,
                requested_on=requested,
                planned_from=planned_from,
                planned_until=planned_from + dt.timedelta(days=rng.randint(30, 180))
                if rng.random() < 0.6
                else None,
                data_consent=DataConsent.CASE_FILE if rng.random() < 0.6 else DataConsent.REQUEST_ONLY,
                consent_how=ConsentHow.THROUGH_GUARDIAN
                if case.is_child
                else (ConsentHow.WRITTEN if rng.random() < 0.85 else ConsentHow.ORAL_WITH_WITNESS),
                consent_on=requested,
                interpreter_language=language[:20],
            )
            self._steps(service, end)
            services.append(service)
            requested_at = self._at(requested)
            # The provider of safe accommodation is where the person sleeps.
            where = {WHEREABOUTS_PARAM: True} if service_type == ServiceType.SAFE_ACCOMMODATION else {}
            self._event(
                out,
                case,
                "service_requested",
                requested_at,
                {"service": service_type, "org": provider.name, **where},
                service.sensitivity,
            )
            if status != ServiceStatus.REQUESTED:
                last = service.ended_on or service.started_on or service.accepted_on or requested
                self._event(
                    out,
                    case,
                    "service_status",
                    self._at(last, after=requested_at),
                    {"service": service_type, "status": status, "org": provider.name, **where},
                    service.sensitivity,
                    org=provider,
                )
            if service.data_consent == DataConsent.CASE_FILE:
                # With the case file the provider joins the case, through an involvement of this
                # service alone, of the service's class, until the service ends.
                role = (
                    InvolvementRole.SHELTER
                    if service_type == ServiceType.SAFE_ACCOMMODATION
                    else PROVIDER_ROLES.get(provider.type, InvolvementRole.SERVICE_PROVIDER)
                )
                started = requested_at
                ended = self._at(service.ended_on, after=started) if service.ended_on else None
                service.involvement = Involvement(
                    case=case,
                    organisation=provider,
                    role=role,
                    sensitivity=service.sensitivity,
                    started_at=started,
                    ended_at=ended,
                    end_reason=gettext_noop("service ended") if ended else "",
                )
                out.involvements.append(service.involvement)
        out.services += services
        return services

    def _steps(self, service: AssistanceService, end: dt.date) -> None:
        """The dates of the steps to the service's status, none after ``end`` (closure or today)."""
        rng, status = self.rng, service.status
        requested = service.requested_on
        if status in (ServiceStatus.ACCEPTED, ServiceStatus.IN_PROGRESS, ServiceStatus.COMPLETED):
            service.accepted_on = self._between(requested, min(requested + dt.timedelta(days=7), end))
        if status in (ServiceStatus.IN_PROGRESS, ServiceStatus.COMPLETED):
            accepted = service.accepted_on or requested
            service.started_on = self._between(accepted, min(accepted + dt.timedelta(days=7), end))
        if status == ServiceStatus.COMPLETED:
            started = service.started_on or requested
            service.ended_on = self._between(started, min(started + dt.timedelta(days=180), end))
        elif status in (ServiceStatus.REFUSED_BY_PERSON, ServiceStatus.DECLINED_BY_PROVIDER):
            service.ended_on = self._between(requested, min(requested + dt.timedelta(days=14), end))
            if status == ServiceStatus.REFUSED_BY_PERSON:
                service.reason = rng.choice(REFUSALS)
            else:
                service.decline_reason, service.reason = rng.choice(DECLINES)
            service.non_cooperation_flag = service.decline_reason == DeclineReason.NON_COOPERATION or (
                mentions_non_cooperation(service.reason)
            )

    # ---- reintegration and follow-up ----

    def _reintegration(
        self, row: _Row, base: dt.date, end: dt.date, services: list[AssistanceService], out: _Rows
    ) -> None:
        rng, case = self.rng, row.case
        if case.status == S.CLOSED:
            started = self._between(base, min(base + dt.timedelta(days=14), end))
            until = end
            interval = rng.choice((14, 30))
            if (until - started).days < 2 * interval:
                return
        else:
            started = self._between(base + dt.timedelta(days=7), base + dt.timedelta(days=120))
            started = max(base, min(started, self.today))
            until = started + dt.timedelta(days=round(rng.choice((6, 12, 12, 18, 24)) * 30.44))
            interval = rng.choice((14, 30, 30, 60, 90))
        # Follow-up by the Centre or by an organisation already involved through a service.
        involved = [s.provider for s in services if s.involvement is not None]
        follower = rng.choice(involved) if involved and rng.random() < 0.4 else self.centre
        plan = ReintegrationPlan(
            case=case, started_on=started, until_on=until, interval_days=interval, follow_up_by=follower
        )
        out.reintegrations.append(plan)
        last = min(end, self.today)
        due = started + dt.timedelta(days=interval)
        count = 0
        while due <= until:
            follow_up = FollowUp(plan=plan, case=case, due_on=due)
            # Contacts are mostly made on time; some past ones were not made (overdue, in open cases).
            if due <= last and (case.status == S.CLOSED or rng.random() < 0.93):
                follow_up.done_on = self._between(due, min(due + dt.timedelta(days=10), last))
                follow_up.method = rng.choices(FollowUpMethod.values, weights=(30, 25, 40, 5))[0]
                follow_up.outcome = rng.choices(FollowUpOutcome.values, weights=(60, 25, 15))[0]
                self._event(
                    out,
                    case,
                    "follow_up_done",
                    self._at(follow_up.done_on),
                    {"outcome": follow_up.outcome},
                    org=follower,
                )
            out.follow_ups.append(follow_up)
            count += 1
            due += dt.timedelta(days=interval)
        self._event(
            out,
            case,
            "reintegration_started",
            self._at(started),
            {"org": follower.name, "count": count, "until": until.isoformat()},
        )

    # ---- risk ----

    def _risk(self, row: _Row, start: dt.date, end: dt.date, out: _Rows) -> None:
        rng, case = self.rng, row.case
        days = [self._between(start, min(start + dt.timedelta(days=14), end))]
        if case.status != S.CLOSED and rng.random() < 0.7:
            # Reassessed since, mostly within the last months (some are due again).
            days.append(self._between(max(days[0], self.today - dt.timedelta(days=150)), self.today))
        elif case.status == S.CLOSED and rng.random() < 0.3:
            days.append(self._between(days[0], end))
        for day in days:
            answers = {}
            for factor, yes in RISK_YES.items():
                r = rng.random()
                answers[factor] = (
                    FactorAnswer.YES
                    if r < yes
                    else (FactorAnswer.UNKNOWN if r < yes + UNKNOWN_RISK else FactorAnswer.NO)
                )
            computed = risk.assess(answers).level
            level, raised = computed, ""
            if computed != RiskLevel.CRITICAL and rng.random() < 0.03:
                level = RiskLevel.values[RiskLevel.values.index(computed) + 1]
                raised = RAISED_REASON
            assessment = RiskAssessment(
                case=case,
                assessed_on=day,
                organisation=self.centre,
                computed_level=computed,
                level=level,
                raised_reason=raised,
                reassess_by=day + dt.timedelta(days=self.reassess_days[level]),
            )
            out.risks.append(assessment)
            out.answers += [RiskAnswer(assessment=assessment, factor=f, answer=a) for f, a in answers.items()]
            self._event(out, case, "risk_assessed", self._at(day), {"level": level}, Sensitivity.SECURITY)

    # ---- residence ----

    def _permits(self, row: _Row, start: dt.date, end: dt.date, out: _Rows) -> None:
        """An application for temporary residence, its decision and, while the case is open, renewals."""
        rng, case = self.rng, row.case
        applied = self._between(start + dt.timedelta(days=3), min(start + dt.timedelta(days=30), end))
        ground = (
            ResidenceGround.HUMANITARIAN
            if rng.random() < 0.1
            else (
                ResidenceGround.PRESUMED_VICTIM
                if case.status == S.PRESUMED_VICTIM
                else ResidenceGround.VICTIM
            )
        )
        previous: ResidencePermit | None = None
        for depth in range(4):
            if applied > self.today:
                return
            permit = ResidencePermit(
                case=case,
                ground=ground,
                applied_on=applied,
                issuing_authority=rng.choice(AUTHORITIES),
                renewal_of=previous,
            )
            while len(out.permits) <= depth:
                out.permits.append([])
            out.permits[depth].append(permit)
            applied_at = self._at(applied)
            self._event(
                out,
                case,
                "permit_applied",
                applied_at,
                {"ground": ground, "renewal": previous is not None},
                Sensitivity.LEGAL,
            )
            decided = applied + dt.timedelta(days=rng.randint(15, 60))
            if decided > self.today or (case.status != S.CLOSED and rng.random() < 0.05):
                return  # pending
            permit.decided_on = decided
            if rng.random() < (0.1 if previous is None else 0.05):
                permit.decision = PermitDecision.REFUSED
                self._event(
                    out,
                    case,
                    "permit_decided",
                    self._at(decided, after=applied_at),
                    {"decision": PermitDecision.REFUSED, "until": ""},
                    Sensitivity.LEGAL,
                )
                return
            permit.decision = PermitDecision.GRANTED
            # A renewal runs on from the day after the permit it renews, unless that has run out.
            valid_from = decided
            if previous is not None and previous.valid_until is not None:
                valid_from = max(decided, previous.valid_until + dt.timedelta(days=1))
            permit.valid_from = valid_from
            permit.valid_until = valid_from + dt.timedelta(days=rng.choice((180, 365, 365)))
            self._event(
                out,
                case,
                "permit_decided",
                self._at(decided, after=applied_at),
                {"decision": PermitDecision.GRANTED, "until": permit.valid_until.isoformat()},
                Sensitivity.LEGAL,
            )
            # Renewed before it runs out while the case is open (and not always: some expire).
            if case.status == S.CLOSED or rng.random() < 0.3:
                return
            applied = permit.valid_until - dt.timedelta(days=rng.randint(5, 40))
            applied = max(applied, decided)
            previous = permit

    # ---- closure ----

    def _closure(self, row: _Row, ms: dict[str, dt.datetime], out: _Rows) -> None:
        """A closed case was closed on a reviewed closure (the only way a case closes)."""
        rng, case = self.rng, row.case
        closed_at = ms[S.CLOSED]
        before = [s for s, _at in row.path if s != S.CLOSED]
        previous = before[-1] if before else S.REPORTED
        if S.PRESUMED_VICTIM in ms:
            reasons = dict(CLOSED_VICTIM)
            if not _foreign(row.person):
                reasons.pop(ClosureReason.RETURNED)
            reason = rng.choices(list(reasons), weights=list(reasons.values()))[0]
        else:
            reason = ClosureReason.NOT_IDENTIFIED if rng.random() < 0.7 else ClosureReason.NO_GROUNDS
        explanation = (
            rng.choice(data.CLOSURE_EXPLANATIONS[reason])
            if reason in data.CLOSURE_EXPLANATIONS
            else CLOSURE_TEXT[reason]
        )
        out.closures.append(
            CaseClosure(
                case=case,
                reason=reason,
                explanation=explanation,
                organisation=self.centre,
                status=ClosureStatus.APPROVED,
                previous_status=previous,
                reviewed_at=closed_at,
            )
        )
        prior = ms.get(previous, case.opened_at)
        requested_at = max(prior, closed_at - dt.timedelta(days=rng.randint(1, 7)))
        self._event(out, case, "closure_requested", requested_at, {"reason": reason})
        self._event(out, case, "closure_approved", closed_at, {})

    def _pending_closure(self, row: _Row, out: _Rows) -> None:
        rng, case = self.rng, row.case
        reason = rng.choice(
            (ClosureReason.REINTEGRATED, ClosureReason.LOST_CONTACT, ClosureReason.DECLINED_ASSISTANCE)
        )
        closure = CaseClosure(
            case=case,
            reason=reason,
            explanation=rng.choice(data.CLOSURE_EXPLANATIONS[reason]),
            organisation=self.centre,
            status=ClosureStatus.REQUESTED,
            previous_status=case.status,
        )
        at = max(case.status_changed_at, self.horizon - dt.timedelta(days=rng.randint(0, 20)))
        out.closures.append(closure)
        out.pending.append((closure, at))
        self._event(out, case, "closure_requested", at, {"reason": reason})


class Generator:
    def __init__(
        self,
        *,
        seed: int,
        orgs: list[Organisation],
        centre: Organisation,
        facilities: list[Facility] | None = None,
    ):
        self.rng = random.Random(seed)
        self.centre = centre
        self.now = timezone.now()
        self.aftercare = Aftercare(
            seed=seed, orgs=orgs, centre=centre, facilities=facilities or [], now=self.now
        )
        self.rows: dict[str, int] = defaultdict(int)
        self.horizon = self.now - dt.timedelta(hours=1)
        self.today = timezone.localtime(self.now, local_tz()).date()
        self.key = crypto.active_key()
        by_type: dict[str, list[Organisation]] = defaultdict(list)
        for org in orgs:
            by_type[org.type].append(org)
        self.reporters: list[tuple[Organisation, str]] = []
        self.weights: list[float] = []
        for type_, (source, weight) in REPORTING.items():
            for org in by_type.get(type_, []):
                self.reporters.append((org, source))
                self.weights.append(weight / len(by_type[type_]))
        if not self.reporters:
            raise ValueError("no organisation can report: create the demo organisations first")
        self.years = list(range(FIRST_YEAR, self.today.year + 1))

    # ---- one incident with its persons ------------------------------------------------------

    def _moment(self, day: dt.date) -> dt.datetime:
        minute = self.rng.randrange(7 * 60, 20 * 60)
        return dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=local_tz())

    def _group_size(self) -> int:
        r = self.rng.random()
        return 1 if r < 0.88 else (self.rng.randint(2, 5) if r < 0.98 else self.rng.randint(6, 40))

    def _path(self, opened: dt.datetime) -> list[tuple[str, dt.datetime]]:
        rng = self.rng
        names = list(OUTCOMES)
        final = rng.choices(names, weights=[OUTCOMES[n][0] for n in names])[0]
        path, moment = [], opened
        for status in OUTCOMES[final][1]:
            moment = moment + dt.timedelta(hours=rng.uniform(2, 24 * 45 if status == S.CLOSED else 24 * 10))
            if moment > self.horizon:
                break
            path.append((status, moment))
        return path

    def incident(self) -> tuple[Incident, list[str], list[_Row]]:
        rng = self.rng
        year = rng.choice(self.years)
        first = dt.date(year, 1, 1)
        last = min(dt.date(year, 12, 31), self.today - dt.timedelta(days=1))
        day = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
        opened = min(self._moment(day), self.horizon)
        category = rng.choices(data.CATEGORIES, weights=(45, 25, 7, 5, 18))[0]
        forms = list(rng.choice(data.MULTIPLE_PAIRS)) if category == "multiple" else [category]
        reporter, source = rng.choices(self.reporters, weights=self.weights)[0]
        abroad = rng.random() < 0.08
        country = rng.choice(list(data.ABROAD)) if abroad else "RS"
        place = data.ABROAD[country] if abroad else rng.choice(list(data.MUNICIPALITIES))
        text_key = "labour" if forms[0] == "labour" else forms[0]
        incident = Incident(
            title=f"{rng.choice(data.INCIDENT_TITLES[text_key])}, {place}",
            started_on=day - dt.timedelta(days=rng.randint(7, 400)),
            ended_on=day if rng.random() < 0.6 else None,
            municipality=place,
            country_of_exploitation=country,
            transnational=abroad,
            organisation=reporter,
        )
        rows = []
        for _n in range(self._group_size()):
            child = rng.random() < 0.35
            sex = "female" if rng.random() < (0.85 if category == "sexual" else 0.35) else "male"
            citizenship = "RS" if rng.random() < 0.8 else rng.choice(list(data.FOREIGN_ORIGINS))
            if citizenship != "RS":
                incident.transnational = True
            local_day = timezone.localtime(opened, local_tz()).date()
            synthetic = make_person(
                rng,
                citizenship=citizenship,
                sex=sex,
                child=child,
                on=local_day,
                category=category,
                age=pick_age(rng, child=child, category=category),
            )
            identity = clean_identity(synthetic.identity, today=local_day)
            attrs = clean_attributes(synthetic.attributes)  # the service's validation, not its write
            person = Person(**attrs)
            path = self._path(opened)
            status, changed = path[-1] if path else (S.REPORTED, opened)
            case = Case(
                person=person,
                incident=incident,
                status=status,
                status_changed_at=changed,
                opened_at=opened,
                opened_by_organisation=reporter,
                referral_source=source,
                is_child=is_child_on(attrs, identity, local_day),
                closed_at=changed if status == S.CLOSED else None,
            )
            summary = rng.choice(data.SUMMARIES[text_key])
            rows.append(_Row(person, identity, case, path, reporter, summary))
        return incident, forms, rows

    # ---- one batch, one transaction ------------------------------------------------------------

    @staticmethod
    def _codes(kind: str, items: list[tuple[Any, dt.datetime]]) -> None:
        """Reserve codes in bulk, by year of registration (RS-C-2021-004512 for a case opened in 2021)."""
        by_year: dict[int, list[Any]] = defaultdict(list)
        for obj, when in items:
            by_year[timezone.localtime(when, local_tz()).year].append(obj)
        for year, items in by_year.items():
            for obj, code in zip(items, codes.next_codes(kind, len(items), year=year), strict=True):
                obj.code = code

    @transaction.atomic
    def batch(self, persons: int) -> tuple[int, int]:
        incidents: list[tuple[Incident, list[str], list[_Row]]] = []
        count = 0
        while count < persons:
            inc = self.incident()
            inc[2][:] = inc[2][: persons - count]
            incidents.append(inc)
            count += len(inc[2])
        rows = [row for _i, _f, rs in incidents for row in rs]
        self._codes("incident", [(i, rs[0].case.opened_at) for i, _f, rs in incidents])
        self._codes("person", [(r.person, r.case.opened_at) for r in rows])
        self._codes("case", [(r.case, r.case.opened_at) for r in rows])

        Incident.objects.bulk_create([i for i, _f, _r in incidents])
        IncidentForm.objects.bulk_create(
            [IncidentForm(incident=i, form=f) for i, forms, _r in incidents for f in sorted(set(forms))]
        )
        Person.objects.bulk_create([r.person for r in rows])
        identities, lookups = [], []
        for r in rows:
            key_id, blob = crypto.encrypt(r.identity, aad=identity_aad(r.person.code), key=self.key)
            identities.append(PersonIdentity(person=r.person, data_key_id=key_id, ciphertext=blob))
            lookups += [
                PersonLookup(person=r.person, kind=k, digest=d) for k, d in sorted(lookup_digests(r.identity))
            ]
        PersonIdentity.objects.bulk_create(identities)
        PersonLookup.objects.bulk_create(lookups)
        Case.objects.bulk_create([r.case for r in rows])

        involvements, notes, events, tasks = [], [], [], []
        review = gettext_noop("Review the new report")  # the intake service's task, stored untranslated
        for r in rows:
            case, opened = r.case, r.case.opened_at
            own = r.reporter.pk == self.centre.pk
            involvements.append(
                Involvement(
                    case=case,
                    organisation=r.reporter,
                    started_at=opened,
                    role=InvolvementRole.IDENTIFYING_BODY if own else InvolvementRole.REPORTER,
                )
            )
            if not own:
                involvements.append(
                    Involvement(
                        case=case,
                        organisation=self.centre,
                        role=InvolvementRole.IDENTIFYING_BODY,
                        started_at=opened,
                    )
                )
            key_id, blob = crypto.encrypt({"text": r.summary}, aad=note_aad(case.code), key=self.key)
            notes.append(
                CaseNote(
                    case=case,
                    sensitivity="general",
                    organisation=r.reporter,
                    data_key_id=key_id,
                    ciphertext=blob,
                )
            )

            def event(
                kind: str,
                at: dt.datetime,
                params: dict[str, Any],
                sensitivity: str = "general",
                case: Case = case,
                org: Organisation = r.reporter,
            ) -> None:
                events.append(
                    TimelineEvent(
                        case=case, at=at, organisation=org, kind=kind, params=params, sensitivity=sensitivity
                    )
                )

            event("case_opened", opened, {"org": r.reporter.name})
            event("person_registered", opened, {"code": r.person.code})
            event("note_added", opened, {"sensitivity": "general"})
            event("task_added", opened, {"title": review})
            previous = S.REPORTED
            for status, at in r.path:
                event("status_changed", at, {"old": previous, "new": status}, org=self.centre)
                previous = status
            if case.status in (S.REPORTED, S.SCREENING):
                # The Centre has not looked at these yet: their review task is still open.
                tasks.append(
                    CaseTask(
                        case=case,
                        title=review,
                        organisation=self.centre,
                        due_at=opened + dt.timedelta(hours=FIRST_REVIEW_HOURS),
                    )
                )
        Involvement.objects.bulk_create(involvements)
        CaseNote.objects.bulk_create(notes)
        TimelineEvent.objects.bulk_create(events)
        CaseTask.objects.bulk_create(tasks)

        after = _Rows()
        for r in rows:
            self.aftercare.case(r, after)
        for kind, n in after.write().items():
            self.rows[kind] += n
        return len(incidents), len(rows)


def generate(
    *, persons: int, seed: int, batch_size: int = 5000, progress: Callable[[str], None] = lambda _m: None
) -> Generated:
    centre = (
        Organisation.objects.filter(type=OrganisationType.CENTRE, parent__isnull=True).order_by("id").first()
    )
    if centre is None:
        raise ValueError("no Centre organisation: create the demo organisations first")
    out = Generated()
    started = time.monotonic()
    before = Facility.objects.count()
    with transaction.atomic():
        facilities = facilities_ensure(today=timezone.localdate(timezone.now(), local_tz()))
    out.facilities = len(facilities) - before
    gen = Generator(
        seed=seed,
        orgs=list(Organisation.objects.filter(is_active=True)),
        centre=centre,
        facilities=facilities,
    )
    while out.persons < persons:
        n_incidents, n_persons = gen.batch(min(batch_size, persons - out.persons))
        out.incidents += n_incidents
        out.persons += n_persons
        out.cases += n_persons
        reset_queries()  # DEBUG keeps every query; a million-row load must not
        elapsed = time.monotonic() - started
        progress(
            f"  {out.persons:>9,} / {persons:,} persons  {elapsed:7.1f} s  ({out.persons / elapsed:,.0f}/s)"
        )
    audit_record(
        actor=None,
        action="create",
        object_type="generated_data",
        actor_username="system",
        detail={
            "persons": out.persons,
            "cases": out.cases,
            "incidents": out.incidents,
            "facilities": out.facilities,
            **gen.rows,
            "seed": seed,
            "synthetic": True,
        },
    )
    out.rows = dict(gen.rows)
    if connection.vendor == "postgresql":
        # Fresh statistics, so the planner sees the new table sizes (and a visibility map for index-only
        # scans). VACUUM cannot run inside a transaction (as in tests); ANALYZE alone can.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            for model in (
                Person,
                PersonIdentity,
                PersonLookup,
                Incident,
                IncidentForm,
                Case,
                Involvement,
                CaseNote,
                TimelineEvent,
                CaseTask,
                Facility,
                FacilitySpecialisation,
                Placement,
                AssistancePlan,
                AssistanceService,
                ReintegrationPlan,
                FollowUp,
                RiskAssessment,
                RiskAnswer,
                ResidencePermit,
                CaseClosure,
            ):
                cursor.execute(f'{command} "{model._meta.db_table}"')
    out.seconds = time.monotonic() - started
    return out
