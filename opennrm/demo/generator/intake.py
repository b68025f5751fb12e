"""Registration: incidents, persons with their encrypted identity and lookups, cases with their path of
statuses, the involvements of the reporter and the Centre, the reporter's account, the review task;
persons trafficked again (a second case in a later incident) and anonymous public reports."""

from __future__ import annotations

import datetime as dt
import functools
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_noop

from opennrm.accounts.models import Organisation, OrganisationType
from opennrm.assistance.services import mentions_non_cooperation as services_mentions_non_cooperation
from opennrm.cases.models import InvolvementRole, ReferralSource, note_aad
from opennrm.cases.services import FIRST_REVIEW_HOURS
from opennrm.core import codes
from opennrm.core.crypto import blind_index
from opennrm.core.models import CodeSequence
from opennrm.demo import data
from opennrm.demo.generator.world import Batch, PersonRow, S, Story, World
from opennrm.demo.synthetic import is_child_on, make_person, pick_age
from opennrm.intake.models import PublicReportHint, PublicReportStatus, public_report_aad
from opennrm.lib import clock
from opennrm.people.identity import clean_identity, lookup_digests
from opennrm.people.models import LookupKind, identity_aad

FIRST_YEAR = 2019

# Final status -> (weight, the path of statuses that leads there). "not_identified" without reasonable
# grounds is a referral the Centre declined (no grounds for a procedure); "…_decided" went through the
# procedure to a negative decision; "identified_on_appeal" had that decision superseded on appeal.
OUTCOMES: dict[str, tuple[int, tuple[str, ...]]] = {
    "reported": (4, ()),
    "screening": (2, (S.SCREENING,)),
    "referred": (8, (S.REFERRED,)),
    "presumed_victim": (4, (S.REFERRED, S.PRESUMED_VICTIM)),
    "identified": (6, (S.REFERRED, S.PRESUMED_VICTIM, S.IDENTIFIED)),
    "not_identified": (3, (S.REFERRED, S.NOT_IDENTIFIED)),
    "not_identified_decided": (3, (S.REFERRED, S.PRESUMED_VICTIM, S.NOT_IDENTIFIED)),
    "assisted": (19, (S.REFERRED, S.PRESUMED_VICTIM, S.IDENTIFIED, S.ASSISTED)),
    "identified_on_appeal": (1, (S.REFERRED, S.PRESUMED_VICTIM, S.NOT_IDENTIFIED, S.IDENTIFIED, S.ASSISTED)),
    "closed": (40, (S.REFERRED, S.PRESUMED_VICTIM, S.IDENTIFIED, S.ASSISTED, S.CLOSED)),
    "closed_not_identified": (5, (S.REFERRED, S.NOT_IDENTIFIED, S.CLOSED)),
    "closed_not_identified_decided": (5, (S.REFERRED, S.PRESUMED_VICTIM, S.NOT_IDENTIFIED, S.CLOSED)),
}
OPEN_AGAIN = ("reported", "referred", "presumed_victim", "identified", "assisted")
# Cases that stop before the Centre decided on reasonable grounds: after STALLED_DAYS only a few still
# wait there (otherwise years of referrals would lie pending in the Centre's inbox).
STALLED = ("reported", "screening", "referred")
STALLED_DAYS = 120
SHARE_FORGOTTEN = 0.1
# Which organisation types report, with the TIP referral category they count under.
REPORTING = {
    OrganisationType.POLICE: (ReferralSource.LAW_ENFORCEMENT, 40),
    OrganisationType.SOCIAL_WORK_CENTRE: (ReferralSource.SOCIAL_WELFARE, 25),
    OrganisationType.LABOUR_INSPECTORATE: (ReferralSource.OTHER_GOVERNMENT, 6),
    OrganisationType.HEALTH: (ReferralSource.OTHER_GOVERNMENT, 3),
    OrganisationType.SCHOOL: (ReferralSource.OTHER_GOVERNMENT, 3),
    OrganisationType.NGO: (ReferralSource.NGO_IO, 18),
    OrganisationType.CENTRE: (ReferralSource.SELF_REFERRAL, 5),
}
SHARE_SCREENED = 0.6  # first-line reporters who screen with a checklist before they refer
SHARE_AGAIN = 0.004  # persons who come back in a second case, trafficked again
SHARE_FROM_PUBLIC = 0.5  # the Centre's own registrations that began as an anonymous public report
PUBLIC_REPORTS = 0.01  # reports per person that did not (or not yet) become a case
REVIEW = gettext_noop("Review the new report")  # the intake service's task, stored untranslated

REPORT_TEXTS = {
    PublicReportHint.SEXUAL: (
        "U stanu u susedstvu svake noći dolaze različiti muškarci; devojke ne izlaze same i deluju uplašeno.",
        "Na oglasu za posao konobarice u inostranstvu traže samo mlade devojke i nude put bez ugovora.",
    ),
    PublicReportHint.LABOUR: (
        "Radnici na gradilištu spavaju u kontejnerima, rade od jutra do mraka i kažu da nisu dobili platu.",
        "Sezonski radnici na imanju nemaju dokumenta kod sebe; gazda ih ne pušta da odu do prodavnice.",
    ),
    PublicReportHint.BEGGING: (
        "Deca prose na raskrsnici svaki dan od jutra; odrasli muškarac ih dovozi kombijem i uzima novac.",
    ),
    PublicReportHint.CRIMINALITY: (
        "Grupa maloletnika krade u tramvaju, a stariji mladić ih čeka na stanici i uzima sve što ukradu.",
    ),
    PublicReportHint.CHILD: (
        "Devojčica od oko trinaest godina ne ide u školu i radi u kafiću do kasno u noć.",
    ),
    PublicReportHint.OTHER: ("Komšinica kaže da je dovedena da se uda i da ne sme da kontaktira porodicu.",),
    PublicReportHint.UNKNOWN: (
        "Nisam siguran da li je ovo trgovina ljudima, ali ljudi u toj kući deluju zatočeno.",
    ),
}
REPORT_HINTS = {"sexual": PublicReportHint.SEXUAL, "labour": PublicReportHint.LABOUR,
                "begging": PublicReportHint.BEGGING, "criminality": PublicReportHint.CRIMINALITY}  # fmt: skip
NO_ACTION_NOTES = (
    "Proverom nisu utvrđene okolnosti koje upućuju na trgovinu ljudima.",
    "Isti događaj je već prijavljen i obrađen u postojećem slučaju.",
    "Premalo podataka za proveru; prijavilac nije ostavio kontakt.",
)


# The synthetic names come from short lists (demo.data): each name's transliteration, folding and hashing
# is done once per process, not once per person. Only generated names stay in these caches.
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")


@functools.lru_cache(maxsize=8192)
def _token_digests(name: str) -> frozenset[tuple[str, str]]:
    return frozenset(lookup_digests({"aliases": [name]}))  # an alias: its tokens, no full name


@functools.lru_cache(maxsize=65536)
def _full_name_digests(given: str, family: str) -> frozenset[tuple[str, str]]:
    both = lookup_digests({"given_names": given, "family_names": family})
    return frozenset(d for d in both if d[0] == LookupKind.FULL_NAME)


@functools.lru_cache(maxsize=4096)
def mentions_non_cooperation(text: str) -> bool:
    """``assistance.services.mentions_non_cooperation`` of the generator's few reasons, once each."""
    return services_mentions_non_cooperation(text)


def digests(identity: dict[str, Any]) -> set[tuple[str, str]]:
    """``people.identity.lookup_digests(identity)`` in parts: each name's tokens, the full name, and the
    birth date and documents (which differ person by person). The tests hold the two equal."""
    given, family = identity["given_names"], identity["family_names"]
    out = set(_full_name_digests(given, family))
    for name in (given, family, *identity["aliases"]):
        out |= _token_digests(name)
    if identity["birth_date"]:
        out.add((LookupKind.BIRTH_DATE, blind_index(LookupKind.BIRTH_DATE, identity["birth_date"])))
    for doc in identity["documents"]:
        if doc.isascii():
            # Latin already: what ``lookup_digests`` keeps of it after transliterating.
            number = _NOT_ALNUM.sub("", doc).upper()
            if number:
                out.add((LookupKind.DOCUMENT, blind_index(LookupKind.DOCUMENT, number)))
        else:
            out |= lookup_digests({"documents": [doc]})
    return out


@dataclass
class Draft:
    """A person's case before codes and ids: what was drawn for it."""

    incident: int  # index in the batch's incidents
    attrs: dict[str, Any]
    identity: dict[str, Any]
    opened: dt.datetime
    path: list[tuple[str, dt.datetime]]
    reporter: Organisation
    source: str
    is_child: bool
    summary: str
    region: str
    first: Draft | None = None  # the earlier case of a person trafficked again
    # Registered from an anonymous public report: when it came in, what it hinted at, its account.
    report: tuple[dt.datetime, str, str] | None = None
    story: Story | None = field(default=None, repr=False)


@dataclass
class IncidentDraft:
    values: dict[str, Any]
    forms: list[str]
    opened: dt.datetime
    code: str = ""


class Intake:
    def __init__(self, world: World):
        self.world = world
        self.reporters: list[tuple[Organisation, str]] = []
        self.weights: list[float] = []
        for type_, (source, weight) in REPORTING.items():
            orgs = world.by_type.get(type_, [])
            for org in orgs:
                self.reporters.append((org, source))
                self.weights.append(weight / len(orgs))
        if not self.reporters:
            raise ValueError("no organisation can report: create the demo organisations first")
        self.years = list(range(FIRST_YEAR, world.today.year + 1))
        self.outcomes = list(OUTCOMES)
        self.outcome_weights = [OUTCOMES[n][0] for n in self.outcomes]
        self.languages = [code for code, _name in settings.LANGUAGES]

    # ---- drawing ----

    def _moment(self, rng: random.Random, day: dt.date) -> dt.datetime:
        minute = rng.randrange(7 * 60, 20 * 60)
        return dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=self.world.tz)

    @staticmethod
    def _group_size(rng: random.Random) -> int:
        r = rng.random()
        return 1 if r < 0.88 else (rng.randint(2, 5) if r < 0.98 else rng.randint(6, 40))

    def _path(
        self, rng: random.Random, opened: dt.datetime, reporter: Organisation, outcome: str = ""
    ) -> list:
        final = outcome or rng.choices(self.outcomes, weights=self.outcome_weights)[0]
        if not outcome and final in STALLED and (self.world.horizon - opened).days > STALLED_DAYS:
            # A case this old has moved on; a few stay where they stopped (the forgotten ones).
            while final in STALLED and rng.random() > SHARE_FORGOTTEN:
                final = rng.choices(self.outcomes, weights=self.outcome_weights)[0]
        statuses = list(OUTCOMES[final][1])
        if (
            statuses[:1] == [S.REFERRED]
            and reporter.pk != self.world.centre.pk
            and rng.random() < SHARE_SCREENED
        ):
            statuses.insert(0, S.SCREENING)
        path, moment = [], opened
        for status in statuses:
            moment = moment + dt.timedelta(hours=rng.uniform(2, 24 * 45 if status == S.CLOSED else 24 * 10))
            if moment > self.world.horizon:
                break
            path.append((status, moment))
        return path

    def _person(self, rng: random.Random, category: str, opened: dt.datetime, city: str) -> tuple:
        child = rng.random() < 0.35
        sex = "female" if rng.random() < (0.85 if category == "sexual" else 0.35) else "male"
        citizenship = "RS" if rng.random() < 0.8 else rng.choice(list(data.FOREIGN_ORIGINS))
        local_day = self.world.day(opened)
        synthetic = make_person(
            rng,
            citizenship=citizenship,
            sex=sex,
            child=child,
            on=local_day,
            category=category,
            city=city,
            age=pick_age(rng, child=child, category=category),
        )
        identity = clean_identity(synthetic.identity, today=local_day)
        # Valid as drawn: ``people.services.clean_attributes`` leaves them as they are (the tests hold it).
        attrs = synthetic.attributes
        return attrs, identity, is_child_on(attrs, identity, local_day)

    def draw(self, rng: random.Random, persons: int) -> tuple[list[IncidentDraft], list[Draft]]:
        """Incidents and their persons for one batch; a few persons come back later in a second case."""
        world = self.world
        incidents: list[IncidentDraft] = []
        drafts: list[Draft] = []
        new = 0
        while new < persons:
            year = rng.choice(self.years)
            first = dt.date(year, 1, 1)
            last = min(dt.date(year, 12, 31), world.today - dt.timedelta(days=1))
            day = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
            opened = min(self._moment(rng, day), world.horizon)
            category = rng.choices(data.CATEGORIES, weights=(45, 25, 7, 5, 18))[0]
            forms = list(rng.choice(data.MULTIPLE_PAIRS)) if category == "multiple" else [category]
            reporter, source = rng.choices(self.reporters, weights=self.weights)[0]
            abroad = rng.random() < 0.08
            country = rng.choice(list(data.ABROAD)) if abroad else "RS"
            place = data.ABROAD[country] if abroad else rng.choice(list(data.MUNICIPALITIES))
            region = data.MUNICIPALITIES[place][1] if place in data.MUNICIPALITIES else "bg"
            key = "labour" if forms[0] == "labour" else forms[0]
            incident = IncidentDraft(
                {
                    "title": f"{rng.choice(data.INCIDENT_TITLES[key])}, {place}",
                    "started_on": day - dt.timedelta(days=rng.randint(7, 400)),
                    "ended_on": day if rng.random() < 0.6 else None,
                    "municipality": place,
                    "country_of_exploitation": country,
                    "transnational": abroad,
                    "organisation_id": reporter.pk,
                },
                forms,
                opened,
            )
            incidents.append(incident)
            size = min(self._group_size(rng), persons - new)
            # A public report tells of one person; the Centre registers it as one case.
            from_public = size == 1 and reporter.pk == world.centre.pk and rng.random() < SHARE_FROM_PUBLIC
            hint = REPORT_HINTS.get(forms[0], PublicReportHint.UNKNOWN)
            for _n in range(size):
                attrs, identity, child = self._person(
                    rng, category, opened, place if not abroad else "Beograd"
                )
                if attrs.get("citizenship") != "RS":
                    incident.values["transnational"] = True
                draft = Draft(
                    incident=len(incidents) - 1,
                    attrs=attrs,
                    identity=identity,
                    opened=opened,
                    path=self._path(rng, opened, reporter),
                    reporter=reporter,
                    source=ReferralSource.PRIVATE_CITIZEN if from_public else source,
                    is_child=child,
                    summary=rng.choice(data.SUMMARIES[key]),
                    region=region,
                )
                if from_public:
                    received = opened - dt.timedelta(hours=rng.uniform(2, 24 * 5))
                    draft.report = (received, hint, rng.choice(REPORT_TEXTS[hint]))
                drafts.append(draft)
                new += 1
                if rng.random() < SHARE_AGAIN:
                    self._again(rng, draft, incidents, drafts)
        return incidents, drafts

    def _again(self, rng: random.Random, first: Draft, incidents: list[IncidentDraft], drafts: list) -> None:
        """The person's first case closes after assistance; a later incident brings them back. The
        second case is flagged as possible re-trafficking (an earlier case of the same person)."""
        world = self.world
        first.path = self._path(rng, first.opened, first.reporter, "closed")
        if not first.path or first.path[-1][0] != S.CLOSED:
            return
        earliest = first.path[-1][1] + dt.timedelta(days=30)
        if earliest >= world.horizon:
            return
        latest = world.horizon - dt.timedelta(hours=2)
        if rng.random() < 0.5:
            earliest = max(earliest, world.horizon - dt.timedelta(days=85))  # on the home page's list
        opened = earliest + (latest - earliest) * rng.random()
        reporter, source = rng.choices(self.reporters, weights=self.weights)[0]
        previous = incidents[first.incident]
        place = previous.values["municipality"]
        incidents.append(
            IncidentDraft(
                dict(previous.values, organisation_id=reporter.pk, ended_on=None,
                     started_on=world.day(opened) - dt.timedelta(days=rng.randint(7, 200))),
                list(previous.forms),
                opened,
            )
        )  # fmt: skip
        attrs = first.attrs
        local_day = world.day(opened)
        drafts.append(
            Draft(
                incident=len(incidents) - 1,
                attrs=attrs,
                identity=first.identity,
                opened=opened,
                path=self._path(rng, opened, reporter, rng.choice(OPEN_AGAIN)),
                reporter=reporter,
                source=source,
                is_child=is_child_on(attrs, first.identity, local_day),
                summary=first.summary,
                region=first.region if place in data.MUNICIPALITIES else "bg",
                first=first,
            )
        )

    # ---- codes, ids and the rows of registration ----

    def register(
        self, batch: Batch, rng: random.Random, incidents: list[IncidentDraft], drafts: list[Draft]
    ) -> list[Story]:
        world = self.world
        public = [d for d in drafts if d.report is not None]
        reports = dict(zip(map(id, public), report_codes([d.report[0] for d in public]), strict=True))
        _reserve(incidents, "incident", lambda i: i.opened)
        new_persons = [d for d in drafts if d.first is None]
        person_codes = dict(
            zip(map(id, new_persons), _codes("person", [d.opened for d in new_persons]), strict=True)
        )
        case_codes = _codes("case", [d.opened for d in drafts])
        incident_ids = []
        for inc in incidents:
            incident_ids.append(batch.incident.add(at=inc.opened, code=inc.code, **inc.values))
            for form in sorted(set(inc.forms)):
                batch.incidentform.add(incident_id=incident_ids[-1], form=form)
        stories = []
        for draft, case_code in zip(drafts, case_codes, strict=True):
            if draft.first is not None:
                person = draft.first.story.person
            else:
                code = person_codes[id(draft)]
                attrs = draft.attrs
                pid = batch.person.add(at=draft.opened, code=code, **attrs)
                key_id, blob = world.encrypt(draft.identity, identity_aad(code))
                batch.personidentity.add(at=draft.opened, person_id=pid, data_key_id=key_id, ciphertext=blob)
                for kind, digest in sorted(digests(draft.identity)):
                    batch.personlookup.add(person_id=pid, kind=kind, digest=digest)
                person = PersonRow(
                    id=pid,
                    code=code,
                    sex=attrs.get("sex", "unknown"),
                    citizenship=attrs.get("citizenship", ""),
                    birth_year=attrs.get("birth_year"),
                    age_estimate_min=attrs.get("age_estimate_min"),
                    age_estimate_max=attrs.get("age_estimate_max"),
                    age_disputed=bool(attrs.get("age_disputed")),
                    interpreter_needed=bool(attrs.get("interpreter_needed")),
                    languages=list(attrs.get("languages") or []),
                )
            story = Story(
                case_id=batch.case.ids.take(),
                code=case_code,
                person=person,
                incident_id=incident_ids[draft.incident],
                forms=incidents[draft.incident].forms,
                region=draft.region,
                reporter=draft.reporter,
                source=draft.source,
                opened_at=draft.opened,
                path=draft.path,
                is_child=draft.is_child,
                summary=draft.summary,
                retrafficked=draft.first is not None,
            )
            draft.story = story
            text = story.summary
            if draft.report is not None:
                story.report_code = reports[id(draft)]
                received, hint, text = draft.report
                self._report_row(batch, rng, story.report_code, received, hint, text,
                                 PublicReportStatus.REGISTERED, story)  # fmt: skip
            self._opened(batch, story, text)
            stories.append(story)
        return stories

    def _opened(self, batch: Batch, story: Story, text: str) -> None:
        """What intake_register (or registering a public report) writes when the case opens."""
        world, centre, reporter, opened = self.world, self.world.centre, story.reporter, story.opened_at
        own = reporter.pk == centre.pk
        role = InvolvementRole.IDENTIFYING_BODY if own else InvolvementRole.REPORTER
        batch.involvement.add(at=opened, case_id=story.case_id, organisation_id=reporter.pk, role=role,
                              started_at=opened)  # fmt: skip
        story.involved.add((reporter.pk, role))
        if not own:
            batch.involvement.add(at=opened, case_id=story.case_id, organisation_id=centre.pk,
                                  role=InvolvementRole.IDENTIFYING_BODY, started_at=opened)  # fmt: skip
            story.involved.add((centre.pk, InvolvementRole.IDENTIFYING_BODY))
        batch.event(story, "case_opened", opened, {"org": reporter.name}, reporter)
        batch.event(story, "person_registered", opened, {"code": story.person.code}, reporter)
        key_id, blob = world.encrypt({"text": text}, note_aad(story.code))
        batch.casenote.add(at=opened, case_id=story.case_id, sensitivity="general", organisation_id=reporter.pk,
                           data_key_id=key_id, ciphertext=blob)  # fmt: skip
        # In the services' order: intake_register writes the reporter's account before the review task;
        # registering a public report opens the case first and adds the report's account after.
        if story.report_code:
            batch.event(story, "task_added", opened, {"title": REVIEW}, reporter)
            batch.event(story, "note_added", opened, {"sensitivity": "general"}, reporter)
            batch.event(story, "public_report_registered", opened, {"report": story.report_code}, reporter)
        else:
            batch.event(story, "note_added", opened, {"sensitivity": "general"}, reporter)
            batch.event(story, "task_added", opened, {"title": REVIEW}, reporter)

    def review_task(self, batch: Batch, story: Story, looked_at: dt.datetime | None) -> None:
        """The Centre's review task of the new report: done when the Centre first acted on the case."""
        due = story.opened_at + dt.timedelta(hours=FIRST_REVIEW_HOURS)
        batch.casetask.add(at=story.opened_at, case_id=story.case_id, title=REVIEW,
                           organisation_id=self.world.centre.pk, due_at=due, done_at=looked_at,
                           updated_at=looked_at or story.opened_at, version=2 if looked_at else 1)  # fmt: skip
        if looked_at is not None:
            batch.event(story, "task_done", looked_at, {"title": REVIEW}, self.world.centre)

    def case_row(self, batch: Batch, story: Story) -> None:
        """The case as its path left it (written last: the workflow may have changed the child flag)."""
        status, changed = story.status, story.status_changed_at
        batch.case.add(
            at=story.opened_at,
            id=story.case_id,
            code=story.code,
            person_id=story.person.id,
            incident_id=story.incident_id,
            status=status,
            status_changed_at=changed,
            opened_at=story.opened_at,
            opened_by_organisation_id=story.reporter.pk,
            referral_source=story.source,
            is_child=story.is_child,
            closed_at=changed if status == S.CLOSED else None,
            updated_at=changed,
            version=story.version,
        )

    # ---- anonymous public reports ----

    def public_reports(self, batch: Batch, rng: random.Random, persons: int) -> int:
        """Reports that did not become a case: the recent ones wait in the Centre's triage queue."""
        world = self.world
        start = dt.datetime(FIRST_YEAR, 1, 1, 8, tzinfo=world.tz)
        span = (world.horizon - start).total_seconds()
        count = int(persons * PUBLIC_REPORTS + rng.random())
        moments = sorted(start + dt.timedelta(seconds=rng.uniform(0, span)) for _n in range(count))
        for code, received in zip(report_codes(moments), moments, strict=True):
            age = (world.horizon - received).days
            if age < 14:
                status = PublicReportStatus.NEW if rng.random() < 0.7 else PublicReportStatus.IN_REVIEW
            elif age < 60:
                status = PublicReportStatus.IN_REVIEW if rng.random() < 0.3 else PublicReportStatus.NO_ACTION
            else:
                status = PublicReportStatus.NO_ACTION
            hint = rng.choice(list(REPORT_TEXTS))
            self._report_row(batch, rng, code, received, hint, rng.choice(REPORT_TEXTS[hint]), status, None)
        return count

    def _report_row(self, batch: Batch, rng: random.Random, code: str, received: dt.datetime, hint: str,
                    text: str, status: str, story: Story | None) -> None:  # fmt: skip
        world = self.world
        contact = f"+381 6{rng.randint(0, 6)} 555 {rng.randrange(10**4):04d}" if rng.random() < 0.4 else ""
        key_id, blob = world.encrypt({"text": text, "contact": contact}, public_report_aad(code))
        reviewed = None
        if status != PublicReportStatus.NEW:
            reviewed = story.opened_at if story else min(received + dt.timedelta(hours=rng.uniform(2, 96)),
                                                          world.horizon)  # fmt: skip
        batch.publicreport.add(
            at=received,
            code=code,
            received_at=received,
            language=rng.choices(self.languages, weights=[6, 3, 1][: len(self.languages)])[0],
            exploitation_hint=hint,
            municipality=rng.choice(list(data.MUNICIPALITIES)) if rng.random() < 0.7 else "",
            has_contact=bool(contact),
            status=status,
            reviewed_at=reviewed,
            outcome_note=rng.choice(NO_ACTION_NOTES) if status == PublicReportStatus.NO_ACTION else "",
            case_id=story.case_id if story else None,
            data_key_id=key_id,
            ciphertext=blob,
            updated_at=reviewed or received,
            version=1 if status == PublicReportStatus.NEW else 2,
        )


# ---- codes --------------------------------------------------------------------------------------------


def _codes(kind: str, moments: list[dt.datetime]) -> list[str]:
    """Codes for the moments given, in their order, reserved in bulk by year of registration
    (RS-C-2021-004512 for a case opened in 2021)."""
    return _by_year(moments, lambda year, n: codes.next_codes(kind, n, year=year))


def _reserve(items: list[IncidentDraft], kind: str, when: Any) -> None:
    for item, code in zip(items, _codes(kind, [when(i) for i in items]), strict=True):
        item.code = code


def report_codes(moments: list[dt.datetime]) -> list[str]:
    return _by_year(moments, _report_codes)


def _by_year(moments: list[dt.datetime], reserve: Any) -> list[str]:
    tz = clock.local_tz()
    years = [m.astimezone(tz).year for m in moments]
    by_year = {year: reserve(year, n)[::-1] for year, n in sorted(Counter(years).items())}
    return [by_year[year].pop() for year in years]


def _report_codes(year: int, count: int) -> list[str]:
    """RS-PR-2026-000123, from the public report service's counter row. ``core.codes.next_codes`` knows
    persons, cases and incidents only; this is its bulk reservation for the report prefix."""
    from django.db import transaction

    prefix = settings.COUNTRY_CODE + "-PR"
    with transaction.atomic():
        seq, _created = CodeSequence.objects.select_for_update().get_or_create(prefix=prefix, year=year)
        first = seq.last + 1
        seq.last += count
        seq.save(update_fields=["last"])
    return [f"{prefix}-{year}-{n:06d}" for n in range(first, first + count)]
