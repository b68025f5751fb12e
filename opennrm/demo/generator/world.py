"""What every part of the generator shares: the organisations and rules of the run (``World``), one
case's path as it is being generated (``Story``), and the tables of the batch being built (``Batch``)."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from opennrm.accounts.models import Organisation, OrganisationType, User
from opennrm.accounts.roles import RoleCode
from opennrm.assistance import models as assistance
from opennrm.cases import models as cases
from opennrm.cases.models import CaseStatus
from opennrm.core import crypto, deadlines
from opennrm.core.models import DataKey
from opennrm.demo import data
from opennrm.demo.generator.tables import Ids, Table, dumps, reserver
from opennrm.identification import models as identification
from opennrm.intake import models as intake
from opennrm.lib import clock
from opennrm.people import models as people
from opennrm.protection import models as protection
from opennrm.protection import services as protection_services
from opennrm.residence import models as residence
from opennrm.shelters.models import Facility, Placement

S = CaseStatus

# The account that signs the generated identification decisions (a decision names who decided, and no
# user exists when the generator runs): a Centre head that cannot log in (no usable password, inactive).
DECIDER = "gen-centre-head"

# In the order they are written (parents first; PostgreSQL checks the foreign keys at commit anyway).
# True: the generator assigns the ids (other rows point at these); False: the database numbers them.
MODELS: tuple[tuple[type, bool], ...] = (
    (cases.Incident, True),
    (cases.IncidentForm, False),
    (people.Person, True),
    (people.PersonIdentity, False),
    (people.PersonLookup, False),
    (cases.Case, True),
    (cases.Involvement, True),
    (cases.CaseNote, False),
    (cases.CaseTask, False),
    (identification.Screening, True),
    (identification.ScreeningAnswer, False),
    (identification.Referral, False),
    (identification.IdentificationProcedure, True),
    (identification.ProcedureRecord, False),
    (identification.IdentificationDecision, True),
    (identification.DecisionForm, False),
    (identification.ReflectionPeriod, False),
    (identification.AgeAssessment, False),
    (identification.GuardianAppointment, False),
    (intake.PublicReport, False),
    (Placement, False),
    (assistance.NeedsAssessment, True),
    (assistance.AssessedNeed, False),
    (assistance.AssistancePlan, True),
    (assistance.AssistanceService, False),
    (assistance.CooperationRecord, False),
    (assistance.ReintegrationPlan, True),
    (assistance.FollowUp, False),
    (protection.RiskAssessment, True),
    (protection.RiskAnswer, False),
    (protection.ProtectionMeasure, False),
    (protection.FamilyAssessment, False),
    (residence.ResidencePermit, True),
    (residence.HealthCoverage, False),
    (assistance.CaseClosure, False),
    (cases.TimelineEvent, False),
)


# The timeline's columns in the order ``Batch.event`` gives them (``Table.order`` checks them).
EVENT_COLUMNS = ("case_id", "at", "actor_id", "organisation_id", "kind", "params", "sensitivity")
PARAMS_CACHE = 50_000


class Batch:
    """The tables of one batch; one attribute per model, named after the model (``batch.case``)."""

    def __init__(self) -> None:
        self.tables: list[Table] = []
        for model, own_ids in MODELS:
            table = Table(model, Ids(reserver(model)) if own_ids else None)
            setattr(self, model._meta.model_name, table)
            self.tables.append(table)
        # A third of all rows are timeline events: they are appended as tuples, without ``Table.add``.
        self._events = self.timelineevent.rows
        self._event_order = self.timelineevent.order(*EVENT_COLUMNS)
        self._params: dict[tuple[tuple[str, Any], ...], str] = {}

    def _params_json(self, params: dict[str, Any]) -> str:
        """The params' JSON text; most events repeat a few params (a status change, a risk level)."""
        try:
            key = tuple(params.items())
            text = self._params.get(key)
        except TypeError:  # a list among the values
            return dumps(params)
        if text is None:
            if len(self._params) > PARAMS_CACHE:
                self._params.clear()
            text = self._params[key] = dumps(params)
        return text

    def event(
        self,
        story: Story,
        kind: str,
        at: dt.datetime,
        params: dict[str, Any],
        org: Organisation | None,
        sensitivity: str = "general",
        actor: int | None = None,
    ) -> None:
        # None: a timer wrote it.
        row = (story.case_id, at, actor, org.id if org is not None else None, kind, self._params_json(params),
               sensitivity)  # fmt: skip
        order = self._event_order
        self._events.append(row if order is None else tuple([row[i] for i in order]))

    def status(self, story: Story, old: str, new: str, at: dt.datetime, org: Organisation) -> None:
        self.event(story, "status_changed", at, {"old": old, "new": new}, org)

    def counts(self) -> dict[str, int]:
        return {t.db_table: t.written for t in self.tables if t.written}


@dataclass(slots=True)
class PersonRow:
    """The person's columns that the rules read (facilities, services, residence): never the identity."""

    id: int
    code: str
    sex: str
    citizenship: str
    birth_year: int | None
    age_estimate_min: int | None
    age_estimate_max: int | None
    age_disputed: bool
    interpreter_needed: bool
    languages: list[str]

    is_foreign_national: bool = field(init=False)

    def __post_init__(self) -> None:
        # As ``Person.is_foreign_national``, once (the rules ask it of every case, many times).
        citizenship = (self.citizenship or "").upper()
        self.is_foreign_national = bool(citizenship) and citizenship != settings.COUNTRY_CODE


@dataclass(slots=True)
class Story:
    """One case as it is generated: its path of statuses and what the workflow left on the way. Reads
    like a ``Case`` where a rule takes one (``shelters.rules.person_facts``)."""

    case_id: int
    code: str
    person: PersonRow
    incident_id: int
    forms: list[str]
    region: str
    reporter: Organisation
    source: str
    opened_at: dt.datetime
    path: list[tuple[str, dt.datetime]]
    is_child: bool
    summary: str
    retrafficked: bool = False
    report_code: str = ""
    # Active involvements (organisation id, role): who may be named responsible, who is already there.
    involved: set[tuple[int, str]] = field(default_factory=set)
    version: int = 1
    screening_id: int | None = None
    procedure_id: int | None = None
    # The police investigating (involved since ``police_since``) and the centre for social work that
    # appointed a child's guardian: the organisations later steps may name as responsible.
    police: Organisation | None = None
    police_since: dt.datetime | None = None
    guardian: Organisation | None = None

    @property
    def ms(self) -> dict[str, dt.datetime]:
        """The moment of each status of the path (the last one if a status came twice)."""
        return dict(self.path)

    @property
    def status(self) -> str:
        return self.path[-1][0] if self.path else S.REPORTED

    @property
    def status_changed_at(self) -> dt.datetime:
        return self.path[-1][1] if self.path else self.opened_at

    @property
    def closed(self) -> bool:
        return self.status == S.CLOSED

    @property
    def foreign(self) -> bool:
        return self.person.is_foreign_national

    @property
    def negative(self) -> bool:
        """Reasonable grounds were found, then a decision found the person not to be a victim."""
        ms = self.ms
        return S.PRESUMED_VICTIM in ms and S.NOT_IDENTIFIED in ms and S.IDENTIFIED not in ms

    @property
    def victim(self) -> bool:
        """Reasonable grounds were found and no final negative decision ended them."""
        ms = self.ms
        return S.PRESUMED_VICTIM in ms and (S.NOT_IDENTIFIED not in ms or S.IDENTIFIED in ms)


class World:
    """The organisations, rules and clock of one run, read once."""

    def __init__(self, *, orgs: list[Organisation], centre: Organisation, facilities: list[Facility]):
        self.tz = clock.local_tz()
        self.now = clock.now()
        self.horizon = self.now - dt.timedelta(hours=1)
        self.today = self.horizon.astimezone(self.tz).date()
        self.centre = centre
        self.orgs = orgs
        self.facilities = facilities
        self.by_code = {o.code: o for o in orgs}
        self.by_type: dict[str, list[Organisation]] = defaultdict(list)
        for org in orgs:
            self.by_type[org.type].append(org)
        self.key: DataKey = crypto.active_key()
        self._aead = AESGCM(crypto._key_bytes(self.key.pk))
        self._compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        self.decider_id = decider(centre).pk
        referral = deadlines.rule("referral_response")
        self.referral_due = (referral.amount, referral.unit)
        guardian = deadlines.rule("guardian_appointment")
        self.guardian_due = (guardian.amount, guardian.unit)
        reflection = deadlines.rule("reflection_period")
        self.reflection_days = max(reflection.amount, reflection.minimum or 0, 30)  # as the service does
        self.reflection_basis = reflection.legal_basis
        self.reflection_alert = deadlines.rule("reflection_alert").amount
        epoch = dt.date(2000, 1, 1)
        self.reassess_days = {
            level: (protection_services.reassess_by(level, epoch) - epoch).days
            for level in protection.RiskLevel.values
        }

    # ---- organisations ----

    def local(self, region: str, kind: str) -> Organisation | None:
        """The region's police, prosecution or centre for social work (by the demo's map)."""
        table = {"police": data.REGION_POLICE, "prosecution": data.REGION_PROSECUTION, "csw": data.REGION_CSW}
        code = table[kind].get(region)
        org = self.by_code.get(code or "")
        if org is not None:
            return org
        fallback = {
            "police": OrganisationType.POLICE,
            "prosecution": OrganisationType.PROSECUTION,
            "csw": OrganisationType.SOCIAL_WORK_CENTRE,
        }
        candidates = self.by_type.get(fallback[kind], [])
        return candidates[0] if candidates else None

    # ---- time ----

    def day(self, at: dt.datetime) -> dt.date:
        return at.astimezone(self.tz).date()

    def at(
        self,
        rng: random.Random,
        day: dt.date,
        *,
        after: dt.datetime | None = None,
        before: dt.datetime | None = None,
    ) -> dt.datetime:
        """A moment of working hours on ``day``, not in the future, not after ``before`` (the case's
        closure) and not before ``after`` (the step it follows)."""
        minute = rng.randrange(8 * 60, 18 * 60)
        at = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=self.tz)
        at = min(at, self.horizon if before is None else min(before, self.horizon))
        return max(at, after) if after is not None else at

    @staticmethod
    def between(rng: random.Random, low: dt.date, high: dt.date) -> dt.date:
        if high <= low:
            return low
        return low + dt.timedelta(days=rng.randint(0, (high - low).days))

    def due(self, start: dt.datetime, rule: tuple[int, str]) -> dt.datetime:
        return deadlines.due_after(start, *rule)

    def encrypt(self, value: dict[str, Any], aad: str) -> tuple[int, bytes]:
        """``crypto.encrypt``: the same envelope (a random nonce, then AES-GCM of the compact JSON bound to
        ``aad``) with the data key's cipher and the encoder made once for the run, not on every call."""
        nonce = os.urandom(crypto.NONCE_BYTES)
        return self.key.pk, nonce + self._aead.encrypt(nonce, self._compact(value).encode(), aad.encode())


def decider(centre: Organisation) -> User:
    """The generator's Centre head, created once through the account service (so it is audited)."""
    from opennrm.accounts import services as account_services

    user = User.objects.filter(username=DECIDER).first()
    if user is None:
        user = account_services.user_create(
            actor=None,
            username=DECIDER,
            password=None,
            organisation=centre,
            role_code=RoleCode.CENTRE_HEAD,
            first_name="Generisani",
            last_name="Rukovodilac",
        )
        # No service deactivates an account without an acting administrator; nobody acts here.
        User.objects.filter(pk=user.pk).update(is_active=False)
    return user
