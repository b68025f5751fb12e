"""No child goes back to the family, or is returned abroad, before the centre for social work's family
assessment finds it in the child's best interests (CETS 197 Art. 16(7))."""

from __future__ import annotations

import pytest

from opennrm.accounts.roles import RoleCode
from opennrm.assistance import services as assistance
from opennrm.cases.models import Case, CaseStatus
from opennrm.lib import clock
from opennrm.lib.errors import DomainError, PermissionDenied
from opennrm.protection import selectors, services
from opennrm.shelters import services as shelters
from opennrm.shelters.tests.conftest import make_facility
from opennrm.testing import login_verified


@pytest.fixture
def child(world):
    Case.objects.filter(pk=world.own_case.pk).update(is_child=True, status=CaseStatus.PRESUMED_VICTIM)
    world.own_case.refresh_from_db()
    return world.own_case


@pytest.fixture
def social(world):
    return world.users[RoleCode.SOCIAL_WORKER]  # csw-bg, the child's guardian in the world's case


def _placed(world, case):
    house = make_facility(world.orgs["centre"], "children-house", takes_children=True, beds_children=4)
    return shelters.placement_place(user=world.users[RoleCode.CENTRE_CASE_MANAGER], case=case, facility=house)


@pytest.mark.django_db
def test_a_child_leaves_for_the_family_only_after_a_positive_family_assessment(world, child, social):
    placement = _placed(world, child)
    manager = world.users[RoleCode.CENTRE_CASE_MANAGER]
    with pytest.raises(DomainError) as exc:
        shelters.placement_exit(
            user=manager, placement=placement, expected_version=placement.version, destination="family"
        )
    assert exc.value.field == "destination"
    services.family_assess(user=social, case=child, outcome="return_not_safe")
    assert not selectors.family_return_allowed(child)
    with pytest.raises(DomainError):
        shelters.placement_exit(
            user=manager,
            placement=placement,
            expected_version=placement.version,
            destination="returned_abroad",
        )
    services.family_assess(user=social, case=child, outcome="return_with_conditions")
    placement.refresh_from_db()
    shelters.placement_exit(
        user=manager, placement=placement, expected_version=placement.version, destination="family"
    )


@pytest.mark.django_db
def test_a_childs_safe_return_is_planned_only_after_the_assessment(world, child, social):
    manager = world.users[RoleCode.CENTRE_CASE_MANAGER]

    def request():
        return assistance.service_request(
            user=manager,
            case=child,
            service_type="safe_return",
            provider=world.orgs["centre"],
            planned_from=clock.today(),
            data_consent="request_only",
            consent_how="through_guardian",
        )

    with pytest.raises(DomainError) as exc:
        request()
    assert exc.value.field == "service_type"
    services.family_assess(user=social, case=child, outcome="return_safe")
    assert request().service_type == "safe_return"


@pytest.mark.django_db
def test_only_a_centre_for_social_work_assesses_and_only_for_a_child(world, child, social):
    with pytest.raises(PermissionDenied):
        services.family_assess(
            user=world.users[RoleCode.CENTRE_CASE_MANAGER], case=child, outcome="return_safe"
        )
    with pytest.raises(DomainError) as exc:
        services.family_assess(user=social, case=child, outcome="maybe")
    assert exc.value.field == "outcome"
    Case.objects.filter(pk=child.pk).update(is_child=False)
    child.refresh_from_db()
    with pytest.raises(DomainError):
        services.family_assess(user=social, case=child, outcome="return_safe")
    assert selectors.family_return_allowed(child)  # an adult decides for themselves


@pytest.mark.django_db
def test_the_family_panel_and_api(client, world, child, social):
    login_verified(client, social)
    assert "Return to the family" in client.get(f"/cases/{child.code}/").content.decode()
    r = client.post(
        f"/api/v1/cases/{child.code}/family-assessments/",
        {"outcome": "return_safe"},
        content_type="application/json",
    )
    assert r.status_code == 201
    client.logout()
    login_verified(client, world.users[RoleCode.PROSECUTOR])
    assert client.get(f"/api/v1/cases/{child.code}/family-assessments/").json() == []
