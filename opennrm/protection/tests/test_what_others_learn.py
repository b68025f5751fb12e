"""What a user outside the named staff, or without a sensitivity class, can still learn indirectly:
the shelter's operator in the involvements and the timeline, the facility from refusals and facility
pages, therapy from a provider's involvement or a need, the witness programme from the timeline."""

from __future__ import annotations

import pytest
from django.utils import timezone

from opennrm.accounts.models import OrganisationType
from opennrm.accounts.roles import RoleCode
from opennrm.assistance import selectors as assistance_selectors
from opennrm.assistance import services as assistance
from opennrm.audit.models import AuditEvent
from opennrm.cases import selectors as case_selectors
from opennrm.cases.models import Case, CaseStatus
from opennrm.cases.timeline import describe
from opennrm.lib import clock
from opennrm.lib.errors import DomainError, PermissionDenied
from opennrm.protection import selectors, services
from opennrm.protection.models import RiskFactor
from opennrm.shelters import services as shelters
from opennrm.shelters.tests.conftest import make_facility
from opennrm.testing import login_verified, org, user

HIGH = {**dict.fromkeys(RiskFactor.values, "no"), "trafficker_threats": "yes"}


@pytest.fixture
def case(world):
    Case.objects.filter(pk=world.own_case.pk).update(status=CaseStatus.PRESUMED_VICTIM)
    world.own_case.refresh_from_db()
    return world.own_case


@pytest.fixture
def manager(world):
    return world.users[RoleCode.CENTRE_CASE_MANAGER]


@pytest.fixture
def placed_at_high_risk(world, case, manager):
    house = make_facility(world.orgs["atina"], "atina-house")
    shelters.placement_place(user=manager, case=case, facility=house)
    services.risk_assess(user=manager, case=case, answers=HIGH)  # names the manager
    return house


@pytest.mark.django_db
def test_the_shelter_operator_is_withheld_from_involvements_and_timeline(world, case, placed_at_high_risk):
    head = world.users[RoleCode.CENTRE_HEAD]  # not named
    rows = case_selectors.case_involvements(user=head, case=case)
    atina = [i for i in rows if i.organisation == world.orgs["atina"]]
    assert atina and all(i.withheld for i in atina)
    texts = [describe(e) for e in case_selectors.case_timeline(user=head, case=case)]
    assert not any("Atina" in t for t in texts)
    assert any("withheld" in t for t in texts)
    # The named manager sees it all.
    manager = world.users[RoleCode.CENTRE_CASE_MANAGER]
    assert not any(i.withheld for i in case_selectors.case_involvements(user=manager, case=case))


@pytest.mark.django_db
def test_only_named_staff_place_or_move_at_high_risk(world, case, placed_at_high_risk):
    head = world.users[RoleCode.CENTRE_HEAD]
    other = make_facility(world.orgs["centre"], "other-house")
    with pytest.raises(PermissionDenied):
        shelters.placement_wait(user=head, case=case, facility=placed_at_high_risk)
    with pytest.raises(PermissionDenied):
        shelters.placement_wait(user=head, case=case, facility=other)


@pytest.mark.django_db
def test_a_facility_page_counts_a_withheld_resident_without_describing_them(
    client, world, case, placed_at_high_risk
):
    login_verified(client, world.users[RoleCode.CENTRE_HEAD])
    body = client.get(f"/facilities/{placed_at_high_risk.code}/").content.decode()
    assert case.code not in body and "And 1 resident in a case you do not see." in body
    assert AuditEvent.objects.filter(object_type="facility", object_id=placed_at_high_risk.code).exists()


@pytest.mark.django_db
def test_the_provider_of_safe_accommodation_is_withheld_like_the_facility(world, case, manager):
    services.risk_assess(user=manager, case=case, answers=HIGH)
    assistance.service_request(
        user=manager,
        case=case,
        service_type="safe_accommodation",
        provider=world.orgs["atina"],
        planned_from=clock.today(),
        data_consent="case_file",
        consent_how="written",
    )
    head = world.users[RoleCode.CENTRE_HEAD]
    (service,) = assistance_selectors.services_visible(head, case)
    assert service.provider_withheld
    assert not assistance_selectors.services_visible(manager, case)[0].provider_withheld
    texts = [describe(e) for e in case_selectors.case_timeline(user=head, case=case)]
    assert not any("Atina" in t for t in texts)


@pytest.mark.django_db
def test_a_therapy_provider_and_a_therapy_need_are_not_shown_to_a_prosecutor(world, case, manager):
    clinic = org("clinic", OrganisationType.HEALTH, "Klinika za psihijatriju")
    user("clinician", RoleCode.NGO_CASE_WORKER, clinic)
    assistance.needs_assess(
        user=manager, case=case, needs={"psychological_support": "urgent", "legal_aid": "high"}
    )
    assistance.service_request(
        user=manager,
        case=case,
        service_type="psychological_support",
        provider=clinic,
        planned_from=clock.today(),
        data_consent="case_file",
        consent_how="written",
    )
    prosecutor = world.users[RoleCode.PROSECUTOR]
    assert clinic not in [
        i.organisation for i in case_selectors.case_involvements(user=prosecutor, case=case)
    ]
    (assessment,) = assistance_selectors.needs_visible(prosecutor, case)
    assert [n.service_type for n in assessment.visible_needs] == ["legal_aid"]
    assert clinic in [i.organisation for i in case_selectors.case_involvements(user=manager, case=case)]


@pytest.mark.django_db
def test_the_witness_programme_is_not_named_on_the_timeline(world, case, manager):
    services.measure_add(
        user=manager, case=case, kind="witness_protection", responsible=world.orgs["police-bg"]
    )
    shelter = world.users[RoleCode.SHELTER_STAFF]
    texts = [describe(e) for e in case_selectors.case_timeline(user=shelter, case=case)]
    assert "A protection measure was recorded." in texts
    assert not any("witness" in t.lower() for t in texts)


@pytest.mark.django_db
def test_a_measure_goes_to_an_organisation_involved_in_the_case(world, case, manager):
    with pytest.raises(DomainError) as exc:
        services.measure_add(user=manager, case=case, kind="relocation", responsible=world.orgs["atina"])
    assert exc.value.field == "responsible"


@pytest.mark.django_db
def test_risk_to_reassess_is_listed_only_for_readers_of_security_content(world, case, manager):
    import datetime as dt

    a = services.risk_assess(user=manager, case=case, answers=HIGH)
    later = a.reassess_by + dt.timedelta(days=1)
    assert list(selectors.reassessments_due(manager, on=later)) == [a]
    assert list(selectors.reassessments_due(world.users[RoleCode.PROSECUTOR], on=later)) == []


@pytest.mark.django_db
def test_named_staff_stop_knowing_when_their_organisation_leaves_the_case(world, case, manager):
    import datetime as dt

    from opennrm.cases.models import Involvement

    police = world.users[RoleCode.POLICE_INVESTIGATOR]
    services.risk_assess(user=manager, case=case, answers=HIGH)
    services.staff_name(user=manager, case=case, named=police)
    assert selectors.whereabouts_gate(police, case.person)

    Involvement.objects.filter(case=case, organisation=police.organisation).update(
        started_at=timezone.now() - dt.timedelta(days=1), ended_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert not selectors.whereabouts_gate(police, case.person)


@pytest.mark.django_db
def test_api_reads_of_case_parts_are_audited(client, world, case, manager):
    login_verified(client, manager)
    for part, url in (
        ("risk_assessment", f"/api/v1/cases/{case.code}/risk-assessments/"),
        ("assistance_plan", f"/api/v1/cases/{case.code}/assistance-plan/"),
        ("placement", f"/api/v1/cases/{case.code}/placements/"),
    ):
        assert client.get(url).status_code == 200
        assert AuditEvent.objects.filter(action="read", case_code=case.code, detail__part=part).exists(), part
