"""What follows reasonable grounds, as the services write it: the family assessment of a child, stays in
facilities, the needs assessment, the assistance plan and its services, the person's stance towards
the authorities, reintegration with its follow-ups, risk assessments and protection measures,
residence permits and health coverage of foreign persons, and the closure.

Dates follow the case's path: nothing lies after the case closed (or, for a person found not to be a
victim, after that decision), a service that starts while the case is identified is what moved it on
to assisted, and an identified case that never became assisted has no service under way.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_noop

from opennrm.accounts.models import Organisation, OrganisationType
from opennrm.accounts.roles import Sensitivity
from opennrm.assistance.models import (
    OPEN_SERVICE_STATUSES,
    ClosureReason,
    ClosureStatus,
    CooperationStance,
    DataConsent,
    DeclineReason,
    FollowUpMethod,
    FollowUpOutcome,
    NeedPriority,
    ServiceStatus,
    ServiceType,
    service_sensitivity,
)
from opennrm.assistance.services import SERVICE_PROVIDERS
from opennrm.cases.models import WHEREABOUTS_PARAM, InvolvementRole
from opennrm.cases.services import involvement_params
from opennrm.demo import data
from opennrm.demo.generator.intake import mentions_non_cooperation
from opennrm.demo.generator.world import Batch, S, Story, World
from opennrm.identification.models import ConsentHow
from opennrm.protection import risk
from opennrm.protection.models import (
    FAMILY_RETURN_OUTCOMES,
    RESTRICTED_LEVELS,
    FactorAnswer,
    FamilyOutcome,
    MeasureKind,
    RiskFactor,
    RiskLevel,
)
from opennrm.residence.models import HealthCoverageBasis, PermitDecision, ResidenceGround
from opennrm.shelters import rules
from opennrm.shelters.models import ExitDestination, Facility, Placement, PlacementStatus

T = OrganisationType
# Django's ``Choices.values`` builds a new list on every read: read once.
FAMILY_OUTCOMES = tuple(FamilyOutcome.values)
SERVICE_TYPES = tuple(ServiceType.values)
NEED_PRIORITIES = tuple(NeedPriority.values)
STANCES = tuple(CooperationStance.values)
FOLLOW_UP_METHODS = tuple(FollowUpMethod.values)
FOLLOW_UP_OUTCOMES = tuple(FollowUpOutcome.values)
RISK_LEVELS = tuple(RiskLevel.values)
RISK_FACTORS = tuple(RiskFactor.values)

# Shares of the cases that reached reasonable grounds (presumed victim and after).
SHARE_PLACED = 0.3  # a facility at some point
SHARE_PLAN = 0.85  # an assistance plan with services (every assisted case has one)
SHARE_REASSESSED_NEEDS = 0.15  # a second needs assessment in an open case
SHARE_COOPERATION = 0.4  # the person's stance towards giving a statement is recorded
SHARE_REINTEGRATION = 0.35  # open identified or assisted cases; closed ones if long enough
SHARE_RISK = 0.5  # at least one risk assessment
SHARE_PERMIT = 0.3  # foreign persons who apply for temporary residence
SHARE_HEALTH = 0.75  # foreign persons whose entitlement to health care is recorded
SHARE_FAMILY = 0.5  # children with a guardian whose family the centre for social work assesses
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
# Measures taken at high or critical risk: kind -> (chance, who is responsible).
MEASURES: tuple[tuple[str, float, str], ...] = (
    (MeasureKind.POLICE_PROTECTION, 0.5, "police"),
    (MeasureKind.ADDRESS_CONFIDENTIALITY, 0.6, "centre"),
    (MeasureKind.SAFE_COMMUNICATION, 0.4, "centre"),
    (MeasureKind.RELOCATION, 0.15, "centre"),
    (MeasureKind.WITNESS_PROTECTION, 0.1, "police"),  # only for a witness
)
MEASURE_ENDS = (
    "Nova procena pokazuje manji rizik; mera više nije potrebna.",
    "Lice se preselilo; mera je zamenjena merama u novom mestu boravka.",
)
EXITS = {
    ExitDestination.FAMILY: 25,
    ExitDestination.INDEPENDENT_LIVING: 20,
    ExitDestination.OWN_HOME: 15,
    ExitDestination.OTHER_FACILITY: 10,
    ExitDestination.LEFT_WITHOUT_NOTICE: 10,
    ExitDestination.RETURNED_ABROAD: 10,
    ExitDestination.OTHER: 5,
}
# A child goes back to the family (or abroad to it) only after a family assessment allowed it.
FAMILY_EXITS = (ExitDestination.FAMILY, ExitDestination.RETURNED_ABROAD)
AUTHORITIES = ("PU za grad Beograd", "PU Novi Sad", "PU Niš", "Uprava granične policije")
CLOSED_VICTIM = {
    ClosureReason.REINTEGRATED: 45,
    ClosureReason.LOST_CONTACT: 15,
    ClosureReason.DECLINED_ASSISTANCE: 15,
    ClosureReason.RETURNED: 15,
    ClosureReason.MOVED: 5,
}
# The involvement a provider's service grants with the case file (as assistance.services does).
PROVIDER_ROLES = {T.SHELTER: InvolvementRole.SHELTER, T.HEALTH: InvolvementRole.HEALTH}
CLOSURE_TEXT = {
    ClosureReason.MOVED: "Lice se preselilo u drugu državu; praćenje preuzeo tamošnji mehanizam upućivanja.",
    ClosureReason.NO_GROUNDS: "Nisu utvrđeni osnovi za identifikaciju; lice upućeno na druge usluge.",
}
HEALTH_BASES = {
    HealthCoverageBasis.HEALTH_INSURANCE_VICTIMS: 70,
    HealthCoverageBasis.INTERNATIONAL_ORGANISATION: 20,
    HealthCoverageBasis.SOCIAL_PROTECTION: 10,
}
SERVICE_ENDED = gettext_noop("service ended")  # the end reason assistance.services stores


@dataclass(slots=True)
class Span:
    """The period in which a case's assistance runs: from reasonable grounds to the closure, to the
    decision that the person is not a victim, or to now."""

    start: dt.date
    start_at: dt.datetime
    end: dt.date
    end_at: dt.datetime
    open: bool  # still running: the case is open in a victim status
    identified: dt.date | None  # the day of the identification decision
    assisted: dt.datetime | None  # the moment a service under way moved the case on to assisted


@dataclass(slots=True)
class Service:
    """A service as it is drawn; its row is written once its steps are known."""

    service_type: str
    provider: Organisation
    status: str
    requested: dt.date
    planned_from: dt.date
    accepted: dt.date | None = None
    started: dt.date | None = None
    ended: dt.date | None = None
    involved: bool = False  # the person agreed to share the case file with the provider


def _part(total: int, worker: int, workers: int) -> int:
    """Worker ``worker``'s part of ``total`` split between ``workers`` (the parts add up to it)."""
    return total * (worker + 1) // workers - total * worker // workers


class Aftercare:
    def __init__(self, world: World, *, worker: int = 0, workers: int = 1):
        self.world = world
        self.facilities = list(world.facilities)
        # Residents already placed (a top-up must not overfill what an earlier run placed).
        existing_adults = {f.pk: 0 for f in self.facilities}
        existing_children = {f.pk: 0 for f in self.facilities}
        rows = Placement.objects.filter(status=PlacementStatus.PLACED)
        for facility_id, is_child, extra in rows.values_list(
            "facility_id", "is_child", "accompanying_children"
        ):
            if facility_id in existing_adults:
                if is_child:
                    existing_children[facility_id] += 1
                else:
                    existing_adults[facility_id] += 1
                existing_children[facility_id] += extra
        # The beds this process may still fill: under FILL of each facility's beds, and with two worker
        # processes each its own share, so that together they stay under it.
        self.free: dict[int, list[int]] = {}
        self.placed: dict[int, list[int]] = {}  # residents as the rules count them (earlier and new)
        for f in self.facilities:
            free_adults = max(0, int(f.beds_adults * FILL) - existing_adults[f.pk])
            free_children = max(0, int(f.beds_children * FILL) - existing_children[f.pk])
            self.free[f.pk] = [_part(free_adults, worker, workers), _part(free_children, worker, workers)]
            self.placed[f.pk] = [existing_adults[f.pk], existing_children[f.pk]]
        self.providers: dict[str, tuple[list[Organisation], list[float]]] = {}
        for service_type, types in SERVICE_PROVIDERS.items():
            allowed = [o for o in world.orgs if o.type in types]
            # The Centre may provide anything but mostly arranges others' services.
            weights = [1.0 if o.type == T.CENTRE else 3.0 for o in allowed]
            self.providers[service_type] = (allowed, weights)

    # ---- one case ----

    def case(self, batch: Batch, rng: random.Random, story: Story) -> None:
        world = self.world
        ms = story.ms
        presumed = ms.get(S.PRESUMED_VICTIM)
        if presumed is not None:
            closed_at = ms.get(S.CLOSED)
            negative = story.negative
            if negative:
                end_at = ms[S.NOT_IDENTIFIED]
            else:
                end_at = closed_at if closed_at is not None else world.horizon
            identified = ms.get(S.IDENTIFIED)
            span = Span(
                start=world.day(presumed),
                start_at=presumed,
                end=world.day(end_at),
                end_at=end_at,
                open=not negative and closed_at is None,
                identified=world.day(identified) if identified else None,
                assisted=ms.get(S.ASSISTED),
            )
            self._assist(batch, rng, story, span)
        if story.closed:
            self._closure(batch, rng, story)

    def _assist(self, batch: Batch, rng: random.Random, story: Story, span: Span) -> None:
        family_from = None
        if story.is_child and story.guardian is not None and rng.random() < SHARE_FAMILY:
            family_from = self._family(batch, rng, story, span)
        placed_now, stay_end = False, None
        if rng.random() < SHARE_PLACED:
            placed_now, stay_end = self._placement(batch, rng, story, span, family_from)
        services: list[Service] = []
        if span.assisted is not None or rng.random() < SHARE_PLAN:
            services = self._plan(batch, rng, story, span, family_from)
        if rng.random() < SHARE_COOPERATION:
            self._cooperation(batch, rng, story, span)
        base = span.assisted or story.ms.get(S.IDENTIFIED)
        if base is not None and not story.negative and rng.random() < SHARE_REINTEGRATION:
            self._reintegration(batch, rng, story, span, self.world.day(base), services)
        if rng.random() < SHARE_RISK:
            self._risk(batch, rng, story, span)
        if story.foreign:
            permit_until = None
            if rng.random() < SHARE_PERMIT:
                permit_until = self._permits(batch, rng, story, span)
            if rng.random() < SHARE_HEALTH:
                self._health(batch, rng, story, span, permit_until)
        if (
            story.status == S.ASSISTED
            and not placed_now
            and not any(s.status in OPEN_SERVICE_STATUSES for s in services)
            and rng.random() < SHARE_PENDING_CLOSURE
        ):
            last = max(
                [s.ended for s in services if s.ended] + ([stay_end] if stay_end else []), default=None
            )
            self._pending_closure(batch, rng, story, last)

    # ---- children: the family ----

    def _family(self, batch: Batch, rng: random.Random, story: Story, span: Span) -> dt.date | None:
        """The guardian's centre for social work assesses the family; returns from when a return to it
        is allowed (None: it is not)."""
        world, csw = self.world, story.guardian
        assert csw is not None
        day = world.between(rng, span.start + dt.timedelta(days=7), span.start + dt.timedelta(days=60))
        if day > span.end:
            return None
        outcome = rng.choices(FAMILY_OUTCOMES, weights=(40, 30, 30))[0]
        at = world.at(rng, day, after=span.start_at, before=span.end_at)
        batch.familyassessment.add(at=at, case_id=story.case_id, assessed_on=day, organisation_id=csw.pk,
                                   outcome=outcome)  # fmt: skip
        batch.event(story, "family_assessed", at, {"outcome": outcome}, csw)
        return day if outcome in FAMILY_RETURN_OUTCOMES else None

    # ---- placements ----

    def _fits(self, facility: Facility, facts: rules.PersonFacts, children: int, on: dt.date) -> bool:
        """The facility suits the person (a stay in the past: whatever its licence or opening today)."""
        reasons = rules.check(facility=facility, person=facts, accompanying_children=children, on=on,
                              adults_placed=0, children_placed=0)  # fmt: skip
        return not (set(reasons) - {"closed", "licence"})

    def _room(self, facility: Facility, facts: rules.PersonFacts, children: int, on: dt.date) -> bool:
        """A free bed now, within this process's share of the facility's beds."""
        adults, kids = self.placed[facility.pk]
        if rules.check(facility=facility, person=facts, accompanying_children=children, on=on,
                       adults_placed=adults, children_placed=kids):  # fmt: skip
            return False
        free_adults, free_children = self.free[facility.pk]
        return (facts.is_child or free_adults >= 1) and free_children >= children + (
            1 if facts.is_child else 0
        )

    def _take(self, facility: Facility, is_child: bool, children: int) -> None:
        free, placed = self.free[facility.pk], self.placed[facility.pk]
        if not is_child:
            free[0] -= 1
            placed[0] += 1
        free[1] -= children + (1 if is_child else 0)
        placed[1] += children + (1 if is_child else 0)

    def _placement(
        self, batch: Batch, rng: random.Random, story: Story, span: Span, family_from: dt.date | None
    ) -> tuple[bool, dt.date | None]:
        """A stay in a facility: a current one for a recent open case if a facility fits and has room
        (kept under FILL of its beds), otherwise an ended one (or, sometimes, a place on a waiting
        list). Returns whether the person lives there now, and when the stay ended."""
        world = self.world
        placed_on = world.between(rng, span.start, min(span.start + dt.timedelta(days=5), span.end))
        current = span.open and (world.today - placed_on).days <= CURRENT_DAYS
        facts = rules.person_facts(story, placed_on)  # type: ignore[arg-type]  # reads like a Case
        children = 0
        if not facts.is_child and facts.sex == "female" and rng.random() < 0.12:
            children = rng.choice((1, 1, 1, 2))
        fitting = [f for f in self.facilities if self._fits(f, facts, children, placed_on)]
        if not fitting and children:
            children = 0
            fitting = [f for f in self.facilities if self._fits(f, facts, 0, placed_on)]
        if not fitting:
            return False, None
        if current:
            room = [f for f in fitting if self._room(f, facts, children, placed_on)]
            if room:
                facility = rng.choice(room)
                self._stay(batch, rng, story, span, facility, facts.is_child, children, placed_on, None, None)
                self._take(facility, facts.is_child, children)
                return True, None
            if rng.random() < 0.3:
                facility = rng.choice(fitting)
                at = world.at(rng, placed_on, after=span.start_at)
                batch.placement.add(at=at, case_id=story.case_id, facility_id=facility.pk,
                                    status=PlacementStatus.WAITING, requested_on=placed_on, is_child=facts.is_child,
                                    accompanying_children=children)  # fmt: skip
                batch.event(story, "placement_waiting", at, {}, world.centre)
                return False, None
        facility = rng.choices(fitting, weights=[f.beds_adults + f.beds_children for f in fitting])[0]
        ended_on = min(placed_on + dt.timedelta(days=int(rng.triangular(7, 240, 45))), span.end)
        exits = {k: w for k, w in EXITS.items() if story.foreign or k != ExitDestination.RETURNED_ABROAD}
        if facts.is_child and (family_from is None or family_from > ended_on):
            exits = {k: w for k, w in exits.items() if k not in FAMILY_EXITS}
        destination = rng.choices(list(exits), weights=list(exits.values()))[0]
        self._stay(
            batch, rng, story, span, facility, facts.is_child, children, placed_on, ended_on, destination
        )
        return False, ended_on

    def _stay(self, batch: Batch, rng: random.Random, story: Story, span: Span, facility: Facility, is_child: bool,
              children: int, placed_on: dt.date, ended_on: dt.date | None, destination: str | None) -> None:  # fmt: skip
        world, operator = self.world, facility.operator
        placed_at = world.at(rng, placed_on, after=span.start_at, before=span.end_at)
        ended_at = world.at(rng, ended_on, after=placed_at, before=span.end_at) if ended_on else None
        # As the placement services write it: the operator joins as the shelter, and leaves with the person.
        involvement = batch.involvement.add(
            at=placed_at, case_id=story.case_id, organisation_id=operator.pk, role=InvolvementRole.SHELTER,
            started_at=placed_at, ended_at=ended_at, end_reason="left the facility" if ended_at else "",
            updated_at=ended_at or placed_at, version=2 if ended_at else 1,
        )  # fmt: skip
        batch.placement.add(
            at=placed_at, case_id=story.case_id, facility_id=facility.pk,
            status=PlacementStatus.PLACED if ended_on is None else PlacementStatus.ENDED,
            requested_on=placed_on, placed_on=placed_on, ended_on=ended_on, is_child=is_child,
            accompanying_children=children, exit_destination=destination or "", involvement_id=involvement,
            updated_at=ended_at or placed_at, version=2 if ended_at else 1,
        )  # fmt: skip
        shelter = involvement_params(operator, InvolvementRole.SHELTER)
        batch.event(story, "involvement_added", placed_at, shelter, world.centre)
        batch.event(story, "placement_made", placed_at, {"override": False}, world.centre)
        if ended_at is not None:
            batch.event(story, "placement_ended", ended_at, {"destination": destination}, operator)
            batch.event(story, "involvement_ended", ended_at, shelter, operator)
        else:
            story.involved.add((operator.pk, InvolvementRole.SHELTER))

    # ---- needs, plan and services ----

    def _service_types(self, rng: random.Random, story: Story, family_from: dt.date | None) -> list[str]:
        person = story.person
        weights = dict(SERVICE_WEIGHTS)
        if person.interpreter_needed:
            weights[ServiceType.INTERPRETATION] = 15
        if story.foreign and (not story.is_child or family_from is not None):
            weights[ServiceType.SAFE_RETURN] = 8
        if story.is_child:
            weights[ServiceType.EDUCATION] = 15
            weights[ServiceType.FAMILY_TRACING] = 6
            weights[ServiceType.EMPLOYMENT] = 0
        types = [t for t, w in weights.items() if w and self.providers[t][0]]
        n = min(rng.choices((1, 2, 3, 4, 5), weights=(25, 30, 25, 12, 8))[0], len(types))
        chosen: list[str] = []
        while len(chosen) < n:
            t = rng.choices(types, weights=[weights[x] for x in types])[0]
            if t not in chosen:
                chosen.append(t)
        return chosen

    def _status(self, rng: random.Random, story: Story, span: Span, requested_on: dt.date) -> str:
        if not span.open:
            statuses = {"completed": 80, "refused_by_person": 10, "declined_by_provider": 10}
        elif (self.world.today - requested_on).days > 180:
            statuses = {"completed": 75, "in_progress": 10, "refused_by_person": 7, "declined_by_provider": 8}
        else:
            statuses = {"requested": 15, "accepted": 15, "in_progress": 35, "completed": 20,
                        "refused_by_person": 7, "declined_by_provider": 8}  # fmt: skip
        if story.status == S.IDENTIFIED:
            # A service under way moves an identified case on to assisted: not yet here.
            statuses = {"requested": 15, "accepted": 15, "refused_by_person": 7, "declined_by_provider": 8}
        return rng.choices(list(statuses), weights=list(statuses.values()))[0]

    def _steps(self, rng: random.Random, service: Service, span: Span) -> None:
        """The dates of the steps to the service's status, none after the span's end. A start on or after
        the identification waits for the day the case became assisted (the first start moved it on)."""
        world, status, end = self.world, service.status, span.end
        requested = service.requested
        if status in (ServiceStatus.ACCEPTED, ServiceStatus.IN_PROGRESS, ServiceStatus.COMPLETED):
            service.accepted = world.between(rng, requested, min(requested + dt.timedelta(days=7), end))
        if status in (ServiceStatus.IN_PROGRESS, ServiceStatus.COMPLETED):
            accepted = service.accepted or requested
            started = world.between(rng, accepted, min(accepted + dt.timedelta(days=7), end))
            if span.identified is not None and started >= span.identified:
                assert span.assisted is not None  # an identified case without it has no start
                started = max(started, world.day(span.assisted))
            service.started = started
        if status == ServiceStatus.COMPLETED:
            started = service.started or requested
            service.ended = world.between(rng, started, min(started + dt.timedelta(days=180), end))
        elif status in (ServiceStatus.REFUSED_BY_PERSON, ServiceStatus.DECLINED_BY_PROVIDER):
            service.ended = world.between(rng, requested, min(requested + dt.timedelta(days=14), end))

    def _plan(self, batch: Batch, rng: random.Random, story: Story, span: Span,
              family_from: dt.date | None) -> list[Service]:  # fmt: skip
        world, centre, person = self.world, self.world.centre, story.person
        assisted = world.day(span.assisted) if span.assisted is not None else None
        opened = world.between(rng, span.start, min(span.start + dt.timedelta(days=10), assisted or span.end))
        types = self._service_types(rng, story, family_from)
        language = ", ".join(person.languages) if person.interpreter_needed else ""
        services = []
        for n, service_type in enumerate(types):
            orgs, weights = self.providers[service_type]
            provider = rng.choices(orgs, weights=weights)[0]
            if n == 0 and assisted is not None:
                # The service whose start moved the identified case on to assisted.
                requested = world.between(rng, opened, assisted)
                status = (
                    ServiceStatus.IN_PROGRESS if span.open and rng.random() < 0.6 else ServiceStatus.COMPLETED
                )
                service = Service(
                    service_type, provider, status, requested, world.between(rng, requested, assisted)
                )
                service.accepted = world.between(rng, requested, assisted)
                service.started = assisted
                if status == ServiceStatus.COMPLETED:
                    service.ended = world.between(
                        rng, assisted, min(assisted + dt.timedelta(days=180), span.end)
                    )
            else:
                requested = world.between(rng, opened, min(opened + dt.timedelta(days=30), span.end))
                status = self._status(rng, story, span, requested)
                service = Service(service_type, provider, status, requested,
                                  requested + dt.timedelta(days=rng.randint(0, 7)))  # fmt: skip
                self._steps(rng, service, span)
            service.involved = rng.random() < 0.6
            services.append(service)
        self._needs(batch, rng, story, span, opened, types, language)
        steps = sum(1 for s in services for d in (s.accepted, s.started, s.ended) if d is not None)
        opened_at = world.at(rng, opened, after=span.start_at, before=span.end_at)
        plan_id = batch.assistanceplan.add(
            at=opened_at,
            case_id=story.case_id,
            organisation_id=centre.pk,
            opened_on=opened,
            agreed_with_person_on=world.between(rng, opened, min(opened + dt.timedelta(days=5), span.end))
            if rng.random() < 0.9
            else None,
            review_due_on=world.today + dt.timedelta(days=rng.randint(7, 120)) if span.open else None,
            # Every service and every step of one raises the plan's version.
            version=1 + len(services) + steps,
            updated_at=opened_at,
        )
        batch.event(story, "plan_opened", opened_at, {}, centre)
        for service in services:
            self._service(batch, rng, story, span, plan_id, service, language)
        return services

    def _service(self, batch: Batch, rng: random.Random, story: Story, span: Span, plan_id: int,
                 service: Service, language: str) -> None:  # fmt: skip
        world, centre = self.world, self.world.centre
        service_type, provider, status = service.service_type, service.provider, service.status
        sensitivity = service_sensitivity(service_type)
        trigger = span.assisted is not None and service.started == world.day(span.assisted)
        # The service that moved the case on was requested before that moment, not later that day.
        requested_at = world.at(rng, service.requested, after=span.start_at,
                                before=span.assisted if trigger else span.end_at)  # fmt: skip
        started_at = None
        if trigger:
            started_at = span.assisted
        elif service.started is not None:
            started_at = world.at(rng, service.started, after=requested_at, before=span.end_at)
        ended_at = None
        if service.ended is not None:
            ended_at = world.at(rng, service.ended, after=started_at or requested_at, before=span.end_at)
        involvement = None
        if service.involved:
            # With the case file the provider joins the case, through an involvement of this service
            # alone, of the service's class, until the service ends.
            role = (
                InvolvementRole.SHELTER
                if service_type == ServiceType.SAFE_ACCOMMODATION
                else PROVIDER_ROLES.get(provider.type, InvolvementRole.SERVICE_PROVIDER)
            )
            involvement = batch.involvement.add(
                at=requested_at, case_id=story.case_id, organisation_id=provider.pk, role=role,
                sensitivity=sensitivity, started_at=requested_at, ended_at=ended_at,
                end_reason=SERVICE_ENDED if ended_at else "", updated_at=ended_at or requested_at,
                version=2 if ended_at else 1,
            )  # fmt: skip
            if ended_at is None:
                story.involved.add((provider.pk, role))
        reason, decline = "", ""
        if status == ServiceStatus.REFUSED_BY_PERSON:
            reason = rng.choice(REFUSALS)
        elif status == ServiceStatus.DECLINED_BY_PROVIDER:
            decline, reason = rng.choice(DECLINES)
        last_at = ended_at or started_at or requested_at
        if service.accepted is not None and last_at == requested_at:
            last_at = world.at(rng, service.accepted, after=requested_at, before=span.end_at)
        batch.assistanceservice.add(
            at=requested_at,
            plan_id=plan_id,
            case_id=story.case_id,
            service_type=service_type,
            sensitivity=sensitivity,
            provider_id=provider.pk,
            status=status,
            urgent=rng.random() < 0.15,
            requested_on=service.requested,
            planned_from=service.planned_from,
            planned_until=service.planned_from + dt.timedelta(days=rng.randint(30, 180)) if rng.random() < 0.6
            else None,
            accepted_on=service.accepted,
            started_on=service.started,
            ended_on=service.ended,
            data_consent=DataConsent.CASE_FILE if service.involved else DataConsent.REQUEST_ONLY,
            consent_how=ConsentHow.THROUGH_GUARDIAN if story.is_child
            else (ConsentHow.WRITTEN if rng.random() < 0.85 else ConsentHow.ORAL_WITH_WITNESS),
            consent_on=service.requested,
            interpreter_language=language[:20],
            decline_reason=decline,
            reason=reason,
            non_cooperation_flag=decline == DeclineReason.NON_COOPERATION or mentions_non_cooperation(reason),
            involvement_id=involvement,
            updated_at=last_at,
            version=1 + sum(1 for d in (service.accepted, service.started, service.ended) if d is not None),
        )  # fmt: skip
        # The provider of safe accommodation is where the person sleeps.
        where = {WHEREABOUTS_PARAM: True} if service_type == ServiceType.SAFE_ACCOMMODATION else {}
        params = {"service": service_type, "org": provider.name, **where}
        batch.event(story, "service_requested", requested_at, params, centre, sensitivity)
        if trigger and started_at is not None:
            # The step that moved the case on, at the moment of its status change.
            batch.event(story, "service_status", started_at, {**params, "status": ServiceStatus.IN_PROGRESS},
                        provider, sensitivity)  # fmt: skip
            if status == ServiceStatus.IN_PROGRESS:
                return
        if status != ServiceStatus.REQUESTED:
            # The provider records its own steps; the person's refusal is the coordinator's.
            by = centre if status == ServiceStatus.REFUSED_BY_PERSON else provider
            batch.event(story, "service_status", last_at, {**params, "status": status}, by, sensitivity)

    def _needs(self, batch: Batch, rng: random.Random, story: Story, span: Span, opened: dt.date,
               types: list[str], language: str) -> None:  # fmt: skip
        """needs_assess before the plan opens (and again, some months on, in a few open cases)."""
        world, centre = self.world, self.world.centre
        days = [world.between(rng, max(span.start, opened - dt.timedelta(days=5)), opened)]
        if span.open and rng.random() < SHARE_REASSESSED_NEEDS:
            days.append(world.between(rng, min(opened + dt.timedelta(days=60), world.today), world.today))
        for n, day in enumerate(days):
            needs = list(types) if n == 0 else rng.sample(types, max(1, len(types) - 1))
            extra = rng.choice(SERVICE_TYPES)
            if extra not in needs and rng.random() < 0.3:
                needs.append(extra)
            at = world.at(rng, day, after=span.start_at, before=span.end_at)
            assessment = batch.needsassessment.add(at=at, case_id=story.case_id, assessed_on=day,
                                                   organisation_id=centre.pk, with_person=rng.random() < 0.92,
                                                   interpreter_language=language[:20])  # fmt: skip
            for service_type in sorted(needs):
                priority = rng.choices(NEED_PRIORITIES, weights=(15, 35, 50))[0]
                batch.assessedneed.add(assessment_id=assessment, service_type=service_type, priority=priority)
            batch.event(story, "needs_assessed", at, {"count": len(needs)}, centre)

    # ---- the person's stance towards the authorities (nothing else reads it) ----

    def _cooperation(self, batch: Batch, rng: random.Random, story: Story, span: Span) -> None:
        world, centre = self.world, self.world.centre
        first = world.between(rng, span.start, min(span.start + dt.timedelta(days=30), span.end))
        if story.foreign:
            # In the reflection period a foreign person has not decided yet; some decide later.
            stances = [CooperationStance.UNDECIDED]
            if rng.random() < 0.5:
                stances.append(
                    rng.choices((CooperationStance.WILLING, CooperationStance.DECLINES), (6, 4))[0]
                )
        else:
            stances = [rng.choices(STANCES, weights=(55, 25, 20))[0]]
        day = first
        for n, stance in enumerate(stances):
            if n:
                day = world.between(rng, day + dt.timedelta(days=20), day + dt.timedelta(days=90))
                if day > span.end:
                    return
            at = world.at(rng, day, after=span.start_at, before=span.end_at)
            batch.cooperationrecord.add(at=at, case_id=story.case_id, stance=stance, recorded_on=day,
                                        organisation_id=centre.pk)  # fmt: skip
            batch.event(story, "cooperation_recorded", at, {"stance": stance}, centre, Sensitivity.LEGAL)

    # ---- reintegration and follow-up ----

    def _reintegration(self, batch: Batch, rng: random.Random, story: Story, span: Span, base: dt.date,
                       services: list[Service]) -> None:  # fmt: skip
        world, centre = self.world, self.world.centre
        if not span.open:
            started = world.between(rng, base, min(base + dt.timedelta(days=14), span.end))
            until = span.end
            interval = rng.choice((14, 30))
            if (until - started).days < 2 * interval:
                return
        else:
            started = world.between(rng, base + dt.timedelta(days=7), base + dt.timedelta(days=120))
            started = max(base, min(started, world.today))
            until = started + dt.timedelta(days=round(rng.choice((6, 12, 12, 18, 24)) * 30.44))
            interval = rng.choice((14, 30, 30, 60, 90))
        # Follow-up by the Centre or by an organisation involved through a service still under way.
        involved = [s.provider for s in services if s.involved and s.ended is None]
        follower = rng.choice(involved) if involved and rng.random() < 0.4 else centre
        started_at = world.at(rng, started, after=span.start_at, before=span.end_at)
        plan = batch.reintegrationplan.add(at=started_at, case_id=story.case_id, started_on=started, until_on=until,
                                           interval_days=interval, follow_up_by_id=follower.pk)  # fmt: skip
        last = min(span.end, world.today)
        due = started + dt.timedelta(days=interval)
        count = 0
        while due <= until:
            done_on, method, outcome, done_at = None, "", "", started_at
            # Contacts are mostly made on time; some past ones were not made (overdue, in open cases).
            if due <= last and (not span.open or rng.random() < 0.93):
                done_on = world.between(rng, due, min(due + dt.timedelta(days=10), last))
                method = rng.choices(FOLLOW_UP_METHODS, weights=(30, 25, 40, 5))[0]
                outcome = rng.choices(FOLLOW_UP_OUTCOMES, weights=(60, 25, 15))[0]
                done_at = world.at(rng, done_on, after=started_at, before=span.end_at)
                batch.event(story, "follow_up_done", done_at, {"outcome": outcome}, follower)
            batch.followup.add(at=started_at, plan_id=plan, case_id=story.case_id, due_on=due, done_on=done_on,
                               method=method, outcome=outcome, version=2 if done_on else 1,
                               updated_at=done_at)  # fmt: skip
            count += 1
            due += dt.timedelta(days=interval)
        batch.event(story, "reintegration_started", started_at,
                    {"org": follower.name, "count": count, "until": until.isoformat()}, centre)  # fmt: skip

    # ---- risk and protection ----

    def _risk(self, batch: Batch, rng: random.Random, story: Story, span: Span) -> None:
        world, centre = self.world, self.world.centre
        days = [world.between(rng, span.start, min(span.start + dt.timedelta(days=14), span.end))]
        if span.open and rng.random() < 0.7:
            # Reassessed since, mostly within the last months (some are due again).
            days.append(world.between(rng, max(days[0], world.today - dt.timedelta(days=150)), world.today))
        elif not span.open and rng.random() < 0.3:
            days.append(world.between(rng, days[0], span.end))
        levels: list[tuple[dt.date, str, dict[str, str]]] = []
        for n, day in enumerate(days):
            answers = {}
            for factor, yes in RISK_YES.items():
                r = rng.random()
                answers[factor] = (
                    FactorAnswer.YES if r < yes else (FactorAnswer.UNKNOWN if r < yes + UNKNOWN_RISK else FactorAnswer.NO)
                )  # fmt: skip
            if story.retrafficked:
                answers[RiskFactor.PREVIOUS_RETRAFFICKING] = FactorAnswer.YES
            computed = risk.assess(answers).level
            level, raised = computed, ""
            if computed != RiskLevel.CRITICAL and rng.random() < 0.03:
                level = RISK_LEVELS[RISK_LEVELS.index(computed) + 1]
                raised = RAISED_REASON
            at = world.at(rng, day, after=span.start_at, before=span.end_at)
            assessment = batch.riskassessment.add(
                at=at, case_id=story.case_id, assessed_on=day, organisation_id=centre.pk, computed_level=computed,
                level=level, raised_reason=raised, reassess_by=day + dt.timedelta(days=world.reassess_days[level]),
                is_current=n == len(days) - 1,  # the days ascend, and the ids with them
            )  # fmt: skip
            for factor in RISK_FACTORS:
                batch.riskanswer.add(assessment_id=assessment, factor=factor, answer=answers[factor])
            batch.event(story, "risk_assessed", at, {"level": level}, centre, Sensitivity.SECURITY)
            levels.append((day, level, answers))
        self._measures(batch, rng, story, span, levels)

    def _measures(self, batch: Batch, rng: random.Random, story: Story, span: Span,
                  levels: list[tuple[dt.date, str, dict[str, str]]]) -> None:  # fmt: skip
        """Measures from the first high or critical assessment on, by an organisation involved then;
        a later lower assessment (or the end of the case) ends them."""
        world, centre = self.world, self.world.centre
        first = next((n for n, (_d, level, _a) in enumerate(levels) if level in RESTRICTED_LEVELS), None)
        if first is None:
            return
        day, _level, answers = levels[first]
        lowered = next((d for d, level, _a in levels[first + 1 :] if level not in RESTRICTED_LEVELS), None)
        started_at = world.at(rng, day, after=span.start_at, before=span.end_at)
        for kind, share, who in MEASURES:
            if (
                kind == MeasureKind.WITNESS_PROTECTION
                and answers[RiskFactor.WITNESS_ROLE] != FactorAnswer.YES
            ):
                continue
            if rng.random() >= share:
                continue
            if who == "police":
                if story.police is None or story.police_since is None or story.police_since > started_at:
                    continue
                responsible = story.police
            else:
                responsible = centre
            ended = lowered
            if ended is None and not span.open and rng.random() < 0.8:
                ended = world.between(rng, day, span.end)
            batch.protectionmeasure.add(at=started_at, case_id=story.case_id, kind=kind, responsible_id=responsible.pk,
                                        started_on=day, ended_on=ended, end_reason=rng.choice(MEASURE_ENDS) if ended
                                        else "", version=2 if ended else 1)  # fmt: skip
            # The witness programme is not named on the timeline (protection.services._measure_params).
            params = (
                {} if kind == MeasureKind.WITNESS_PROTECTION else {"measure": kind, "org": responsible.name}
            )
            batch.event(story, "measure_added", started_at, params, centre, Sensitivity.SECURITY)
            if ended is not None:
                ended_at = world.at(rng, ended, after=started_at, before=span.end_at)
                params = {} if kind == MeasureKind.WITNESS_PROTECTION else {"measure": kind}
                batch.event(story, "measure_ended", ended_at, params, centre, Sensitivity.SECURITY)

    # ---- residence and health care of foreign persons ----

    def _permits(self, batch: Batch, rng: random.Random, story: Story, span: Span) -> dt.date | None:
        """An application for temporary residence, its decision and, while the case is open, renewals.
        Returns the last day of the last permit granted."""
        world, centre = self.world, self.world.centre
        applied = world.between(rng, span.start + dt.timedelta(days=3), min(span.start + dt.timedelta(days=30),
                                                                             span.end))  # fmt: skip
        if rng.random() < 0.1:
            ground = ResidenceGround.HUMANITARIAN
        elif story.status == S.PRESUMED_VICTIM or story.negative:
            ground = ResidenceGround.PRESUMED_VICTIM
        else:
            ground = ResidenceGround.VICTIM
        previous: int | None = None
        previous_until: dt.date | None = None
        granted_until: dt.date | None = None
        for _depth in range(4):
            if applied > world.today or applied > span.end:
                return granted_until
            applied_at = world.at(rng, applied, after=span.start_at, before=span.end_at)
            fields: dict[str, Any] = {"case_id": story.case_id, "ground": ground, "applied_on": applied,
                                      "issuing_authority": rng.choice(AUTHORITIES), "renewal_of_id": previous}  # fmt: skip
            batch.event(story, "permit_applied", applied_at, {"ground": ground, "renewal": previous is not None},
                        centre, Sensitivity.LEGAL)  # fmt: skip
            decided = applied + dt.timedelta(days=rng.randint(15, 60))
            if decided > world.today or decided > span.end or (span.open and rng.random() < 0.05):
                batch.residencepermit.add(at=applied_at, **fields)  # pending
                return granted_until
            decided_at = world.at(rng, decided, after=applied_at, before=span.end_at)
            if rng.random() < (0.1 if previous is None else 0.05):
                batch.residencepermit.add(at=applied_at, **fields, decision=PermitDecision.REFUSED, decided_on=decided,
                                          updated_at=decided_at, version=2)  # fmt: skip
                batch.event(story, "permit_decided", decided_at, {"decision": PermitDecision.REFUSED, "until": ""},
                            centre, Sensitivity.LEGAL)  # fmt: skip
                return granted_until
            # A renewal runs on from the day after the permit it renews, unless that has run out.
            valid_from = decided
            if previous_until is not None:
                valid_from = max(decided, previous_until + dt.timedelta(days=1))
            valid_until = valid_from + dt.timedelta(days=rng.choice((180, 365, 365)))
            previous = batch.residencepermit.add(
                at=applied_at, **fields, decision=PermitDecision.GRANTED, decided_on=decided, valid_from=valid_from,
                valid_until=valid_until, updated_at=decided_at, version=2,
            )  # fmt: skip
            batch.event(story, "permit_decided", decided_at,
                        {"decision": PermitDecision.GRANTED, "until": valid_until.isoformat()}, centre,
                        Sensitivity.LEGAL)  # fmt: skip
            granted_until = previous_until = valid_until
            # Renewed before it runs out while the case is open (and not always: some expire).
            if not span.open or rng.random() < 0.3:
                return granted_until
            applied = max(valid_until - dt.timedelta(days=rng.randint(5, 40)), decided)
            if story.status != S.PRESUMED_VICTIM and ground == ResidenceGround.PRESUMED_VICTIM:
                ground = ResidenceGround.VICTIM  # identified since: renews as a victim
        return granted_until

    def _health(
        self, batch: Batch, rng: random.Random, story: Story, span: Span, permit_until: dt.date | None
    ) -> None:
        world, centre = self.world, self.world.centre
        day = world.between(rng, span.start, min(span.start + dt.timedelta(days=14), span.end))
        entitled = rng.random() < 0.95
        basis = rng.choices(list(HEALTH_BASES), weights=list(HEALTH_BASES.values()))[0] if entitled else ""
        until = None
        if entitled and (permit_until is not None or not span.open):
            until = max(permit_until or span.end, day)
        at = world.at(rng, day, after=span.start_at, before=span.end_at)
        batch.healthcoverage.add(at=at, case_id=story.case_id, entitled=entitled, basis=basis, from_on=day,
                                 until_on=until, organisation_id=centre.pk)  # fmt: skip
        params = {"entitled": entitled, "from": day.isoformat(), "until": until.isoformat() if until else ""}
        batch.event(story, "health_coverage_recorded", at, params, centre, Sensitivity.MEDICAL)

    # ---- closure ----

    def _closure(self, batch: Batch, rng: random.Random, story: Story) -> None:
        """A closed case was closed on a reviewed closure (the only way a case closes)."""
        centre = self.world.centre
        ms = story.ms
        closed_at = ms[S.CLOSED]
        before = [s for s, _at in story.path if s != S.CLOSED]
        previous = before[-1] if before else S.REPORTED
        if story.victim:
            reasons = dict(CLOSED_VICTIM)
            if not story.foreign:
                reasons.pop(ClosureReason.RETURNED)
            reason = rng.choices(list(reasons), weights=list(reasons.values()))[0]
        else:
            reason = ClosureReason.NOT_IDENTIFIED if rng.random() < 0.7 else ClosureReason.NO_GROUNDS
        explanation = (
            rng.choice(data.CLOSURE_EXPLANATIONS[reason]) if reason in data.CLOSURE_EXPLANATIONS
            else CLOSURE_TEXT[reason]
        )  # fmt: skip
        prior = ms.get(previous, story.opened_at)
        requested_at = max(prior, closed_at - dt.timedelta(days=rng.randint(1, 7)))
        batch.caseclosure.add(at=requested_at, case_id=story.case_id, reason=reason, explanation=explanation,
                              organisation_id=centre.pk, status=ClosureStatus.APPROVED, previous_status=previous,
                              reviewed_at=closed_at, updated_at=closed_at, version=2)  # fmt: skip
        batch.event(story, "closure_requested", requested_at, {"reason": reason}, centre)
        batch.event(story, "closure_approved", closed_at, {}, centre)

    def _pending_closure(self, batch: Batch, rng: random.Random, story: Story, last: dt.date | None) -> None:
        world, centre = self.world, self.world.centre
        reason = rng.choice(
            (ClosureReason.REINTEGRATED, ClosureReason.LOST_CONTACT, ClosureReason.DECLINED_ASSISTANCE)
        )
        at = max(story.status_changed_at, world.horizon - dt.timedelta(days=rng.randint(0, 20)))
        if last is not None:
            at = max(at, world.at(rng, last))
        batch.caseclosure.add(at=at, case_id=story.case_id, reason=reason,
                              explanation=rng.choice(data.CLOSURE_EXPLANATIONS[reason]), organisation_id=centre.pk,
                              status=ClosureStatus.REQUESTED, previous_status=story.status)  # fmt: skip
        batch.event(story, "closure_requested", at, {"reason": reason}, centre)
