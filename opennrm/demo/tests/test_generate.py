"""The bulk generator writes the rows the services would write, with one audit entry in all: consistent
per table, readable by the app's own code (decryption, lookups, policy, pages), and a second run tops up."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from opennrm import policy
from opennrm.accounts.models import Organisation, OrganisationType, User
from opennrm.accounts.roles import RoleCode
from opennrm.accounts.services import token_create
from opennrm.assistance.models import (
    OPEN_SERVICE_STATUSES,
    AssistancePlan,
    AssistanceService,
    CaseClosure,
    FollowUp,
    ReintegrationPlan,
    service_sensitivity,
)
from opennrm.assistance.services import SERVICE_PROVIDERS, mentions_non_cooperation
from opennrm.audit.models import AuditEvent
from opennrm.cases.models import (
    Case,
    CaseNote,
    CaseTask,
    Incident,
    Involvement,
    TimelineEvent,
    note_aad,
)
from opennrm.core import crypto
from opennrm.demo import services as demo_services
from opennrm.demo.generator import FACILITIES, FACILITY_PREFIX, generate
from opennrm.demo.generator.intake import Intake, digests
from opennrm.demo.generator.tables import key_checks, missing_keys
from opennrm.demo.generator.world import DECIDER, MODELS, World
from opennrm.identification.models import (
    IdentificationDecision,
    ProcedureRecord,
    Referral,
    Screening,
    ScreeningAnswer,
    decision_aad,
    procedure_record_aad,
)
from opennrm.intake.models import PublicReport, public_report_aad
from opennrm.lib import clock
from opennrm.lib.dates import local_today, local_tz
from opennrm.people.identity import clean_identity, lookup_digests
from opennrm.people.models import Person, PersonIdentity, PersonLookup
from opennrm.people.selectors import identities_for_list, identity_read, person_ids_matching
from opennrm.people.services import clean_attributes
from opennrm.protection import risk
from opennrm.protection.models import RiskAnswer, RiskAssessment, RiskFactor
from opennrm.residence.models import ResidencePermit
from opennrm.shelters import selectors as shelter_selectors
from opennrm.shelters.models import Facility, FacilitySpecialisation, Placement
from opennrm.testing import login_verified
from opennrm.testing import user as make_user

CODE = re.compile(r"RS-(?:C-|I-)?(\d{4})-\d{6}")


def _generate(persons: int, seed: int, batch_size: int = 5000) -> None:
    call_command("generate", persons=persons, batch_size=batch_size, seed=seed, stdout=io.StringIO())


def _case_manager() -> User:
    return make_user("cm", RoleCode.CENTRE_CASE_MANAGER, Organisation.objects.get(code="centre"))


@pytest.mark.django_db
def test_generate_writes_consistent_rows_with_one_audit_entry():
    audit_before = AuditEvent.objects.count()
    _generate(200, seed=3, batch_size=70)

    persons, cases = Person.objects.count(), Case.objects.count()
    assert persons == 200 and PersonIdentity.objects.count() == 200
    # A few persons come back in a second case (trafficked again); every person has a case.
    per_person = Counter(Case.objects.values_list("person_id", flat=True))
    assert len(per_person) == persons and max(per_person.values()) <= 2
    assert cases == persons + sum(1 for n in per_person.values() if n == 2)
    assert Incident.objects.count() >= 1 and not Incident.objects.filter(cases__isnull=True).exists()

    # Every case: its incident, the Centre involved as identifying body, one opening, one note, one
    # review task, a timeline whose last status change is the case's status.
    assert not Case.objects.filter(incident__isnull=True).exists()
    centre = Organisation.objects.get(code="centre")
    centre_cases = Involvement.objects.active().filter(organisation=centre, role="identifying_body")
    assert set(centre_cases.values_list("case_id", flat=True)) == set(
        Case.objects.values_list("id", flat=True)
    )
    for kind in ("case_opened", "person_registered"):
        opened = TimelineEvent.objects.filter(kind=kind).values("case_id").annotate(n=Count("id"))
        assert {r["case_id"]: r["n"] for r in opened} == dict.fromkeys(
            Case.objects.values_list("id", flat=True), 1
        )
    assert CaseNote.objects.count() == CaseTask.objects.filter(title="Review the new report").count() == cases
    last_status: dict[int, str] = {}
    for case_id, new in (
        TimelineEvent.objects.filter(kind="status_changed")
        .order_by("at", "id")
        .values_list("case_id", "params__new")
    ):
        last_status[case_id] = new
    for case in Case.objects.all():
        assert last_status.get(case.id, "reported") == case.status, case.code
        assert case.opened_at <= case.status_changed_at <= timezone.now()
        assert (case.closed_at is not None) == (case.status == "closed")
    # Nothing of the generation lies in the future; involvements end after they start (a constraint).
    assert not TimelineEvent.objects.filter(at__gt=timezone.now()).exists()

    # Codes: unique, of the year the row was opened in.
    tz = local_tz()
    for model, stamp in ((Person, "created_at"), (Case, "opened_at"), (Incident, "created_at")):
        rows = list(model.objects.values_list("code", stamp))
        assert len({code for code, _at in rows}) == len(rows)
        for code, at in rows:
            match = CODE.fullmatch(code)
            assert match and int(match[1]) == at.astimezone(tz).year, code

    # The rows each table got are what the run reports; one audit entry for the whole run.
    generated = AuditEvent.objects.get(object_type="generated_data")
    assert generated.detail["persons"] == 200 and generated.detail["cases"] == cases
    for model, _own_ids in MODELS:
        assert generated.detail["rows"].get(model._meta.db_table, 0) == model.objects.count(), model
    # Organisations are created through the audited service; the rows themselves are not audited one by one.
    assert AuditEvent.objects.count() - audit_before < 40
    # Outside demo mode the one account is the decider's: inactive, without a usable password.
    decider = User.objects.get()
    assert decider.username == DECIDER and not decider.is_active and not decider.has_usable_password()
    assert IdentificationDecision.objects.exclude(decided_by=decider).count() == 0


@pytest.mark.django_db
def test_encrypted_rows_decrypt_through_the_apps_own_code_and_lookups_find_the_person():
    _generate(150, seed=5)
    manager = _case_manager()

    persons = list(Person.objects.all())
    identities = identities_for_list(user=manager, persons=persons)
    assert len(identities) == len(persons)
    for person in persons[:40]:
        identity = identity_read(user=manager, person=person)
        assert identity is not None and identity["given_names"] and identity["family_names"]
        stored = set(PersonLookup.objects.filter(person=person).values_list("kind", "digest"))
        assert stored == lookup_digests(identity), person.code
        assert person.pk in person_ids_matching(f"{identity['given_names']} {identity['family_names']}")
        if identity["birth_date"]:
            assert person.pk in person_ids_matching(identity["birth_date"])

    codes = dict(Case.objects.values_list("id", "code"))
    for note in CaseNote.objects.all():
        assert crypto.decrypt(note.data_key_id, note.ciphertext, aad=note_aad(codes[note.case_id]))["text"]
    for record in ProcedureRecord.objects.select_related("procedure"):
        aad = procedure_record_aad(codes[record.procedure.case_id])
        assert crypto.decrypt(record.data_key_id, record.ciphertext, aad=aad)["text"]
    for decision in IdentificationDecision.objects.all():
        aad = decision_aad(codes[decision.case_id])
        assert crypto.decrypt(decision.data_key_id, decision.ciphertext, aad=aad)["reasons"]
    reports = list(PublicReport.objects.all())
    assert reports
    for report in reports:
        assert "text" in crypto.decrypt(
            report.data_key_id, report.ciphertext, aad=public_report_aad(report.code)
        )


@pytest.mark.django_db
def test_the_drawn_persons_are_what_the_services_would_accept_and_index():
    demo_services.organisations_ensure()
    world = World(
        orgs=list(Organisation.objects.filter(is_active=True)),
        centre=Organisation.objects.get(code="centre"),
        facilities=[],
    )
    _incidents, drafts = Intake(world).draw(random.Random(8), 400)
    assert len(drafts) >= 400
    today = clock.today()
    for draft in drafts:
        assert clean_attributes(draft.attrs) == draft.attrs
        assert clean_identity(draft.identity, today=today) == draft.identity
        assert digests(draft.identity) == lookup_digests(draft.identity)


@pytest.mark.django_db
def test_each_involved_organisation_sees_its_cases_and_no_other():
    _generate(300, seed=4)
    manager = _case_manager()
    assert policy.visible_cases(manager).count() == Case.objects.count()

    # The police organisation with the most cases: exactly its actively involved cases.
    police = (
        Organisation.objects.filter(type=OrganisationType.POLICE)
        .annotate(n=Count("involvements"))
        .order_by("-n", "id")
        .first()
    )
    investigator = make_user("inv", RoleCode.POLICE_INVESTIGATOR, police)
    involved = set(Involvement.objects.active().filter(organisation=police).values_list("case_id", flat=True))
    assert involved
    assert set(policy.visible_cases(investigator).values_list("id", flat=True)) == involved
    own = Case.objects.filter(id__in=involved).first()
    other = Case.objects.exclude(id__in=involved).first()
    assert policy.case_access(investigator, own).visible
    assert not policy.case_access(investigator, other).visible


@pytest.mark.django_db
def test_a_generated_case_page_and_the_case_api_answer_the_centre_case_manager():
    _generate(200, seed=6)
    manager = _case_manager()
    client = Client()
    login_verified(client, manager)
    # A case with a long history, a child's case and a foreign person's case.
    closed = Case.objects.filter(status="closed").annotate(n=Count("timeline")).order_by("-n").first()
    child = Case.objects.filter(is_child=True).first()
    foreign = Case.objects.exclude(person__citizenship__in=("", "RS")).first()
    for case in (closed, child, foreign):
        assert case is not None
        response = client.get(f"/cases/{case.code}/")
        assert response.status_code == 200, case.code
        assert case.code in response.content.decode()
    assert client.get(f"/persons/{closed.person.code}/").status_code == 200

    _token, secret = token_create(actor=None, user=manager, name="test")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = api.get("/api/v1/cases/")
    assert response.status_code == 200
    assert response.json()["results"]
    assert api.get(f"/api/v1/cases/{closed.code}/").status_code == 200


@pytest.mark.django_db
def test_generate_refuses_in_production_mode(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        _generate(10, seed=1)
    assert not Person.objects.exists()


# ---- after identification: facilities, placements, assistance, protection, residence, closure ----


def _victim_case_ids() -> set[int]:
    """Cases that reached reasonable grounds (their timeline passed through presumed victim)."""
    return set(
        TimelineEvent.objects.filter(kind="status_changed", params__new="presumed_victim").values_list(
            "case_id", flat=True
        )
    )


@pytest.mark.django_db
def test_generate_writes_what_follows_identification_as_the_services_would():
    _generate(1000, seed=11, batch_size=400)
    today = local_today()
    victims = _victim_case_ids()

    # Screenings answered on a real set, referrals answered or pending.
    assert Screening.objects.count() > 100
    assert ScreeningAnswer.objects.count() > Screening.objects.count()
    assert {r.status for r in Referral.objects.all()} >= {"pending", "accepted", "declined"}

    # About forty facilities over several operators and kinds, with specialisations and licences.
    generated = Facility.objects.filter(code__startswith=FACILITY_PREFIX)
    assert generated.count() == FACILITIES
    assert generated.values("operator").distinct().count() >= 5
    assert generated.values("kind").distinct().count() == 4
    assert all(4 <= f.beds_adults <= 20 and 0 <= f.beds_children <= 10 for f in generated)
    assert FacilitySpecialisation.objects.filter(facility__in=generated).count() >= FACILITIES
    assert generated.filter(licence_valid_until__lt=today).exists()  # lapsed
    assert generated.filter(
        licence_valid_until__gte=today, licence_valid_until__lte=today + dt.timedelta(days=30)
    ).exists()

    # Placements: history for victims only; current residents never more than the beds.
    placements = Placement.objects.all()
    assert placements.filter(status="ended").count() > 50
    assert placements.filter(status="placed").exists()
    assert set(placements.values_list("case_id", flat=True)) <= victims
    for f in shelter_selectors.with_occupancy(Facility.objects.all()):
        assert f.free_adults >= 0 and f.free_children >= 0, f.code
    for p in placements.exclude(status="waiting").select_related("involvement", "facility"):
        assert p.involvement is not None and p.involvement.role == "shelter"
        assert p.involvement.organisation_id == p.facility.operator_id
        assert (p.involvement.ended_at is None) == (p.status == "placed")
    assert not placements.filter(status="placed", case__status="closed").exists()

    # Plans and services: providers of an allowed type, the service's class, consistent dates.
    assert AssistancePlan.objects.count() > 0.6 * len(victims)
    assert set(AssistancePlan.objects.values_list("case_id", flat=True)) <= victims
    services = list(AssistanceService.objects.select_related("provider", "involvement", "case"))
    assert {s.status for s in services} == {
        "requested",
        "accepted",
        "in_progress",
        "completed",
        "refused_by_person",
        "declined_by_provider",
    }
    for s in services:
        assert s.provider.type in SERVICE_PROVIDERS[s.service_type]
        assert s.sensitivity == service_sensitivity(s.service_type)
        assert s.requested_on <= today and (s.ended_on is None or s.ended_on <= today)
        assert (s.involvement is not None) == (s.data_consent == "case_file")
        if s.involvement is not None:
            assert s.involvement.sensitivity == s.sensitivity
            assert (s.involvement.ended_at is None) == (s.status in OPEN_SERVICE_STATUSES)
        if s.case.status == "closed":
            assert s.status not in OPEN_SERVICE_STATUSES
        assert s.non_cooperation_flag == mentions_non_cooperation(s.reason)

    # Reintegration with follow-ups, some of them overdue in open cases.
    assert ReintegrationPlan.objects.exists()
    overdue = FollowUp.objects.filter(done_on__isnull=True, due_on__lt=today)
    assert overdue.exclude(case__status="closed").exists()
    assert not overdue.filter(case__status="closed").exists()
    assert not FollowUp.objects.filter(done_on__gt=today).exists()

    # Risk: every factor answered, the level from the rule (or raised above it, with reasons).
    assessments = list(RiskAssessment.objects.prefetch_related("answers"))
    assert len(assessments) > 0.3 * len(victims)
    for a in assessments:
        answers = {x.factor: x.answer for x in a.answers.all()}
        assert set(answers) == set(RiskFactor.values)
        assert a.computed_level == risk.assess(answers).level
        assert a.level == a.computed_level or a.raised_reason
        assert a.reassess_by > a.assessed_on
    assert RiskAnswer.objects.count() == len(assessments) * len(RiskFactor.values)
    assert RiskAssessment.objects.filter(reassess_by__lt=today).exists()
    # Exactly the newest assessment of each assessed case is current (the reassessment queue reads it).
    newest: dict[int, RiskAssessment] = {}
    for a in sorted(assessments, key=lambda a: (a.assessed_on, a.pk)):
        newest[a.case_id] = a
    assert {a.pk for a in assessments if a.is_current} == {a.pk for a in newest.values()}
    assert len(newest) < len(assessments)  # some cases were reassessed

    # Residence permits for some foreign persons only, some of them renewals.
    permits = ResidencePermit.objects.select_related("case__person")
    assert permits.exists() and permits.filter(renewal_of__isnull=False).exists()
    assert all(p.case.person.citizenship not in ("", "RS") for p in permits)

    # Every closed case was closed on an approved closure; a few wait for review, with nothing open.
    closed = Case.objects.filter(status="closed")
    assert CaseClosure.objects.filter(status="approved").count() == closed.count()
    pending = CaseClosure.objects.filter(status="requested")
    assert pending.exists()
    for c in pending.select_related("case"):
        assert c.case.status == "assisted"
        assert not c.case.placements.filter(status="placed").exists()
        assert not c.case.assistance_services.filter(status__in=OPEN_SERVICE_STATUSES).exists()


@pytest.mark.django_db
def test_a_second_run_tops_up_without_collisions_and_keeps_what_was_there():
    _generate(400, seed=1)
    first_cases = set(Case.objects.values_list("id", flat=True))
    before = {
        model: set(model.objects.values_list("id", "case_id"))
        for model in (Placement, AssistanceService, RiskAssessment, CaseClosure, Involvement)
    }
    facilities = set(Facility.objects.values_list("id", "version"))

    _generate(400, seed=1)  # the same seed again: the same draws, yet new codes and ids

    assert Person.objects.count() == 800
    for model in (Person, Case, Incident, PublicReport):
        codes = list(model.objects.values_list("code", flat=True))
        assert len(codes) == len(set(codes)), model
    assert set(Facility.objects.values_list("id", "version")) == facilities
    assert Facility.objects.filter(code__startswith=FACILITY_PREFIX).count() == FACILITIES
    for model, rows in before.items():
        now = set(model.objects.values_list("id", "case_id"))
        assert rows <= now, model  # nothing of the first run changed or went
        assert now - rows and all(case_id not in first_cases for _id, case_id in now - rows), model
    assert AuditEvent.objects.filter(object_type="generated_data").count() == 2
    assert User.objects.filter(username=DECIDER).count() == 1
    # The top-up counted the residents already placed: no facility holds more than its beds.
    for f in shelter_selectors.with_occupancy(Facility.objects.all()):
        assert f.free_adults >= 0 and f.free_children >= 0, f.code


@pytest.mark.django_db
def test_generate_is_callable_directly_and_reports_its_rows():
    demo_services.organisations_ensure()
    result = generate(persons=50, seed=2, batch_size=20)
    assert result.persons == 50 and result.cases == Case.objects.count()
    assert result.rows["cases_timelineevent"] == TimelineEvent.objects.count()
    assert result.keys_checked_at_end == (connection.vendor == "postgresql")


@pytest.mark.django_db
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="foreign keys checked at the end on PostgreSQL only"
)
def test_the_check_at_the_end_finds_a_row_that_names_nothing():
    _generate(20, seed=9)
    since = {
        TimelineEvent._meta.db_table: TimelineEvent.objects.order_by("-id").values_list("id", flat=True)[0]
    }
    assert missing_keys([TimelineEvent], since) == []
    key_checks(on=False)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO cases_timelineevent (case_id, at, kind, params, sensitivity) "
                "VALUES (%s, now(), 'note_added', '{}', 'general')",
                [Case.objects.order_by("-id").values_list("id", flat=True)[0] + 1000],
            )
    finally:
        key_checks(on=True)
    assert missing_keys([TimelineEvent], since) == ["cases_timelineevent.case_id (1 rows)"]
