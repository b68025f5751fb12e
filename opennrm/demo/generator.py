"""Synthetic data at scale, for benchmarks: up to a million persons, written with bulk inserts.

The rows are the ones the services write (person, encrypted identity, lookup digests, incident and
forms, case, involvements of the reporting organisation and the Centre, the reporter's account as
an encrypted note, timeline events, review tasks of cases not yet looked at) but without going
through the services one row at a time. One audit entry records the whole generation instead of
one per row: the rows are synthetic and nobody read or changed personal data.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, reset_queries, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from opennrm.accounts.models import Organisation, OrganisationType
from opennrm.audit.services import audit_record
from opennrm.cases.models import (
    Case,
    CaseNote,
    CaseStatus,
    CaseTask,
    Incident,
    IncidentForm,
    Involvement,
    InvolvementRole,
    TimelineEvent,
    note_aad,
)
from opennrm.cases.services import FIRST_REVIEW_HOURS
from opennrm.core import codes, crypto
from opennrm.demo import data
from opennrm.demo.synthetic import is_child_on, make_person, pick_age
from opennrm.lib.dates import local_tz
from opennrm.people.identity import clean_identity, lookup_digests
from opennrm.people.models import Person, PersonIdentity, PersonLookup, identity_aad
from opennrm.people.services import clean_attributes

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


@dataclass
class _Row:
    person: Person
    identity: dict[str, Any]
    case: Case
    path: list[tuple[str, dt.datetime]]
    reporter: Organisation
    summary: str


class Generator:
    def __init__(self, *, seed: int, orgs: list[Organisation], centre: Organisation):
        self.rng = random.Random(seed)
        self.centre = centre
        self.now = timezone.now()
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
        return len(incidents), len(rows)


def generate(
    *, persons: int, seed: int, batch_size: int = 5000, progress: Callable[[str], None] = lambda _m: None
) -> Generated:
    centre = (
        Organisation.objects.filter(type=OrganisationType.CENTRE, parent__isnull=True).order_by("id").first()
    )
    if centre is None:
        raise ValueError("no Centre organisation: create the demo organisations first")
    gen = Generator(seed=seed, orgs=list(Organisation.objects.filter(is_active=True)), centre=centre)
    out = Generated()
    started = time.monotonic()
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
            "seed": seed,
            "synthetic": True,
        },
    )
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
            ):
                cursor.execute(f'{command} "{model._meta.db_table}"')
    out.seconds = time.monotonic() - started
    return out
