"""The demo story: about 440 persons from 2019 to today, registered and worked on through the real
services (so identities are encrypted, lookups indexed, timelines and audit entries written), then
moved back in time.

Every service runs now; afterwards the loader rewrites the business dates of what it just wrote
(opened_at, status_changed_at, timeline ``at``, created_at …) with ``QuerySet.update()``. The audit
log is never rewritten: it truthfully says that the demo was loaded today.

The yearly figures in ``data.YEARS`` are reproduced exactly: a person counts as identified in year Y
when the Centre's status change to "identified" happened in Y (the decision date is the reference
date of the published statistics).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from opennrm.accounts.models import Organisation, User
from opennrm.cases import services as case_services
from opennrm.cases.models import (
    Case,
    CaseNote,
    CaseStatus,
    CaseTask,
    Incident,
    IncidentSuspect,
    Involvement,
    TimelineEvent,
)
from opennrm.demo import aftercare, data, planning
from opennrm.demo.planning import Clock, Plan
from opennrm.demo.synthetic import is_child_on, make_person
from opennrm.identification import services as identification
from opennrm.identification.models import ReferralPurpose, ReferralStatus
from opennrm.lib import clock as domain_clock
from opennrm.lib.dates import local_tz
from opennrm.notifications.models import Notification
from opennrm.people.models import Person, PersonIdentity

S = CaseStatus


@dataclass
class Result:
    persons: int = 0
    identified: dict[int, int] = field(default_factory=dict)


# ---- writing -------------------------------------------------------------------------------------

# Which demo login writes a note of a class, if its organisation takes part in the case.
NOTE_AUTHORS = {
    "general": ("socialworker", "ngo", "ngo2", "police"),
    "medical": ("shelter", "ngo", "ngo2"),
    "psychosocial": ("ngo", "ngo2", "socialworker"),
    "legal": ("prosecutor", "police"),
    "security": ("police", "shelter"),
}


@contextmanager
def happening_at(when: dt.datetime) -> Iterator[None]:
    """The services take "now" for dates they record (a referral's deadline, a decision's date, a
    reflection period's start). Decisions are never edited afterwards, so the demo sets the one clock to
    the planned moment instead; created_at columns and the audit log keep the real time."""
    with domain_clock.frozen(when):
        yield


# A screening consistent with the plan's forms: which checklist, and what the reporter observed.
SCREENINGS: dict[str, tuple[str, dict[str, str]]] = {
    "labour": (
        "labour",
        {"DR-01": "yes", "DR-08": "yes", "EX-01": "yes", "EX-04": "yes", "CD-01": "yes", "CD-14": "yes"},
    ),
    "forced_labour": ("forced_labour", {"ILO-07": "yes", "ILO-08": "yes", "ILO-03": "unknown"}),
    "begging": ("general", {"UN-G01": "yes", "UN-G03": "yes", "UN-G23": "yes", "UN-G05": "unknown"}),
    "criminality": ("general", {"UN-G01": "yes", "UN-G18": "yes", "UN-G20": "yes"}),
    "sexual": ("general", {"UN-G02": "yes", "UN-G05": "yes", "UN-G12": "yes", "UN-G14": "yes"}),
}


class Writer:
    def __init__(
        self, *, rng: random.Random, clock: Clock, users: dict[str, User], orgs: dict[str, Organisation]
    ):
        self.rng = rng
        self.clock = clock
        self.users = users
        self.orgs = orgs
        self.incidents: dict[int, Incident] = {}
        self.current_year = timezone.localtime(clock.now, local_tz()).year

    # Each service call writes "now"; the loader then moves what it wrote to the planned moment.
    def stamp_timeline(self, case: Case, when: dt.datetime) -> None:
        TimelineEvent.objects.filter(case=case, at__gt=self.clock.horizon).update(at=when)

    def register(self, plan: Plan) -> Case:
        rng, t0 = self.rng, plan.opened
        assert t0 is not None
        day = timezone.localtime(t0, local_tz()).date()
        person = make_person(
            rng,
            citizenship=plan.citizenship,
            sex=plan.sex,
            child=plan.child,
            on=day,
            category=plan.category,
            city=plan.municipality if plan.country == "RS" else "Beograd",
            age=plan.age,
            documents_known=0.1 if plan.kind == "group" else None,
        )
        child = is_child_on(person.attributes, person.identity, day)
        if child != plan.child:
            raise AssertionError(f"synthetic person does not match the plan (child={plan.child})")
        incident = self.incidents.get(plan.group) if plan.group is not None else None
        if plan.kind == "group":
            title, summary = data.GROUP_CASE["title"], data.GROUP_CASE["summary"]
        else:
            key = (
                "not_identified"
                if plan.kind == "not_identified"
                else ("pending" if plan.kind == "pending" else planning.text_key(plan))
            )
            titles = data.INCIDENT_TITLES.get(planning.text_key(plan), data.INCIDENT_TITLES["unknown"])
            title = f"{rng.choice(titles)}, {plan.municipality}"
            summary = rng.choice(data.SUMMARIES[key])
        started = day - dt.timedelta(days=rng.randint(7, 400))
        incident_data = {
            "title": title,
            "forms": plan.forms,
            "municipality": plan.municipality,
            "country_of_exploitation": plan.country,
            "transnational": plan.country != "RS" or plan.citizenship != "RS",
            "started_on": started,
            "ended_on": day if rng.random() < 0.6 else None,
            "suspects": (
                list(data.GROUP_SUSPECTS)
                if plan.kind == "group"
                else rng.sample(data.SUSPECTS, rng.choice([0, 1, 1, 2]))
            ),
        }
        # Registered at its planned moment: codes carry that year, the child flag is for that day.
        with happening_at(t0):
            case = case_services.intake_register(
                user=self.users[plan.reporter],
                person_attributes=person.attributes,
                identity=person.identity,
                referral_source=plan.source,
                incident=incident,
                incident_data=None if incident else incident_data,
                summary=summary,
            )
        if plan.group is not None and incident is None:
            self.incidents[plan.group] = case.incident
        Case.objects.filter(pk=case.pk).update(
            opened_at=t0, created_at=t0, updated_at=t0, status_changed_at=t0, is_child=child
        )
        Person.objects.filter(pk=case.person_id).update(created_at=t0, updated_at=t0)
        PersonIdentity.objects.filter(person_id=case.person_id).update(updated_at=t0)
        if incident is None:
            Incident.objects.filter(pk=case.incident_id).update(created_at=t0, updated_at=t0)
            IncidentSuspect.objects.filter(incident_id=case.incident_id).update(created_at=t0, updated_at=t0)
        Involvement.objects.filter(case=case).update(started_at=t0, created_at=t0, updated_at=t0)
        CaseNote.objects.filter(case=case).update(created_at=t0, updated_at=t0)  # the reporter's account
        CaseTask.objects.filter(case=case).update(
            created_at=t0, updated_at=t0, due_at=t0 + dt.timedelta(hours=24)
        )
        self.stamp_timeline(case, t0)
        return case

    def play(self, plan: Plan, case: Case) -> None:
        cm = self.users["casemanager"]
        status_at, closed_at, last = plan.opened, None, plan.opened
        shelter: Involvement | None = None
        for when, kind, args in sorted(plan.events, key=lambda e: e[0]):
            if kind == "status":
                user = self.users[args.get("by", "casemanager")]
                with happening_at(when):
                    done = self.identification_step(plan, case, args["status"], when)
                case.refresh_from_db()
                if not done and args["status"] == S.CLOSED:
                    done = aftercare.close(self, plan, case, when)
                # A service that started has already made an identified victim "assisted".
                done = done or case.status == args["status"]
                if not done:
                    case_services.case_status_change(
                        user=user, case=case, expected_version=case.version, status=args["status"]
                    )
                status_at = when
                closed_at = when if args["status"] == S.CLOSED else None
                self.aftercare(plan, case, args["status"], when)
            elif kind == "review_done":
                task = CaseTask.objects.filter(case=case, done_at__isnull=True).order_by("id").first()
                if task is None:
                    continue
                case_services.task_complete(user=cm, task=task, expected_version=task.version)
                CaseTask.objects.filter(pk=task.pk).update(done_at=when, updated_at=when)
            elif kind == "involve" and args["org"] == "centre-shelter" and plan.year >= self.current_year - 1:
                # Recent years go through the facility register: capacity, waiting list, overrides.
                aftercare.place(self, case, when)
            elif kind == "involve":
                org = self.orgs[args["org"]]
                if (
                    Involvement.objects.active()
                    .filter(case=case, organisation=org, role=args["role"])
                    .exists()
                ):
                    continue
                inv = case_services.involvement_add(
                    user=cm, case=case, organisation=org, role=args["role"], started_at=when
                )
                Involvement.objects.filter(pk=inv.pk).update(created_at=when, updated_at=when)
                if args["org"] == "centre-shelter":
                    shelter = inv
            elif kind == "end_shelter" and aftercare.leave(self, case, when):
                pass
            elif kind == "end_shelter":
                if shelter is None:
                    continue
                shelter.refresh_from_db()
                case_services.involvement_end(
                    user=cm,
                    involvement=shelter,
                    expected_version=shelter.version,
                    reason="Korisnica napustila prihvatilište; nastavlja stanovanje uz podršku.",
                )
                Involvement.objects.filter(pk=shelter.pk).update(ended_at=when, updated_at=when)
            elif kind == "note":
                author = self._note_author(case, args["sensitivity"])
                note = case_services.note_add(
                    user=author, case=case, sensitivity=args["sensitivity"], text=args["text"]
                )
                CaseNote.objects.filter(pk=note.pk).update(created_at=when, updated_at=when)
            self.stamp_timeline(case, when)
            last = max(last, when)
        Case.objects.filter(pk=case.pk).update(
            status_changed_at=status_at, closed_at=closed_at, updated_at=last
        )

    def aftercare(self, plan: Plan, case: Case, status: str, when: dt.datetime) -> None:
        """Assistance, protection and follow-up for the last two years' victims (older years keep
        the identification history only, which is what the published figures are about)."""
        if plan.year < self.current_year - 1:
            return

        def later(delta: dt.timedelta) -> dt.datetime:
            return min(when + delta, self.clock.now - dt.timedelta(minutes=5))

        if status == S.PRESUMED_VICTIM or (status == S.IDENTIFIED and not case.assistance_services.exists()):
            aftercare.assist(
                self, plan, case, when + dt.timedelta(hours=3), recent=plan.year == self.current_year
            )
        if status == S.IDENTIFIED and self.rng.random() < 0.5:
            aftercare.protect(self, plan, case, later(dt.timedelta(hours=5)))
        if status == S.ASSISTED and self.rng.random() < 0.6:
            aftercare.reintegrate(self, plan, case, later(dt.timedelta(days=30)))

    def identification_step(self, plan: Plan, case: Case, target: str, when: dt.datetime) -> bool:
        """Play a planned status through the identification workflow where it has one (screening,
        referral to the Centre, acceptance, reasoned decision); False leaves it to a plain status change."""
        case.refresh_from_db()
        reporter, cm, head = self.users[plan.reporter], self.users["casemanager"], self.users["head"]
        centre = self.orgs["centre"]
        if target == S.SCREENING:
            form = next((f for f in plan.forms if f in SCREENINGS), "sexual")
            indicator_set, answers = SCREENINGS[form]
            identification.screening_record(
                user=reporter if reporter.organisation_id != centre.pk else cm,
                case=case,
                indicator_set=indicator_set,
                version="2026.1",
                answers=answers,
                setting="interview",
                screened_on=timezone.localtime(when, local_tz()).date(),
            )
            return True
        if target == S.REFERRED and case.status in (S.REPORTED, S.SCREENING):
            if reporter.organisation_id == centre.pk:
                return False
            if case.status == S.REPORTED and self.rng.random() < 0.6:
                # Most first-line reporters screen with a checklist before they refer.
                self.identification_step(plan, case, S.SCREENING, when)
                case.refresh_from_db()
            referral = identification.referral_create(
                user=reporter, case=case, to_organisation=centre, purpose=ReferralPurpose.IDENTIFICATION
            )
            case.referrals.filter(pk=referral.pk).update(created_at=when, updated_at=when)
            return True
        if target == S.PRESUMED_VICTIM:
            self._open_procedure(case, when)
            return True
        if target == S.CLOSED:
            # Closed without identification: the Centre answers the referral it did not take up.
            for pending in case.referrals.filter(status=ReferralStatus.PENDING, to_organisation=centre):
                identification.referral_respond(
                    user=cm,
                    referral=pending,
                    accept=False,
                    reason="Nema osnova za postupak identifikacije; upućeno na nadležni centar za socijalni rad.",
                    expected_version=pending.version,
                )
            return False
        if target in (S.IDENTIFIED, S.NOT_IDENTIFIED) and case.status in (
            S.REFERRED,
            S.PRESUMED_VICTIM,
            S.SCREENING,
            S.REPORTED,
        ):
            if not case.procedures.filter(closed_at__isnull=True).exists():
                self._open_procedure(case, when - dt.timedelta(hours=2))
                case.refresh_from_db()
            outcome = "identified" if target == S.IDENTIFIED else "not_identified"
            forms = [f for f in plan.forms if f != "unknown"] or ["labour"]
            identification.decision_issue(
                user=head,
                case=case,
                outcome=outcome,
                reasons=self.rng.choice(data.DECISION_REASONS[outcome]),
                forms=forms if outcome == "identified" else [],
            )
            case.procedures.filter(closed_at__isnull=False, updated_at__gt=self.clock.horizon).update(
                updated_at=when
            )
            return True
        return False

    def _open_procedure(self, case: Case, when: dt.datetime) -> None:
        """The Centre accepts the pending referral (which opens the procedure) or opens it itself."""
        cm = self.users["casemanager"]
        pending = case.referrals.filter(
            purpose=ReferralPurpose.IDENTIFICATION,
            status=ReferralStatus.PENDING,
            to_organisation=self.orgs["centre"],
        ).first()
        if pending is not None:
            identification.referral_respond(
                user=cm, referral=pending, accept=True, expected_version=pending.version
            )
            case.referrals.filter(pk=pending.pk).update(updated_at=when)
        if not case.procedures.filter(closed_at__isnull=True).exists():
            identification.procedure_start(user=cm, case=case)
        case.procedures.filter(created_at__gt=self.clock.horizon).update(created_at=when, updated_at=when)

    def _note_author(self, case: Case, sensitivity: str) -> User:
        involved = set(
            Involvement.objects.active().filter(case=case).values_list("organisation__code", flat=True)
        )
        candidates = [
            self.users[u] for u in NOTE_AUTHORS[sensitivity] if self.users[u].organisation.code in involved
        ]
        if candidates and self.rng.random() < 0.7:
            return self.rng.choice(candidates)
        return self.users["casemanager"]

    def task(
        self, case: Case, *, title: str, due: dt.datetime, created: dt.datetime, org: str = "centre"
    ) -> None:
        task = case_services.task_add(
            user=self.users["casemanager"], case=case, title=title, due_at=due, organisation=self.orgs[org]
        )
        CaseTask.objects.filter(pk=task.pk).update(created_at=created, updated_at=created)
        self.stamp_timeline(case, created)


def _open_tasks(rng: random.Random, clock: Clock, writer: Writer, played: list[tuple[Plan, Case]]) -> int:
    """Open tasks so that the home pages show work due, some of it overdue."""
    active = [
        (p, c)
        for p, c in played
        if p.kind in ("identified", "pending")
        and p.final not in (S.CLOSED, S.REPORTED)
        and p.opened is not None
        and p.opened.year >= clock.now.year - 1
    ]
    rng.shuffle(active)
    count = 0
    today = timezone.localtime(clock.now, local_tz()).date()
    for i, (plan, case) in enumerate(active[:14]):
        # Due during office hours: five already overdue, the others within the next weeks.
        offset = -rng.randint(1, 12) if i < 5 else rng.randint(1, 25)
        due = clock.at(today + dt.timedelta(days=offset), start=9, end=16)
        created = max(
            plan.opened + dt.timedelta(hours=2),
            min(clock.horizon, due - dt.timedelta(days=rng.randint(5, 20))),
        )
        writer.task(case, title=rng.choice(data.CENTRE_TASKS), due=due, created=created)
        count += 1
    for org, title in (
        ("astra", "Organizovati psihološku podršku"),
        ("csw-bg", "Imenovati privremenog staratelja"),
    ):
        for plan, case in active:
            if Involvement.objects.active().filter(case=case, organisation=writer.orgs[org]).exists():
                due = clock.at(today + dt.timedelta(days=rng.randint(-3, 10)), start=9, end=16)
                writer.task(
                    case,
                    title=title,
                    due=due,
                    created=max(plan.opened, clock.horizon - dt.timedelta(days=7)),
                    org=org,
                )
                count += 1
                break
    return count


def load(
    *,
    users: dict[str, User],
    orgs: dict[str, Organisation],
    seed: int,
    progress: Callable[[str], None] = lambda _m: None,
) -> Result:
    rng = random.Random(seed)
    clock = Clock(rng, timezone.now())
    current = timezone.localtime(clock.now, local_tz()).year
    groups = iter(range(10_000))
    plans: list[Plan] = []
    for year, fig in data.YEARS.items():
        if year > current:
            continue
        plans += planning.plan_identified(rng, clock, year, fig)
        plans += planning.plan_not_identified(rng, clock, year, fig.not_identified)
    planning.form_groups(rng, plans, lambda: next(groups))
    plans += planning.plan_pending(rng, clock, current)
    plans += planning.plan_group(rng, clock)
    for plan in plans:
        planning.schedule(rng, clock, plan)
    # Register in time order, so codes run in the order the reports came in.
    plans.sort(key=lambda p: (p.opened, p.group if p.group is not None else -2))

    writer = Writer(rng=rng, clock=clock, users=users, orgs=orgs)
    played: list[tuple[Plan, Case]] = []
    result = Result()
    with transaction.atomic():
        # The facility register (shelters with capacity and licences) before anyone is placed.
        from opennrm.shelters.demo import seed_facilities

        seed_facilities(timezone.localtime(clock.now, local_tz()).date())
        for i, plan in enumerate(plans, 1):
            case = writer.register(plan)
            writer.play(plan, case)
            played.append((plan, case))
            if plan.kind == "identified":
                result.identified[plan.year] = result.identified.get(plan.year, 0) + 1
            if i % 100 == 0:
                progress(f"  {i} of {len(plans)} persons")
        # The group case: one task, overdue since 2021, and the inspector's note.
        first = next(c for p, c in played if p.kind == "group")
        opened = Case.objects.values_list("opened_at", flat=True).get(pk=first.pk)
        writer.task(
            first,
            title=data.GROUP_TASK,
            due=opened + dt.timedelta(days=8),
            created=opened + dt.timedelta(days=1),
        )
        note = case_services.note_add(
            user=users["inspector"],
            case=first,
            sensitivity="general",
            text="Zapisnik o inspekcijskom nadzoru dostavljen Centru i tužilaštvu; poslodavac ne sarađuje.",
        )
        CaseNote.objects.filter(pk=note.pk).update(created_at=opened, updated_at=opened)
        writer.stamp_timeline(first, opened)
        _open_tasks(rng, clock, writer, played)
        aftercare.pending_closure(writer, played)
        # Notices of years past are read; those of the last month wait on the users' pages.
        recent = {c.code for p, c in played if p.opened and p.opened > clock.now - dt.timedelta(days=30)}
        Notification.objects.exclude(case_code__in=recent).update(read_at=clock.now)
    result.persons = len(plans)
    return result
