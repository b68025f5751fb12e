"""The identification workflow along each case's path, as its services write it: screening with a real
indicator set, the referral to the Centre and its answer, the procedure (reasonable grounds) with its
records, the reasoned decision (and a few that supersede it), the reflection period of a foreign
presumed victim, the child's age assessment and guardian, and referrals on to the police, prosecution
and services, each with the involvement it grants."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from opennrm.accounts.models import Organisation, OrganisationType
from opennrm.accounts.roles import Sensitivity
from opennrm.cases.models import WHEREABOUTS_PARAM, ExploitationForm
from opennrm.demo import data
from opennrm.demo.generator.tables import JsonText, dumps
from opennrm.demo.generator.world import Batch, S, Story, World
from opennrm.identification import indicators
from opennrm.identification.models import (
    AgeOutcome,
    DecisionKind,
    DecisionOutcome,
    ProcedureRecordKind,
    Recommendation,
    ReferralPurpose,
    ReferralStatus,
    ScreeningSetting,
    decision_aad,
    procedure_record_aad,
)
from opennrm.identification.services import DEFAULT_LEGAL_BASIS, ROLE_FOR_PURPOSE

T = OrganisationType
RECOMMENDATIONS = tuple(Recommendation.values)  # read once (``Choices.values`` builds a list each time)
AGE_OUTCOMES = tuple(AgeOutcome.values)
# An answer sheet: the answers in order, the evaluation, and the evaluation's JSON text.
Sheet = tuple[list[tuple[str, str]], dict[str, Any], JsonText]
# Indicator sets by form of exploitation: (code, version, weight); a child is mostly screened with the
# children's list. Versions are real files of identification/indicator_sets.
SETS: dict[str, tuple[tuple[str, str, int], ...]] = {
    "sexual": (("sexual", "2026.2", 7), ("sexual", "2026.1", 2), ("general", "2026.1", 1)),
    "labour": (("labour", "2026.1", 6), ("forced_labour", "2026.1", 3), ("general", "2026.1", 1)),
    "begging": (("begging", "2026.1", 7), ("general", "2026.1", 3)),
    "criminality": (("criminality", "2026.1", 7), ("general", "2026.1", 3)),
}
CHILD_SET = ("child", "2026.1")
SHARE_CHILD_SET = 0.6
SETTINGS = {
    T.POLICE: (ScreeningSetting.INTERVIEW, ScreeningSetting.BORDER, ScreeningSetting.FIELD_VISIT),
    T.LABOUR_INSPECTORATE: (ScreeningSetting.WORKPLACE_INSPECTION,),
    T.HEALTH: (ScreeningSetting.HEALTH,),
    T.SCHOOL: (ScreeningSetting.SCHOOL,),
    T.NGO: (ScreeningSetting.FIELD_VISIT, ScreeningSetting.INTERVIEW, ScreeningSetting.HOTLINE),
    T.SOCIAL_WORK_CENTRE: (ScreeningSetting.INTERVIEW, ScreeningSetting.FIELD_VISIT),
    T.CENTRE: (ScreeningSetting.INTERVIEW, ScreeningSetting.HOTLINE, ScreeningSetting.DOCUMENT_REVIEW),
}
# Why a referral was declined or withdrawn. No names: the referring organisation reads it.
DECLINED_IDENTIFICATION = (
    "Nema osnova za postupak identifikacije; upućeno na nadležni centar za socijalni rad.",
    "Prijava ne sadrži elemente trgovine ljudima; radni spor upućen inspekciji rada.",
)
DECLINED = (
    "Trenutno nemamo kapacitet; predlažemo drugu organizaciju u istom gradu.",
    "Zahtev nije u nadležnosti naše službe.",
)
WITHDRAWN = ("Potreba je u međuvremenu zadovoljena na drugi način.", "Upućeno greškom drugoj organizaciji.")
RECORD_TEXTS = {
    ProcedureRecordKind.INTERVIEW: (
        "Obavljen razgovor uz prisustvo psihologa; iskaz je dosledan i detaljan.",
        "Razgovor vođen uz prevodioca; lice opisalo način vrbovanja i uslove rada.",
    ),
    ProcedureRecordKind.INDICATORS: ("Indikatori iz skrininga potvrđeni u razgovoru i dokumentaciji.",),
    ProcedureRecordKind.DOCUMENT: ("Pregledana dokumentacija: ugovor o radu, putne isprave i prepiska.",),
    ProcedureRecordKind.OPINION: (
        "Mišljenje: utvrđeni elementi vrbovanja i eksploatacije; preporučuje se identifikacija.",
        "Mišljenje: potrebno dodatno utvrditi okolnosti dolaska; lice sarađuje sa službama.",
    ),
}
AGE_METHODS = (
    "Procena na osnovu razgovora i raspoloživih dokumenata, uz mišljenje pedijatra.",
    "Multidisciplinarna procena centra za socijalni rad i zdravstvene ustanove.",
)
# Referrals on from the Centre once there are reasonable grounds: purpose -> (share, receiving type).
ONWARD: tuple[tuple[str, float, str], ...] = (
    (ReferralPurpose.INVESTIGATION, 0.45, T.POLICE),
    (ReferralPurpose.PROSECUTION, 0.15, T.PROSECUTION),
    (ReferralPurpose.ASSISTANCE, 0.2, T.NGO),
    (ReferralPurpose.HEALTH, 0.08, T.HEALTH),
    (ReferralPurpose.RETURN, 0.25, T.INTERNATIONAL_ORGANISATION),  # foreign persons only
)
SHARE_GUARDIAN = 0.88
SHARE_AGE_ASSESSED = 0.75
SHARE_REVIEW = 0.03  # identification decisions reviewed later (same outcome, forms corrected)
SHARE_EARLY_END = 0.05  # reflection periods that ended early (the person went home)


def _where(purpose: str) -> dict[str, bool]:
    return {WHEREABOUTS_PARAM: True} if purpose == ReferralPurpose.SHELTER else {}


class Identification:
    def __init__(self, world: World):
        self.world = world
        self.pools: dict[tuple[str, str, bool], dict[str, list[Sheet]]] = {}

    # ---- screening ----

    def _pool(self, code: str, version: str, child: bool) -> dict[str, list[Sheet]]:
        """Answer sheets for a set, drawn once with a fixed seed and evaluated by the real rules,
        grouped by recommendation (a screening then takes one of the recommendation it needs)."""
        key = (code, version, child)
        if key not in self.pools:
            iset = indicators.get_set(code, version)
            items = [i.id for i in iset.items if i.applies(is_child=child)]
            rng = random.Random(f"{code}@{version}:{child}")
            pool: dict[str, list[Sheet]] = {r: [] for r in RECOMMENDATIONS}
            for _n in range(300):
                yes = rng.uniform(0.02, 0.5)
                asked = rng.sample(items, max(1, int(len(items) * rng.uniform(0.3, 1))))
                answers = {
                    i: "yes" if rng.random() < yes else rng.choice(("no", "no", "unknown")) for i in asked
                }
                evaluation = indicators.evaluate(iset, answers, is_child=child)
                result = evaluation.as_dict()
                pool[evaluation.recommendation].append(
                    (sorted(answers.items()), result, JsonText(dumps(result)))
                )
            self.pools[key] = pool
        return self.pools[key]

    def _screening(
        self, batch: Batch, rng: random.Random, story: Story, at: dt.datetime, wanted: str
    ) -> Organisation:
        world = self.world
        org = story.reporter
        if story.is_child and rng.random() < SHARE_CHILD_SET:
            code, version = CHILD_SET
        else:
            choices = SETS.get(story.forms[0], (("general", "2026.1", 1),))
            code, version, _w = rng.choices(choices, weights=[w for *_s, w in choices])[0]
        pool = self._pool(code, version, story.is_child)
        sheets = pool[wanted] or next(p for p in pool.values() if p)
        answers, result, result_json = rng.choice(sheets)
        recommendation = result["recommendation"]
        setting = rng.choice(SETTINGS.get(org.type, (ScreeningSetting.INTERVIEW,)))
        story.screening_id = batch.screening.add(
            at=at,
            case_id=story.case_id,
            indicator_set=code,
            indicator_version=version,
            setting=setting,
            screened_on=world.day(at),
            interpreter_used=story.person.interpreter_needed,
            organisation_id=org.pk,
            as_child=story.is_child,
            recommendation=recommendation,
            result=result_json,
        )
        for indicator, answer in answers:
            batch.screeninganswer.add(screening_id=story.screening_id, indicator=indicator, answer=answer)
        params = {"set": code, "version": version, "recommendation": recommendation}
        batch.event(story, "screening_recorded", at, params, org)
        return org

    # ---- referrals ----

    def referral(
        self,
        batch: Batch,
        rng: random.Random,
        story: Story,
        *,
        purpose: str,
        sender: Organisation,
        to: Organisation,
        at: dt.datetime,
        answer: str,
        answered: dt.datetime | None,
    ) -> None:
        """A referral, the involvement it grants (none if the organisation has that part already) and its
        answer: accepted, declined or withdrawn at ``answered``, or still pending (escalated once due)."""
        world = self.world
        due = world.due(at, world.referral_due)
        role = ROLE_FOR_PURPOSE[purpose]
        involvement = None
        if (to.pk, role) not in story.involved:
            involvement = batch.involvement.add(at=at, case_id=story.case_id, organisation_id=to.pk, role=role,
                                                started_at=at)  # fmt: skip
            story.involved.add((to.pk, role))
        where = _where(purpose)
        batch.event(story, "referral_made", at, {"org": to.name, "purpose": purpose, "due": due.isoformat(), **where},
                    sender)  # fmt: skip
        reason, escalated = "", None
        plain = {"org": to.name, "purpose": purpose, **where}
        if answer == ReferralStatus.PENDING:
            answered = None
            if due < world.horizon:
                # The escalation timer's run after the deadline passed.
                escalated = min(due + dt.timedelta(minutes=rng.randint(5, 60)), world.horizon)
                batch.event(story, "referral_overdue", escalated, {"case": story.code, **plain}, None)
        elif answer == ReferralStatus.ACCEPTED:
            batch.event(story, "referral_accepted", answered, plain, to)
        else:
            declined = answer == ReferralStatus.DECLINED
            if purpose == ReferralPurpose.IDENTIFICATION:
                reason = rng.choice(DECLINED_IDENTIFICATION)
            else:
                reason = rng.choice(DECLINED if declined else WITHDRAWN)
            batch.event(story, "referral_declined" if declined else "referral_withdrawn", answered, plain,
                        to if declined else sender)  # fmt: skip
            if involvement is not None:
                batch.involvement.rows[-1] = _ended(batch, answered, "referral declined" if declined else
                                                     "referral withdrawn")  # fmt: skip
                story.involved.discard((to.pk, role))
        batch.referral.add(
            at=at,
            case_id=story.case_id,
            from_organisation_id=sender.pk,
            to_organisation_id=to.pk,
            purpose=purpose,
            status=answer,
            urgent=rng.random() < 0.1,
            due_at=due,
            responded_at=answered,
            reason=reason,
            escalated_at=escalated,
            involvement_id=involvement,
            updated_at=answered or escalated or at,
            version=1 if answer == ReferralStatus.PENDING else 2,
        )

    def _onward(
        self, batch: Batch, rng: random.Random, story: Story, start: dt.datetime, end: dt.datetime
    ) -> None:
        """The Centre refers a presumed victim on: police, prosecution, services (never to itself)."""
        world, centre = self.world, self.world.centre
        if story.reporter.type == T.POLICE:
            story.police, story.police_since = story.reporter, story.opened_at
        for purpose, share, type_ in ONWARD:
            if purpose == ReferralPurpose.RETURN and not story.foreign:
                continue
            if purpose == ReferralPurpose.INVESTIGATION and story.police is not None:
                continue
            if rng.random() >= share:
                continue
            if type_ in (T.POLICE, T.PROSECUTION):
                to = world.local(story.region, "police" if type_ == T.POLICE else "prosecution")
            else:
                options = [o for o in world.by_type.get(type_, []) if o.pk != centre.pk]
                to = rng.choice(options) if options else None
            at = start + dt.timedelta(hours=rng.uniform(2, 24 * 20))
            if to is None or at >= end:
                continue
            recent = (world.horizon - at).days < 20
            if not story.closed and (recent and rng.random() < 0.5 or rng.random() < 0.02):
                answer, answered = ReferralStatus.PENDING, None
            else:
                answer = rng.choices(
                    (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN),
                    weights=(88, 9, 3),
                )[0]
                answered = min(at + dt.timedelta(hours=rng.uniform(1, 72)), end)
            self.referral(batch, rng, story, purpose=purpose, sender=centre, to=to, at=at, answer=answer,
                          answered=answered)  # fmt: skip
            if purpose == ReferralPurpose.INVESTIGATION and answer in (
                ReferralStatus.ACCEPTED,
                ReferralStatus.PENDING,
            ):
                story.police, story.police_since = to, at

    # ---- the path ----

    def case(self, batch: Batch, rng: random.Random, story: Story) -> dt.datetime | None:
        """Write the workflow of the story's path; returns when the Centre first looked at the case (its
        review task is done then), or None."""
        world, centre = self.world, self.world.centre
        path = story.path
        own = story.reporter.pk == centre.pk
        end = path[-1][1] if story.closed else world.horizon
        procedure: dict[str, Any] | None = None
        decision: tuple[int, str] | None = None  # (id, outcome) of the current decision
        looked_at = None
        old = S.REPORTED
        for n, (status, at) in enumerate(path):
            after = path[n + 1] if n + 1 < len(path) else None
            by = centre
            if status == S.SCREENING:
                wanted = Recommendation.REFER if after else rng.choices(
                    RECOMMENDATIONS, weights=(15, 60, 25))[0]  # fmt: skip
                if after and rng.random() < 0.15:
                    wanted = Recommendation.GATHER_MORE
                by = self._screening(batch, rng, story, at, wanted)
            elif status == S.REFERRED:
                looked_at = at + dt.timedelta(hours=rng.uniform(0.5, 20))
                if not own:
                    by = story.reporter
                    next_status = after[0] if after else None
                    answer = {
                        S.PRESUMED_VICTIM: ReferralStatus.ACCEPTED,
                        S.NOT_IDENTIFIED: ReferralStatus.DECLINED,
                    }
                    self.referral(batch, rng, story, purpose=ReferralPurpose.IDENTIFICATION, sender=by, to=centre,
                                  at=at, answer=answer.get(next_status, ReferralStatus.PENDING),
                                  answered=after[1] if after else None)  # fmt: skip
                    if after is None and looked_at > world.horizon:
                        looked_at = None
                if story.is_child:
                    self._child(batch, rng, story, at)
            elif status == S.PRESUMED_VICTIM:
                procedure = self._procedure(batch, rng, story, at, after[1] if after else end)
                self._onward(batch, rng, story, at, end)
            elif status in (S.IDENTIFIED, S.NOT_IDENTIFIED) and (
                procedure is not None or decision is not None
            ):
                decision = self._decide(batch, rng, story, at, status, procedure, decision)
                if procedure is not None:
                    procedure["closed_at"] = at
                    procedure["version"] = 2
                    batch.identificationprocedure.add(**procedure)
                    procedure = None
            batch.status(story, old, status, at, by)
            story.version += 1
            old = status
        if procedure is not None:
            batch.identificationprocedure.add(**procedure)
        if story.is_child and S.REFERRED not in story.ms and not story.closed:
            # Nobody asked the centre for social work yet: the timer's notice once the deadline passed.
            due = world.due(story.opened_at, world.guardian_due)
            if due < world.horizon:
                self._guardian_overdue(batch, story, due)
        if decision is not None and decision[1] == DecisionOutcome.IDENTIFIED and rng.random() < SHARE_REVIEW:
            self._review(batch, rng, story, decision, end)
        if looked_at is not None:
            looked_at = min(looked_at, world.horizon)
        return looked_at

    def _procedure(
        self, batch: Batch, rng: random.Random, story: Story, at: dt.datetime, until: dt.datetime
    ) -> dict[str, Any]:
        """procedure_start: reasonable grounds from now; a foreign national's reflection period starts.
        Its records fall before ``until`` (the decision, or the case's end)."""
        world, centre = self.world, self.world.centre
        procedure_id = batch.identificationprocedure.ids.take()
        batch.event(story, "procedure_started", at, {}, centre)
        if story.foreign:
            self._reflection(batch, rng, story, at)
        # Its records: an interview, the indicators relied on, documents, another organisation's opinion.
        day = world.day(at)
        kinds = [ProcedureRecordKind.INTERVIEW]
        if story.screening_id is not None and rng.random() < 0.6:
            kinds.append(ProcedureRecordKind.INDICATORS)
        if rng.random() < 0.25:
            kinds.append(ProcedureRecordKind.DOCUMENT)
        if story.reporter.pk != centre.pk and rng.random() < 0.3:
            kinds.append(ProcedureRecordKind.OPINION)
        last = min(day + dt.timedelta(days=6), world.day(until))
        for kind in kinds:
            happened = world.between(rng, day, last)
            when = world.at(rng, happened, after=at, before=until)
            org = story.reporter if kind == ProcedureRecordKind.OPINION else centre
            sensitivity = Sensitivity.PSYCHOSOCIAL if kind == ProcedureRecordKind.INTERVIEW and rng.random() < 0.3 \
                else Sensitivity.GENERAL  # fmt: skip
            key_id, blob = world.encrypt(
                {"text": rng.choice(RECORD_TEXTS[kind])}, procedure_record_aad(story.code)
            )
            batch.procedurerecord.add(
                at=when,
                procedure_id=procedure_id,
                kind=kind,
                happened_on=happened,
                organisation_id=org.pk,
                screening_id=story.screening_id if kind == ProcedureRecordKind.INDICATORS else None,
                sensitivity=sensitivity,
                data_key_id=key_id,
                ciphertext=blob,
            )
            batch.event(story, "procedure_record_added", when, {"kind": kind}, org, sensitivity)
        return {"id": procedure_id, "at": at, "case_id": story.case_id, "organisation_id": centre.pk,
                "started_at": at, "reasonable_grounds_at": at, "closed_at": None}  # fmt: skip

    def _reflection(self, batch: Batch, rng: random.Random, story: Story, at: dt.datetime) -> None:
        world = self.world
        starts = world.day(at)
        ends = starts + dt.timedelta(days=world.reflection_days - 1)  # deadlines.last_day
        early, reason = None, ""
        if rng.random() < SHARE_EARLY_END:
            early = world.between(rng, starts + dt.timedelta(days=5), min(ends, world.today))
            reason = "Lice se dobrovoljno vratilo u zemlju porekla uz podršku IOM-a."
        alert = None
        alert_day = ends - dt.timedelta(days=world.reflection_alert)
        if early is None and alert_day <= world.today:
            alert = max(world.at(rng, alert_day), at)
        batch.reflectionperiod.add(at=at, case_id=story.case_id, starts_on=starts, ends_on=ends,
                                   days=world.reflection_days, legal_basis=world.reflection_basis,
                                   alert_sent_at=alert, ended_early_on=early, end_reason=reason)  # fmt: skip
        batch.event(story, "reflection_started", at, {"from": starts.isoformat(), "to": ends.isoformat()},
                    world.centre)  # fmt: skip

    def _decide(self, batch: Batch, rng: random.Random, story: Story, at: dt.datetime, status: str,
                procedure: dict | None, current: tuple[int, str] | None) -> tuple[int, str]:  # fmt: skip
        """decision_issue: the first decision closes the procedure; a later one (on appeal) supersedes."""
        outcome = DecisionOutcome.IDENTIFIED if status == S.IDENTIFIED else DecisionOutcome.NOT_IDENTIFIED
        kind = DecisionKind.INITIAL if current is None else DecisionKind.APPEAL
        forms = [f for f in story.forms if f != ExploitationForm.UNKNOWN] or [ExploitationForm.LABOUR]
        if procedure is not None:
            story.procedure_id = procedure["id"]
        pk = self._decision(batch, rng, story, at, outcome, kind, forms if outcome == "identified" else [],
                            story.procedure_id, current[0] if current else None)  # fmt: skip
        return pk, outcome

    def _decision(self, batch: Batch, rng: random.Random, story: Story, at: dt.datetime, outcome: str,
                  kind: str, forms: list[str], procedure_id: int | None, supersedes: int | None) -> int:  # fmt: skip
        world = self.world
        key_id, blob = world.encrypt(
            {"reasons": rng.choice(data.DECISION_REASONS[outcome])}, decision_aad(story.code)
        )
        pk = batch.identificationdecision.add(
            at=at,
            case_id=story.case_id,
            procedure_id=procedure_id,
            kind=kind,
            outcome=outcome,
            legal_basis=DEFAULT_LEGAL_BASIS,
            decided_at=at,
            decided_by_id=world.decider_id,
            organisation_id=world.centre.pk,
            supersedes_id=supersedes,
            data_key_id=key_id,
            ciphertext=blob,
        )
        for form in sorted(set(forms)):
            batch.decisionform.add(decision_id=pk, form=form)
        batch.event(story, "decision_issued", at, {"outcome": outcome, "kind": kind}, world.centre,
                    actor=world.decider_id)  # fmt: skip
        return pk

    def _review(self, batch: Batch, rng: random.Random, story: Story, current: tuple[int, str],
                end: dt.datetime) -> None:  # fmt: skip
        """A review confirms the identification and corrects its forms (never on a closed case)."""
        decided = story.ms[S.IDENTIFIED]
        at = decided + dt.timedelta(days=rng.uniform(10, 120))
        if at >= end - dt.timedelta(hours=1):
            return
        forms = [f for f in story.forms if f != ExploitationForm.UNKNOWN] or [ExploitationForm.LABOUR]
        extra = {"labour": "forced_labour", "sexual": "pornography", "begging": "criminality"}.get(forms[0])
        self._decision(batch, rng, story, at, DecisionOutcome.IDENTIFIED, DecisionKind.REVIEW,
                       [*forms, extra] if extra else forms, story.procedure_id, current[0])  # fmt: skip

    # ---- children ----

    def _child(self, batch: Batch, rng: random.Random, story: Story, referred: dt.datetime) -> None:
        """Age assessment where the age is uncertain; the centre for social work's guardian."""
        world, centre = self.world, self.world.centre
        csw = world.local(story.region, "csw")
        opened = story.opened_at
        end = story.path[-1][1] if story.closed else world.horizon
        person = story.person
        if person.birth_year is None and rng.random() < SHARE_AGE_ASSESSED:
            outcome = rng.choices(AGE_OUTCOMES, weights=(65, 10, 25))[0]
            # An adult is found early (before a guardian); the others within the deadline of a month.
            days = rng.randint(1, 2) if outcome == AgeOutcome.ADULT else rng.randint(2, 28)
            day = world.day(opened) + dt.timedelta(days=days)
            if day <= world.today:
                org = csw if csw is not None and rng.random() < 0.6 else centre
                when = world.at(rng, day, after=opened)
                if when < end:
                    batch.ageassessment.add(at=when, case_id=story.case_id, assessed_on=day,
                                            method=rng.choice(AGE_METHODS), outcome=outcome,
                                            organisation_id=org.pk)  # fmt: skip
                    batch.event(story, "age_assessed", when, {"outcome": outcome}, org)
                    if outcome == AgeOutcome.ADULT:
                        story.is_child = False
                        story.version += 1
                        return
        if csw is None:
            return
        due = world.due(opened, world.guardian_due)
        if rng.random() < SHARE_GUARDIAN:
            asked = max(opened, referred - dt.timedelta(hours=rng.uniform(0, 30))) + dt.timedelta(hours=1)
            answered = asked + dt.timedelta(hours=rng.uniform(2, 60 if rng.random() < 0.9 else 200))
            if answered < end:
                self.referral(batch, rng, story, purpose=ReferralPurpose.GUARDIANSHIP, sender=centre, to=csw,
                              at=asked, answer=ReferralStatus.ACCEPTED, answered=answered)  # fmt: skip
                if answered > due:
                    self._guardian_overdue(batch, story, due)
                batch.guardianappointment.add(at=answered, case_id=story.case_id, organisation_id=csw.pk,
                                              appointed_on=world.day(answered))  # fmt: skip
                batch.event(story, "guardian_appointed", answered, {"org": csw.name}, csw)
                story.guardian = csw
                return
        if not story.closed and due < world.horizon:
            self._guardian_overdue(batch, story, due)

    def _guardian_overdue(self, batch: Batch, story: Story, due: dt.datetime) -> None:
        """guardian_alerts: the timer's notice, once, after the deadline passed without a guardian."""
        at = min(due + dt.timedelta(minutes=30), self.world.horizon)
        batch.event(story, "guardian_overdue", at, {"date": self.world.day(due).isoformat()}, None)


def _ended(batch: Batch, at: dt.datetime | None, reason: str) -> tuple[Any, ...]:
    """The involvement just added, ended (the last row of the table): a declined or withdrawn
    referral takes back the access it granted."""
    table = batch.involvement
    row = list(table.rows[-1])
    row[table.names.index("ended_at")] = at
    row[table.names.index("end_reason")] = reason
    row[table.names.index("updated_at")] = at
    row[table.names.index("version")] = 2
    return tuple(row)
