"""Residence permits and health coverage through the API and the case page: same rules, clear errors,
and the ground kept from everyone who does not read legal content."""

from __future__ import annotations

import datetime as dt

import pytest

from opennrm.accounts.roles import RoleCode
from opennrm.lib import clock
from opennrm.people.models import Person
from opennrm.residence import services
from opennrm.residence.models import HealthCoverage, ResidencePermit
from opennrm.testing import login_verified


def _client(client, u):
    login_verified(client, u)
    return client


def _granted(manager, case, *, days_left=90):
    today = clock.today()
    permit = services.permit_apply(
        user=manager,
        case=case,
        ground="presumed_victim",
        applied_on=today - dt.timedelta(days=15),
        issuing_authority="PU za grad Beograd",
    )
    return services.permit_decide(
        user=manager,
        permit=permit,
        decision="granted",
        decided_on=today - dt.timedelta(days=10),
        valid_from=today - dt.timedelta(days=10),
        valid_until=today + dt.timedelta(days=days_left),
        expected_version=1,
    )


# --- API ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_apply_decide_renew_and_record_health_coverage(client, world, case, manager):
    c = _client(client, manager)
    today = clock.today().isoformat()
    url = f"/api/v1/cases/{case.code}/residence-permits/"
    r = c.post(
        url,
        {"ground": "presumed_victim", "applied_on": today, "issuing_authority": "PU za grad Beograd"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["decision"] == "pending" and body["ground"] == "presumed_victim" and not body["withheld"]
    until = (clock.today() + dt.timedelta(days=89)).isoformat()
    r = c.post(
        f"{url}{body['id']}/decision/",
        {"decision": "granted", "decided_on": today, "valid_from": today, "valid_until": until, "version": 1},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["valid_until"] == until and r.json()["version"] == 2
    stale = c.post(
        f"{url}{body['id']}/decision/",
        {"decision": "refused", "decided_on": today, "version": 1},
        content_type="application/json",
    )
    assert stale.status_code == 409 and stale.json()["extra"]["fields"]["version"]
    r = c.post(f"{url}{body['id']}/renewal/", {"applied_on": today}, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["renewal_of"] == body["id"] and r.json()["ground"] == "presumed_victim"
    assert [p["id"] for p in c.get(url).json()] == [r.json()["id"], body["id"]]

    cov = f"/api/v1/cases/{case.code}/health-coverage/"
    r = c.post(
        cov,
        {"entitled": True, "basis": "insurance_victims", "from_on": today},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert [row["basis"] for row in c.get(cov).json()] == ["insurance_victims"]


@pytest.mark.django_db
def test_api_bad_input_is_refused_naming_the_field_and_changes_nothing(client, world, case, manager):
    c = _client(client, manager)
    url = f"/api/v1/cases/{case.code}/residence-permits/"
    r = c.post(
        url, {"ground": "tourist", "applied_on": clock.today().isoformat()}, content_type="application/json"
    )
    assert r.status_code == 400 and "ground" in r.json()["extra"]["fields"]
    future = (clock.today() + dt.timedelta(days=3)).isoformat()
    r = c.post(url, {"ground": "victim", "applied_on": future}, content_type="application/json")
    assert r.status_code == 422
    assert r.json()["message"] == "The date cannot be in the future."
    assert "applied_on" in r.json()["extra"]["fields"]
    assert not ResidencePermit.objects.exists()

    permit = services.permit_apply(user=manager, case=case, ground="victim", applied_on=clock.today())
    today = clock.today().isoformat()
    r = c.post(
        f"{url}{permit.pk}/decision/",
        {
            "decision": "granted",
            "decided_on": today,
            "valid_from": today,
            "valid_until": "2020-01-01",
            "version": 1,
        },
        content_type="application/json",
    )
    assert r.status_code == 422 and "valid_until" in r.json()["extra"]["fields"]
    permit.refresh_from_db()
    assert permit.decision == "pending" and permit.version == 1

    # A citizen: the case is named.
    Person.objects.filter(pk=case.person_id).update(citizenship="RS")
    ResidencePermit.objects.all().delete()
    r = c.post(url, {"ground": "victim", "applied_on": today}, content_type="application/json")
    assert r.status_code == 422 and "case" in r.json()["extra"]["fields"]


@pytest.mark.django_db
def test_api_another_organisations_case_or_permit_is_404(client, world, case, manager):
    other = world.other_case
    Person.objects.filter(pk=other.person_id).update(citizenship="AL")
    c = _client(client, manager)
    assert c.get(f"/api/v1/cases/{other.code}/residence-permits/").status_code == 404
    r = c.post(
        f"/api/v1/cases/{other.code}/residence-permits/",
        {"ground": "victim", "applied_on": clock.today().isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 404
    assert c.get(f"/api/v1/cases/{other.code}/health-coverage/").status_code == 404
    # A permit id of another case, under a case the user sees, is not found either.
    foreign_permit = ResidencePermit.objects.create(case=other, ground="victim", applied_on=clock.today())
    r = c.post(
        f"/api/v1/cases/{case.code}/residence-permits/{foreign_permit.pk}/decision/",
        {"decision": "refused", "decided_on": clock.today().isoformat(), "version": 1},
        content_type="application/json",
    )
    assert r.status_code == 404
    foreign_permit.refresh_from_db()
    assert foreign_permit.decision == "pending"


@pytest.mark.django_db
def test_api_a_role_that_may_not_record_gets_403(client, world, case):
    c = _client(client, world.users[RoleCode.POLICE_INVESTIGATOR])
    r = c.post(
        f"/api/v1/cases/{case.code}/residence-permits/",
        {"ground": "victim", "applied_on": clock.today().isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 403 and not ResidencePermit.objects.exists()


@pytest.mark.django_db
def test_a_role_without_legal_content_learns_the_validity_and_never_the_ground(client, world, case, manager):
    permit = _granted(manager, case)
    # The history has a refused renewal too: legal content, like the ground.
    renewal = services.permit_renew(user=manager, permit=permit, applied_on=clock.today())
    services.permit_decide(
        user=manager, permit=renewal, decision="refused", decided_on=clock.today(), expected_version=1
    )
    for role in (RoleCode.SHELTER_STAFF, RoleCode.FIRST_LINE_REPORTER):
        client.logout()
        c = _client(client, world.users[role])
        rows = c.get(f"/api/v1/cases/{case.code}/residence-permits/").json()
        assert len(rows) == 1 and rows[0]["id"] == permit.pk
        assert rows[0]["withheld"] and rows[0]["ground"] is None and rows[0]["issuing_authority"] is None
        assert rows[0]["valid_until"] == permit.valid_until.isoformat()
        assert "presumed_victim" not in str(rows)
        page = c.get(f"/cases/{case.code}/").content.decode()
        assert "Has a valid temporary residence permit until" in page
        assert "presumed victim of trafficking" not in page and "Residence permits" not in page
        assert "Temporary residence permit applied for" not in page  # the legal timeline entries
        assert "refused" not in page
        # Not even through the decision endpoint.
        r = c.post(
            f"/api/v1/cases/{case.code}/residence-permits/{permit.pk}/renewal/",
            {"applied_on": clock.today().isoformat()},
            content_type="application/json",
        )
        assert r.status_code in (403, 404) and "presumed_victim" not in r.content.decode()
    # The prosecutor reads legal content: the ground and the history.
    client.logout()
    c = _client(client, world.users[RoleCode.PROSECUTOR])
    rows = c.get(f"/api/v1/cases/{case.code}/residence-permits/").json()
    assert rows[0]["ground"] == "presumed_victim" and not rows[0]["withheld"]


@pytest.mark.django_db
def test_without_a_permit_in_force_a_school_learns_nothing_of_the_residence(client, world, case, manager):
    services.permit_apply(user=manager, case=case, ground="victim", applied_on=clock.today())
    c = _client(client, world.users[RoleCode.FIRST_LINE_REPORTER])
    assert c.get(f"/api/v1/cases/{case.code}/residence-permits/").json() == []
    page = c.get(f"/cases/{case.code}/").content.decode()
    assert "Residence and health care" in page
    assert "No residence permit in force" not in page and "pending" not in page


@pytest.mark.django_db
def test_health_coverage_is_not_given_to_roles_without_medical_content(client, world, case, manager):
    services.health_coverage_record(
        user=manager, case=case, entitled=True, basis="insurance_victims", from_on=clock.today()
    )
    c = _client(client, world.users[RoleCode.POLICE_INVESTIGATOR])
    assert c.get(f"/api/v1/cases/{case.code}/health-coverage/").json() == []
    client.logout()
    c = _client(client, world.users[RoleCode.SHELTER_STAFF])
    assert len(c.get(f"/api/v1/cases/{case.code}/health-coverage/").json()) == 1


# --- the case page --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_panel_is_shown_for_a_foreign_national_and_not_for_a_citizen(client, world, case, manager):
    c = _client(client, manager)
    page = c.get(f"/cases/{case.code}/").content.decode()
    assert "Residence and health care" in page and "Record an application for a residence permit" in page
    Person.objects.filter(pk=case.person_id).update(citizenship="RS")
    page = c.get(f"/cases/{case.code}/").content.decode()
    assert "Residence and health care" not in page


@pytest.mark.django_db
def test_the_page_posts_apply_decide_renew_and_coverage(client, world, case, manager):
    c = _client(client, manager)
    today = clock.today().isoformat()
    r = c.post(
        f"/cases/{case.code}/residence/permits/",
        {"ground": "presumed_victim", "applied_on": today, "issuing_authority": "PU za grad Beograd"},
        follow=True,
    )
    assert "Application for a residence permit recorded." in r.content.decode()
    permit = ResidencePermit.objects.get()
    until = (clock.today() + dt.timedelta(days=20)).isoformat()
    r = c.post(
        f"/cases/{case.code}/residence/permits/{permit.pk}/decision/",
        {"version": 1, "decision": "granted", "decided_on": today, "valid_from": today, "valid_until": until},
        follow=True,
    )
    page = r.content.decode()
    assert "Decision on the residence permit recorded." in page
    # 20 days left, within the 30-day lead time: a warning.
    assert "The temporary residence permit expires on" in page and "in 20 days" in page
    r = c.post(
        f"/cases/{case.code}/residence/permits/{permit.pk}/renewal/", {"applied_on": today}, follow=True
    )
    assert "Application to renew the residence permit recorded." in r.content.decode()
    assert ResidencePermit.objects.get(renewal_of=permit).decision == "pending"
    r = c.post(
        f"/cases/{case.code}/residence/health-coverage/",
        {"entitled": "yes", "basis": "insurance_victims", "from_on": today},
        follow=True,
    )
    page = r.content.decode()
    assert "Health coverage recorded." in page and "Entitled to free health care from" in page
    assert HealthCoverage.objects.get().entitled


@pytest.mark.django_db
def test_the_page_shows_errors_and_writes_nothing(client, world, case, manager):
    c = _client(client, manager)
    future = (clock.today() + dt.timedelta(days=2)).isoformat()
    r = c.post(
        f"/cases/{case.code}/residence/permits/", {"ground": "victim", "applied_on": future}, follow=True
    )
    assert "The date cannot be in the future." in r.content.decode()
    assert not ResidencePermit.objects.exists()
    r = c.post(
        f"/cases/{case.code}/residence/health-coverage/",
        {"entitled": "yes", "from_on": clock.today().isoformat()},
        follow=True,
    )
    assert "Choose the basis of the entitlement." in r.content.decode()
    assert not HealthCoverage.objects.exists()


@pytest.mark.django_db
def test_a_page_post_by_a_role_that_may_not_record_is_refused(client, world, case):
    c = _client(client, world.users[RoleCode.SHELTER_STAFF])
    r = c.post(
        f"/cases/{case.code}/residence/permits/",
        {"ground": "victim", "applied_on": clock.today().isoformat()},
    )
    assert r.status_code == 403 and not ResidencePermit.objects.exists()
    other = world.other_case
    c = _client(client, world.users[RoleCode.CENTRE_CASE_MANAGER])
    r = c.post(
        f"/cases/{other.code}/residence/permits/",
        {"ground": "victim", "applied_on": clock.today().isoformat()},
    )
    assert r.status_code == 404


@pytest.mark.django_db
def test_an_expired_permit_is_flagged_to_the_coordinator(client, world, case, manager):
    today = clock.today()
    ResidencePermit.objects.create(
        case=case,
        ground="victim",
        applied_on=today - dt.timedelta(days=200),
        decision="granted",
        decided_on=today - dt.timedelta(days=190),
        valid_from=today - dt.timedelta(days=190),
        valid_until=today - dt.timedelta(days=3),
    )
    page = _client(client, manager).get(f"/cases/{case.code}/").content.decode()
    assert "The temporary residence permit expired on" in page


@pytest.mark.django_db
def test_the_interpreter_badge_shows_the_languages(client, world, case):
    Person.objects.filter(pk=case.person_id).update(interpreter_needed=True, languages=["sq", "it"])
    page = _client(client, world.users[RoleCode.SHELTER_STAFF]).get(f"/cases/{case.code}/").content.decode()
    assert "Interpreter needed: sq, it" in page
