"""The bulk generator writes the rows the services would write, with one audit entry in all."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from opennrm import policy
from opennrm.accounts.models import Organisation, User
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
from opennrm.cases.models import Case, CaseNote, Incident, Involvement, TimelineEvent
from opennrm.core import crypto
from opennrm.demo.generator import FACILITIES, FACILITY_PREFIX
from opennrm.lib.dates import local_today
from opennrm.people.models import Person, PersonIdentity, PersonLookup
from opennrm.people.selectors import person_ids_matching
from opennrm.protection import risk
from opennrm.protection.models import RiskAnswer, RiskAssessment, RiskFactor
from opennrm.residence.models import ResidencePermit
from opennrm.shelters import selectors as shelter_selectors
from opennrm.shelters.models import Facility, FacilitySpecialisation, Placement
from opennrm.testing import user as make_user


@pytest.mark.django_db
def test_generate_writes_persons_cases_and_encrypted_identities_with_one_audit_entry():
    audit_before = AuditEvent.objects.count()
    call_command("generate", persons=120, batch_size=50, seed=3, stdout=io.StringIO())

    assert Person.objects.count() == Case.objects.count() == 120
    assert PersonIdentity.objects.count() == 120
    assert Incident.objects.exists() and PersonLookup.objects.count() > 120
    assert TimelineEvent.objects.filter(kind="case_opened").count() == 120
    # Created without users outside demo mode.
    assert Organisation.objects.filter(code="centre").exists() and not User.objects.exists()
    generated = AuditEvent.objects.filter(object_type="generated_data")
    assert generated.count() == 1 and generated.get().detail["persons"] == 120
    # Organisations are created through the audited service; the rows themselves are not audited one by one.
    assert AuditEvent.objects.count() - audit_before < 40

    case = Case.objects.select_related("person").first()
    row = PersonIdentity.objects.get(person=case.person)
    identity = crypto.decrypt(row.data_key_id, row.ciphertext, aad=case.person.code)
    assert case.person_id in person_ids_matching(f"{identity['given_names']} {identity['family_names']}")
    note = CaseNote.objects.filter(case=case).get()
    assert crypto.decrypt(note.data_key_id, note.ciphertext, aad=f"note:{case.code}")["text"]
    assert Involvement.objects.filter(
        case=case, organisation__code="centre", role="identifying_body"
    ).exists()


@pytest.mark.django_db
def test_the_centre_sees_every_generated_case():
    call_command("generate", persons=30, seed=4, stdout=io.StringIO())
    casemanager = make_user("cm", "centre_case_manager", Organisation.objects.get(code="centre"))
    assert policy.visible_cases(casemanager).count() == 30


@pytest.mark.django_db
def test_generate_refuses_in_production_mode(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("generate", persons=10, stdout=io.StringIO())
    assert not Person.objects.exists()


# ---- after identification: facilities, placements, assistance, protection, residence, closure ----

VICTIM_STATUSES = {"presumed_victim", "identified", "assisted"}


def _victim_case_ids() -> set[int]:
    """Cases that reached reasonable grounds: open ones in a victim status, closed ones whose
    timeline passed through presumed victim."""
    open_ = set(Case.objects.filter(status__in=VICTIM_STATUSES).values_list("id", flat=True))
    closed = set(
        TimelineEvent.objects.filter(
            kind="status_changed", params__new="presumed_victim", case__status="closed"
        ).values_list("case_id", flat=True)
    )
    return open_ | closed


@pytest.mark.django_db
def test_generate_writes_what_follows_identification_as_the_services_would():
    call_command("generate", persons=1000, batch_size=400, seed=11, stdout=io.StringIO())
    today = local_today()
    victims = _victim_case_ids()

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
    for p in placements.exclude(status="waiting"):
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

    # No event of the generation lies in the future.
    assert not TimelineEvent.objects.filter(at__gt=timezone.now()).exists()


@pytest.mark.django_db
def test_a_top_up_adds_rows_for_its_new_cases_only_and_keeps_the_facilities():
    call_command("generate", persons=500, seed=1, stdout=io.StringIO())
    first_cases = set(Case.objects.values_list("id", flat=True))
    before = {
        model: set(model.objects.values_list("id", "case_id"))
        for model in (Placement, AssistanceService, RiskAssessment, CaseClosure)
    }
    facilities = set(Facility.objects.values_list("id", "version"))

    call_command("generate", persons=500, seed=501, stdout=io.StringIO())

    assert Case.objects.count() == 1000
    assert set(Facility.objects.values_list("id", "version")) == facilities
    assert Facility.objects.filter(code__startswith=FACILITY_PREFIX).count() == FACILITIES
    for model, rows in before.items():
        now = set(model.objects.values_list("id", "case_id"))
        assert rows <= now, model  # nothing of the first run changed or went
        assert all(case_id not in first_cases for _id, case_id in now - rows), model
    # The top-up counted the residents already placed: no facility holds more than its beds.
    for f in shelter_selectors.with_occupancy(Facility.objects.all()):
        assert f.free_adults >= 0 and f.free_children >= 0, f.code
