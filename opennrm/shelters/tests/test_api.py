"""The REST API of facilities and placements."""

from __future__ import annotations

import datetime as dt

import pytest

from opennrm.accounts.roles import RoleCode
from opennrm.lib import clock
from opennrm.shelters.models import Placement
from opennrm.shelters.tests.conftest import make_facility
from opennrm.testing import login_verified


def _post(client, url, data):
    return client.post(url, data=data, content_type="application/json")


@pytest.mark.django_db
def test_the_api_lists_facilities_with_free_beds_and_searches(client, world, manager, atina_house):
    make_facility(world.orgs["atina"], "men", accepts_sex="men")
    login_verified(client, manager)
    rows = {r["code"]: r for r in client.get("/api/v1/facilities/").json()}
    assert rows["atina-house"]["free_adults"] == 2 and rows["atina-house"]["licence_valid"] is True
    assert [r["code"] for r in client.get("/api/v1/facilities/?sex=male").json()] == ["men"]
    bad = client.get("/api/v1/facilities/?children=-1")
    assert bad.status_code == 400 and "children" in bad.json()["extra"]["fields"]
    login_verified(client, world.users[RoleCode.PROSECUTOR])
    assert client.get("/api/v1/facilities/").json() == []
    assert client.get("/api/v1/facilities/atina-house/").status_code == 404


@pytest.mark.django_db
def test_the_api_places_waits_moves_and_records_the_exit(client, world, manager, person, atina_house):
    login_verified(client, manager)
    base = f"/api/v1/cases/{world.own_case.code}/placements/"
    response = _post(client, base, {"facility": "atina-house", "accompanying_children": 1})
    assert response.status_code == 201, response.content
    placed = response.json()
    assert placed["status"] == "placed" and placed["facility"]["code"] == "atina-house"
    waiting = _post(
        client, f"/api/v1/cases/{person.code}/placements/", {"facility": "atina-house", "wait": True}
    )
    assert waiting.status_code == 201 and waiting.json()["status"] == "waiting"
    make_facility(world.orgs["atina"], "other", beds_children=2)
    moved = _post(client, f"{base}{placed['id']}/move/", {"facility": "other", "version": placed["version"]})
    assert moved.status_code == 201, moved.content
    new = moved.json()
    assert new["facility"]["code"] == "other" and new["accompanying_children"] == 1
    stale = _post(
        client, f"{base}{new['id']}/exit/", {"version": new["version"] + 5, "destination": "family"}
    )
    assert stale.status_code == 409
    done = _post(client, f"{base}{new['id']}/exit/", {"version": new["version"], "destination": "family"})
    assert done.status_code == 200 and done.json()["status"] == "ended"
    listed = client.get(base).json()
    assert [p["status"] for p in listed] == ["ended", "ended"]


@pytest.mark.django_db
def test_the_api_answers_bad_input_with_field_errors(client, world, manager, atina_house):
    login_verified(client, manager)
    base = f"/api/v1/cases/{world.own_case.code}/placements/"
    future = (clock.today() + dt.timedelta(days=2)).isoformat()
    response = _post(client, base, {"facility": "atina-house", "placed_on": future})
    assert response.status_code == 422 and "placed_on" in response.json()["extra"]["fields"]
    response = _post(client, base, {"facility": "nowhere"})
    assert response.status_code == 422 and "facility" in response.json()["extra"]["fields"]
    atina_house.beds_adults = 0
    atina_house.save()
    response = _post(client, base, {"facility": "atina-house"})
    body = response.json()
    assert response.status_code == 422 and body["extra"]["reasons"] == ["full_adults"]
    assert "facility" in body["extra"]["fields"]
    assert not Placement.objects.exists()


@pytest.mark.django_db
def test_another_organisations_case_is_not_found(client, world, manager, atina_house):
    login_verified(client, manager)
    response = _post(
        client, f"/api/v1/cases/{world.other_case.code}/placements/", {"facility": "atina-house"}
    )
    assert response.status_code == 404
    assert client.get(f"/api/v1/cases/{world.other_case.code}/placements/").status_code == 404


@pytest.mark.django_db
def test_the_register_is_patched_with_its_version(client, world):
    staff = world.users[RoleCode.SHELTER_STAFF]
    login_verified(client, staff)
    created = _post(
        client,
        "/api/v1/facilities/",
        {
            "code": "kuca",
            "name": "Kuća",
            "kind": "ngo_shelter",
            "municipality": "Niš",
            "beds_adults": 2,
            "beds_children": 0,
        },
    )
    assert created.status_code == 201, created.content
    url = "/api/v1/facilities/kuca/"
    ok = client.patch(url, data={"beds_adults": 3, "version": 1}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["beds_adults"] == 3 and ok.json()["version"] == 2
    stale = client.patch(url, data={"beds_adults": 9, "version": 1}, content_type="application/json")
    assert stale.status_code == 409
    missing = client.patch(url, data={"beds_adults": 9}, content_type="application/json")
    assert missing.status_code == 422 and "version" in missing.json()["extra"]["fields"]
    bad = client.patch(
        url,
        data={
            "licence_number": "L",
            "licence_valid_from": "2025-02-01",
            "licence_valid_until": "2025-01-01",
            "version": 2,
        },
        content_type="application/json",
    )
    assert bad.status_code == 422 and "licence_valid_until" in bad.json()["extra"]["fields"]
    login_verified(client, world.users[RoleCode.CENTRE_CASE_MANAGER])
    assert (
        client.patch(url, data={"beds_adults": 1, "version": 2}, content_type="application/json").status_code
        == 403
    )


@pytest.mark.django_db
def test_the_coordinator_reads_occupancy_counts(client, world, manager, atina_house):
    from opennrm.shelters import services

    services.placement_place(user=manager, case=world.own_case, facility=atina_house)
    login_verified(client, world.users[RoleCode.NATIONAL_COORDINATOR])
    today = clock.today()
    body = client.get(f"/api/v1/facilities/occupancy/?date_from={today}&date_to={today}&by=day").json()
    assert body["rows"] == [
        {
            "facility": "atina-house",
            "period": today.isoformat(),
            "days": 1,
            "adult_bed_days": 1,
            "child_bed_days": 0,
            "capacity_bed_days": 3,
            "rate": 0.333,
        }
    ]
    assert body["overrides"]["total"] == 0
    assert world.own_case.code not in str(body)
    login_verified(client, manager)
    assert client.get("/api/v1/facilities/occupancy/").status_code == 403
