"""The facility pages, the coordinator's occupancy page and the accommodation section of the case page."""

from __future__ import annotations

import datetime as dt

import pytest

from opennrm.accounts.roles import RoleCode
from opennrm.lib import clock
from opennrm.shelters import services
from opennrm.shelters.models import Facility, Placement, PlacementStatus
from opennrm.shelters.tests.conftest import make_facility
from opennrm.testing import login_verified


@pytest.mark.django_db
def test_the_case_page_shows_the_section_and_its_form_the_free_beds(client, world, manager, atina_house):
    login_verified(client, manager)
    place = f"/cases/{world.own_case.code}/placements/"
    page = client.get(f"/cases/{world.own_case.code}/").content.decode()
    assert "Accommodation" in page and f'hx-get="{place}"' in page and f'href="{place}"' in page
    # The form comes when the section is opened: a fragment for htmx, a page of its own without it.
    fragment = client.get(place, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and f'action="{place}"' in fragment
    assert "Safe House atina-house (Beograd) — free: 2 for adults, 1 for children" in fragment
    assert "Override with written reasons" not in fragment
    assert "<html" in client.get(place).content.decode()


@pytest.mark.django_db
def test_the_centre_head_is_offered_the_override(client, world, head, atina_house):
    login_verified(client, head)
    form = client.get(f"/cases/{world.own_case.code}/placements/", HTTP_HX_REQUEST="true").content.decode()
    assert "Override with written reasons" in form


@pytest.mark.django_db
def test_placing_from_the_case_page(client, world, manager, atina_house):
    login_verified(client, manager)
    response = client.post(
        f"/cases/{world.own_case.code}/placements/",
        {"facility": "atina-house", "placed_on": clock.today().isoformat(), "accompanying_children": "0"},
    )
    assert response.status_code == 302 and response["Location"] == f"/cases/{world.own_case.code}/"
    assert world.own_case.placements.get().status == PlacementStatus.PLACED
    body = client.get(response["Location"]).content.decode()
    assert "Placed." in body and "Record the departure" in body and "Move to another facility" in body


@pytest.mark.django_db
def test_a_refusal_is_shown_with_its_reasons(client, world, manager, atina_house):
    atina_house.beds_adults = 0
    atina_house.save()
    login_verified(client, manager)
    response = client.post(
        f"/cases/{world.own_case.code}/placements/",
        {"facility": "atina-house", "placed_on": clock.today().isoformat()},
        follow=True,
    )
    assert (
        "Safe House atina-house cannot take this person: no free bed for an adult."
        in response.content.decode()
    )
    assert not Placement.objects.exists()


@pytest.mark.django_db
def test_a_prosecutor_sees_the_placement_but_cannot_place(client, world, manager, atina_house):
    services.placement_place(user=manager, case=world.own_case, facility=atina_house)
    prosecutor = world.users[RoleCode.PROSECUTOR]
    login_verified(client, prosecutor)
    body = client.get(f"/cases/{world.own_case.code}/").content.decode()
    assert "Safe House atina-house" in body and "Place in a facility" not in body
    response = client.post(f"/cases/{world.own_case.code}/placements/", {"facility": "atina-house"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_shelter_staff_record_a_departure_and_lose_the_case(client, world, manager):
    staff = world.users[RoleCode.SHELTER_STAFF]
    # The shelter is involved only through the placement.
    world.own_case.involvements.filter(organisation=world.orgs["shelter"]).delete()
    house = make_facility(world.orgs["shelter"], "own-house")
    placement = services.placement_place(user=manager, case=world.own_case, facility=house)
    login_verified(client, staff)
    response = client.post(
        f"/cases/{world.own_case.code}/placements/{placement.pk}/exit/",
        {"version": placement.version, "ended_on": clock.today().isoformat(), "destination": "family"},
    )
    assert response.status_code == 302 and response["Location"] == "/facilities/"
    assert client.get(f"/cases/{world.own_case.code}/").status_code == 404


@pytest.mark.django_db
def test_the_facility_list_warns_of_a_licence_ending(client, world, manager):
    make_facility(world.orgs["atina"], "ending", licence_valid_until=clock.today() + dt.timedelta(days=10))
    make_facility(
        world.orgs["atina"],
        "lapsed",
        licence_valid_from=dt.date(2019, 1, 1),
        licence_valid_until=dt.date(2020, 1, 1),
    )
    login_verified(client, manager)
    body = client.get("/facilities/").content.decode()
    assert "Licence ends within 30 days." in body and "Licence lapsed or missing" in body
    body = client.get("/facilities/?sex=female&children=0").content.decode()
    assert "Safe House ending" in body and "Safe House lapsed" not in body


@pytest.mark.django_db
def test_the_facility_page_shows_residents_only_by_visible_case_codes(client, world, manager, atina_house):
    services.placement_place(user=manager, case=world.own_case, facility=atina_house)
    login_verified(client, manager)
    body = client.get("/facilities/atina-house/").content.decode()
    assert world.own_case.code in body and "Occupancy by month" in body
    login_verified(client, world.users[RoleCode.NATIONAL_COORDINATOR])
    body = client.get("/facilities/atina-house/").content.decode()
    assert world.own_case.code not in body and "a case you do not see" in body
    login_verified(client, world.users[RoleCode.PROSECUTOR])
    assert client.get("/facilities/atina-house/")["Location"] == "/facilities/"


@pytest.mark.django_db
def test_facilities_are_registered_and_edited_by_their_operator(client, world):
    staff = world.users[RoleCode.SHELTER_STAFF]
    login_verified(client, staff)
    response = client.post(
        "/facilities/new/",
        {
            "code": "kuca",
            "name": "Kuća",
            "kind": "ngo_shelter",
            "municipality": "Niš",
            "beds_adults": "3",
            "beds_children": "0",
            "accepts_sex": "any",
            "takes_adults": "on",
            "is_open": "on",
        },
    )
    assert response.status_code == 302
    facility = Facility.objects.get(code="kuca")
    assert facility.operator == world.orgs["shelter"]
    response = client.post(
        "/facilities/kuca/edit/",
        {
            "name": "Kuća",
            "kind": "ngo_shelter",
            "municipality": "Niš",
            "beds_adults": "3",
            "beds_children": "0",
            "accepts_sex": "any",
            "takes_adults": "on",
            "licence_number": "L-1",
            "licence_valid_from": "2025-05-01",
            "licence_valid_until": "2025-04-01",
            "version": "1",
        },
    )
    assert response.status_code == 400
    assert "The end cannot be before the start." in response.content.decode()
    assert Facility.objects.get(code="kuca").version == 1
    login_verified(client, world.users[RoleCode.CENTRE_CASE_MANAGER])
    assert client.get("/facilities/kuca/edit/")["Location"] == "/facilities/kuca/"


@pytest.mark.django_db
def test_the_coordinator_sees_use_over_time_and_overrides_without_cases(client, world, head, atina_house):
    atina_house.beds_adults = 0
    atina_house.save()
    services.placement_place(
        user=head,
        case=world.own_case,
        facility=atina_house,
        override_reason="No other safe place tonight; all other shelters are full.",
    )
    login_verified(client, world.users[RoleCode.NATIONAL_COORDINATOR])
    body = client.get("/facilities/occupancy/").content.decode()
    assert "1 placement was made by an override of the Centre head." in body
    assert "Facility full: 1" in body and "Safe House atina-house" in body
    assert world.own_case.code not in body
    login_verified(client, head)
    assert client.get("/facilities/occupancy/").status_code == 403
