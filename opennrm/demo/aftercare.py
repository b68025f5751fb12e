"""The demo's assistance, protection and closure: played through the real services at the planned
moments, like the identification steps (see story.happening_at)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from opennrm import policy
from opennrm.assistance import closure as closure_services
from opennrm.assistance import services as assistance
from opennrm.assistance.models import AssistanceService, ServiceStatus
from opennrm.cases.models import Case, CaseStatus, Involvement
from opennrm.demo import data
from opennrm.lib.dates import local_tz
from opennrm.protection import services as protection

if TYPE_CHECKING:
    from opennrm.demo.planning import Plan
    from opennrm.demo.story import Writer

S = CaseStatus

# Which organisation provides what in the demo (each type allowed by assistance.SERVICE_PROVIDERS).
PROVIDERS = {
    "psychosocial_support": ("atina", "astra"),
    "legal_aid": ("astra",),
    "medical_care": ("health-ns",),
    "material_support": ("centre",),
    "interpretation": ("iom",),
    "vocational_training": ("atina",),
}


def _day(when: dt.datetime) -> dt.date:
    return timezone.localtime(when, local_tz()).date()


def assist(writer: Writer, plan: Plan, case: Case, when: dt.datetime, *, recent: bool) -> None:
    """Needs, a plan with three or four services and their progress, for a presumed or identified
    victim. Older years get the services without the day-by-day steps (they are all completed)."""
    from opennrm.demo.story import happening_at

    rng, cm = writer.rng, writer.users["casemanager"]
    case.refresh_from_db()
    if case.status not in assistance.ASSISTABLE or not policy.can(cm, policy.PLAN_MANAGE, case):
        return
    foreign = (case.person.citizenship or "RS") != "RS"
    wanted = ["psychosocial_support", "legal_aid", "material_support"]
    if rng.random() < 0.4:
        wanted.append("medical_care")
    if foreign and case.person.interpreter_needed:
        wanted.append("interpretation")
    if not case.is_child and rng.random() < 0.3:
        wanted.append("vocational_training")
    with happening_at(when):
        assistance.needs_assess(
            user=cm,
            case=case,
            needs={t: ("urgent" if t in ("medical_care", "interpretation") else "high") for t in wanted},
            with_person=True,
            interpreter_language=", ".join(case.person.languages or [])
            if case.person.interpreter_needed
            else "",
        )
        for t in wanted:
            provider = writer.orgs[rng.choice(PROVIDERS[t])]
            consent = "case_file" if rng.random() < 0.75 else "request_only"
            assistance.service_request(
                user=cm,
                case=case,
                service_type=t,
                provider=provider,
                planned_from=_day(when),
                data_consent=consent,
                consent_how="written",
                urgent=t in ("medical_care", "interpretation"),
            )
    writer.stamp_timeline(case, when)
    for service in AssistanceService.objects.filter(case=case).select_related("provider", "case", "plan"):
        _progress(writer, service, when, recent=recent)


def _provider_user(writer: Writer, service: AssistanceService):
    by_org = {u.organisation.code: u for u in writer.users.values() if u.organisation_id}
    return by_org.get(service.provider.code) or writer.users["casemanager"]


def _progress(writer: Writer, service: AssistanceService, start: dt.datetime, *, recent: bool) -> None:
    from opennrm.demo.story import happening_at

    rng = writer.rng
    actor = _provider_user(writer, service)
    if actor.organisation_id != service.provider_id:
        actor = writer.users["casemanager"] if service.provider.code == "centre" else None
    if actor is None:
        return  # a provider without a demo login: the request stays open
    steps: list[tuple[str, float, dict]] = [("accepted", rng.uniform(4, 72), {})]
    # One decline in twenty states the person's non-cooperation: a violation the coordinator counts.
    if rng.random() < 0.05 and service.service_type in ("psychosocial_support", "vocational_training"):
        steps = [
            (
                "declined_by_provider",
                rng.uniform(24, 96),
                {
                    "decline_reason": "non_cooperation",
                    "reason": "Prijem u program uslovljen davanjem izjave policiji; lice još nije odlučilo.",
                },
            )
        ]
    else:
        steps.append(("in_progress", rng.uniform(24, 24 * 7), {}))
        if not recent or rng.random() < 0.5:
            steps.append(("completed", rng.uniform(24 * 30, 24 * 120), {}))
    at = start
    for status, hours, extra in steps:
        at = at + dt.timedelta(hours=hours)
        if at > writer.clock.now:
            return
        with happening_at(at):
            service.refresh_from_db()
            assistance.service_update_status(
                user=actor if status != "refused_by_person" else writer.users["casemanager"],
                service=service,
                status=status,
                expected_version=service.version,
                **extra,
            )
        writer.stamp_timeline(service.case, at)


def finish_services(writer: Writer, case: Case, when: dt.datetime) -> None:
    """Before a case closes, what is still running ends (completed by the provider, or the person
    stopped it)."""
    from opennrm.demo.story import happening_at

    cm = writer.users["casemanager"]
    for service in AssistanceService.objects.filter(
        case=case, status__in=[ServiceStatus.REQUESTED, ServiceStatus.ACCEPTED, ServiceStatus.IN_PROGRESS]
    ).select_related("provider", "case", "plan"):
        with happening_at(when):
            assistance.service_update_status(
                user=cm,
                service=service,
                status="refused_by_person",
                expected_version=service.version,
                reason="Lice nije želelo da nastavi sa uslugom pre zatvaranja slučaja.",
            )


def close(writer: Writer, plan: Plan, case: Case, when: dt.datetime) -> bool:
    """Close through the closure review: the case manager asks with reasons, the head approves."""
    from opennrm.demo.story import happening_at

    rng, cm, head = writer.rng, writer.users["casemanager"], writer.users["head"]
    case.refresh_from_db()
    if case.status == S.CLOSED or not policy.can(cm, policy.CLOSURE_REQUEST, case):
        return False
    finish_services(writer, case, when - dt.timedelta(hours=2))
    # Nobody is closed while still in a shelter: the departure comes first.
    leave(writer, case, when - dt.timedelta(hours=3))
    if case.status == S.NOT_IDENTIFIED:
        reason = "not_identified"
    elif (case.person.citizenship or "RS") != "RS" and case.status == S.IDENTIFIED:
        reason = "returned"
    else:
        reason = rng.choices(["reintegrated", "lost_contact", "declined_assistance"], weights=[6, 2, 2])[0]
    with happening_at(when - dt.timedelta(hours=1)):
        row = closure_services.closure_request(
            user=cm, case=case, reason=reason, explanation=rng.choice(data.CLOSURE_EXPLANATIONS[reason])
        )
    with happening_at(when):
        closure_services.closure_review(user=head, closure=row, approve=True, expected_version=row.version)
    type(row).objects.filter(pk=row.pk).update(created_at=when - dt.timedelta(hours=1), updated_at=when)
    return True


def protect(writer: Writer, plan: Plan, case: Case, when: dt.datetime) -> None:
    """A risk assessment for victims who are witnesses or were threatened; high risk names staff and
    brings measures."""
    from opennrm.demo.story import happening_at

    rng, cm = writer.rng, writer.users["casemanager"]
    if not policy.can(cm, policy.RISK_MANAGE, case):
        return
    witness = Involvement.objects.filter(case=case, role="prosecutor").exists()
    threatened = rng.random() < 0.3
    answers = {
        "trafficker_threats": "yes" if threatened else rng.choice(["no", "unknown"]),
        "traffickers_know_location": "yes" if threatened and rng.random() < 0.3 else "no",
        "traffickers_at_large": "yes" if rng.random() < 0.5 else "no",
        "organised_group": "yes" if plan.group is not None or rng.random() < 0.2 else "no",
        "family_involved": "yes" if rng.random() < 0.15 else "no",
        "witness_role": "yes" if witness else "no",
        "risk_to_relatives": "yes" if threatened and rng.random() < 0.4 else "no",
        "previous_retrafficking": "yes" if rng.random() < 0.08 else "no",
    }
    with happening_at(when):
        assessment = protection.risk_assess(user=cm, case=case, answers=answers, assessed_on=_day(when))
        if assessment.level in ("high", "critical"):
            protection.measure_add(
                user=cm, case=case, kind="address_confidentiality", responsible=writer.orgs["centre"]
            )
            police = next(
                (
                    i.organisation
                    for i in Involvement.objects.active().filter(case=case, role="investigating_police")
                ),
                None,
            )
            if police is not None:
                protection.measure_add(user=cm, case=case, kind="police_protection", responsible=police)
    writer.stamp_timeline(case, when)


def reintegrate(writer: Writer, plan: Plan, case: Case, when: dt.datetime) -> None:
    """Follow-up every month for a year by the Centre (or the NGO that assists), some contacts done."""
    from opennrm.demo.story import happening_at

    rng, cm = writer.rng, writer.users["casemanager"]
    case.refresh_from_db()
    if case.status not in (S.IDENTIFIED, S.ASSISTED) or not policy.can(cm, policy.PLAN_MANAGE, case):
        return
    involved = set(
        Involvement.objects.active().filter(case=case).values_list("organisation__code", flat=True)
    )
    by = next((o for o in ("atina", "astra") if o in involved), "centre")
    with happening_at(when):
        plan_row = closure_services.reintegration_start(
            user=cm,
            case=case,
            follow_up_by=writer.orgs[by],
            interval_days=30,
            months=12,
            started_on=_day(when),
        )
    writer.stamp_timeline(case, when)
    today = _day(writer.clock.now)
    for f in plan_row.follow_ups.order_by("due_on"):
        # Most contacts happen on time; the last month or two are still due (some overdue).
        if f.due_on >= today - dt.timedelta(days=rng.choice([10, 20, 45])):
            break
        done = dt.datetime.combine(f.due_on, dt.time(11), tzinfo=local_tz())
        with happening_at(done):
            closure_services.follow_up_record(
                user=cm,
                follow_up=f,
                outcome=rng.choices(["well", "concerns", "not_reached"], weights=[7, 2, 1])[0],
                method=rng.choice(["visit", "phone", "meeting"]),
                expected_version=f.version,
                done_on=f.due_on,
            )
        writer.stamp_timeline(case, done)


# --- Shelter placements -------------------------------------------------------------------------

CENTRE_SHELTER = "prihvatiliste-czztlj"
OVERRIDE_REASON = (
    "Jedino bezbedno mesto večeras: pretnje trgovaca, a alternativni smeštaj za žene nije dostupan; "
    "privremeni dodatni ležaj do premeštaja."
)


def place(writer: Writer, case: Case, when: dt.datetime):
    """Place the person in the Centre's shelter; when it is full the Centre head sometimes overrides
    with reasons, otherwise the person waits for a bed."""
    from opennrm.lib.errors import DomainError
    from opennrm.shelters import services as shelters
    from opennrm.shelters.models import Facility

    facility = Facility.objects.filter(code=CENTRE_SHELTER).first()
    if facility is None:
        return None
    cm, head = writer.users["casemanager"], writer.users["head"]
    day = _day(when)
    try:
        placement = shelters.placement_place(user=cm, case=case, facility=facility, placed_on=day)
    except DomainError as exc:
        reasons = set((exc.extra or {}).get("reasons", []))
        if reasons and reasons <= {"full_adults"} and writer.rng.random() < 0.4:
            placement = shelters.placement_place(
                user=head, case=case, facility=facility, placed_on=day, override_reason=OVERRIDE_REASON
            )
        elif reasons <= {"full_adults", "full_children"}:
            shelters.placement_wait(user=cm, case=case, facility=facility, requested_on=day)
            return None
        else:
            return None
    if placement.involvement_id:
        Involvement.objects.filter(pk=placement.involvement_id).update(started_at=when, created_at=when)
    writer.stamp_timeline(case, when)
    return placement


def leave(writer: Writer, case: Case, when: dt.datetime) -> bool:
    """The person leaves the shelter (to supported housing or the family); the first waiting gets
    the bed on the timeline."""
    from opennrm.shelters import services as shelters
    from opennrm.shelters.models import PlacementStatus

    placement = (
        case.placements.filter(status=PlacementStatus.PLACED).select_related("case", "facility").first()
    )
    if placement is None:
        return False
    placed_on = placement.placed_on or _day(when)
    shelters.placement_exit(
        user=writer.users["casemanager"],
        placement=placement,
        expected_version=placement.version,
        destination=writer.rng.choice(["family", "independent_living", "own_home"]),
        ended_on=max(_day(when), placed_on),
    )
    if placement.involvement_id:
        Involvement.objects.filter(pk=placement.involvement_id).update(ended_at=when, updated_at=when)
    writer.stamp_timeline(case, when)
    return True


def pending_closure(writer: Writer, played: list) -> None:
    """One closure waits for the Centre head's review on the home page."""
    from opennrm.demo.story import happening_at

    cm = writer.users["casemanager"]
    when = writer.clock.now - dt.timedelta(hours=20)
    for plan, case in reversed(played):
        case.refresh_from_db()
        if (
            plan.year == writer.current_year - 1
            and case.status == S.ASSISTED
            and policy.can(cm, policy.CLOSURE_REQUEST, case)
        ):
            finish_services(writer, case, when - dt.timedelta(hours=2))
            leave(writer, case, when - dt.timedelta(hours=3))
            with happening_at(when):
                closure_services.closure_request(
                    user=cm,
                    case=case,
                    reason="reintegrated",
                    explanation=data.CLOSURE_EXPLANATIONS["reintegrated"][0],
                )
            writer.stamp_timeline(case, when)
            return
