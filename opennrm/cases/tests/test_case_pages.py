"""Case pages: registering a person, editing with optimistic locking, sensitivity classes, timeline."""

from __future__ import annotations

import pytest

from opennrm.accounts.roles import RoleCode
from opennrm.cases import services
from opennrm.cases.models import Case, CaseStatus, TimelineEvent
from opennrm.people.models import Person
from opennrm.testing import login_verified

INTAKE = {
    "given_names": "Марија",
    "family_names": "Тестић",
    "age_estimate_min": "15",
    "age_estimate_max": "17",
    "sex": "female",
    "citizenship": "RS",
    "languages": "sr, en",
    "disability": "unknown",
    "incident_title": "A girl selling flowers at night in a bar",
    "municipality": "Niš",
    "country_of_exploitation": "RS",
    "forms_of_exploitation": ["sexual", "begging"],
    "referral_source": "social_welfare",
    "summary": "Seen three nights in a row after midnight.",
}


@pytest.mark.django_db
def test_a_first_line_user_registers_a_person_and_the_centre_sees_it(client, world):
    reporter = world.users[RoleCode.FIRST_LINE_REPORTER]
    login_verified(client, reporter)
    response = client.post("/cases/new/", INTAKE)
    assert response.status_code == 302
    case = Case.objects.order_by("-id").first()
    assert case.is_child  # 15–17: a child (and would be presumed one if the age were uncertain)
    assert response["Location"] == f"/cases/{case.code}/"
    page = client.get(response["Location"]).content.decode()
    assert "Марија" in page and case.code in page
    login_verified(client, world.users[RoleCode.CENTRE_CASE_MANAGER])
    listing = client.get("/cases/", {"q": "Marija Testic"}).content.decode()
    assert case.code in listing
    login_verified(client, world.outsider)
    assert client.get(f"/cases/{case.code}/").status_code == 404
    search = client.get("/cases/", {"q": case.code}).content.decode()
    assert "No cases match." in search and f'href="/cases/{case.code}/"' not in search


@pytest.mark.django_db
def test_an_uncertain_age_that_may_be_under_18_makes_a_child_case(world):
    from opennrm.testing import open_case

    case = open_case(world.users[RoleCode.FIRST_LINE_REPORTER], age_min=16, age_max=22)
    assert case.is_child
    adult = open_case(world.users[RoleCode.FIRST_LINE_REPORTER], age_min=19, age_max=22)
    assert not adult.is_child


@pytest.mark.django_db
def test_bad_intake_input_changes_nothing_and_names_the_field(client, world):
    login_verified(client, world.users[RoleCode.FIRST_LINE_REPORTER])
    before = (Person.objects.count(), Case.objects.count())
    for changes, field_text in [
        ({"given_names": "Mar1ja"}, "letters"),
        ({"given_names": "Маrija"}, "one script"),
        ({"birth_date": "2031-01-01"}, "future"),
        ({"birth_date": "2024-02-30"}, "real date"),
        ({"referral_source": "rumour"}, "valid choice"),
        ({"incident_title": "", "incident_code": ""}, "Describe what was seen"),
        ({"incident_code": "RS-I-2020-999999"}, "No incident with this code"),
    ]:
        response = client.post("/cases/new/", {**INTAKE, **changes})
        assert response.status_code == 400, changes
        assert field_text in response.content.decode(), changes
    assert (Person.objects.count(), Case.objects.count()) == before


@pytest.mark.django_db
def test_a_stale_edit_form_does_not_overwrite_a_newer_change(client, world):
    manager = world.users[RoleCode.CENTRE_CASE_MANAGER]
    login_verified(client, manager)
    case = world.own_case
    url = f"/cases/{case.code}/edit/"
    stale = {"referral_source": "self_referral", "version": case.version}
    fresh = {"referral_source": "ngo_io", "version": case.version}
    assert client.post(url, fresh).status_code == 302
    response = client.post(url, stale)
    assert response.status_code == 400
    assert "Someone else changed this record" in response.content.decode()
    case.refresh_from_db()
    assert case.referral_source == "ngo_io"


@pytest.mark.django_db
def test_the_timeline_shows_who_did_what(client, world):
    manager = world.users[RoleCode.CENTRE_CASE_MANAGER]
    case = world.own_case
    services.case_status_change(
        user=manager, case=case, expected_version=case.version, status=CaseStatus.REFERRED
    )
    login_verified(client, manager)
    page = client.get(f"/cases/{case.code}/").content.decode()
    assert "Status changed from reported to referred." in page
    assert TimelineEvent.objects.filter(case=case, kind="status_changed", actor=manager).exists()


@pytest.mark.django_db
def test_a_status_cannot_jump_against_the_workflow(world):
    from opennrm.lib.errors import DomainError

    manager = world.users[RoleCode.CENTRE_CASE_MANAGER]
    case = world.own_case
    with pytest.raises(DomainError):
        services.case_status_change(
            user=manager, case=case, expected_version=case.version, status=CaseStatus.CLOSED + "x"
        )
    with pytest.raises(DomainError):
        services.case_status_change(
            user=manager, case=case, expected_version=case.version, status=CaseStatus.ASSISTED
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTED


@pytest.mark.django_db
def test_the_prosecutor_page_hides_therapy_notes(client, world):
    manager = world.users[RoleCode.CENTRE_CASE_MANAGER]
    services.note_add(
        user=manager, case=world.own_case, sensitivity="psychosocial", text="Nightmares since March"
    )
    services.note_add(user=manager, case=world.own_case, sensitivity="legal", text="Willing to testify later")
    login_verified(client, world.users[RoleCode.PROSECUTOR])
    page = client.get(f"/cases/{world.own_case.code}/").content.decode()
    assert "Willing to testify later" in page
    assert "Nightmares since March" not in page
    login_verified(client, world.users[RoleCode.SHELTER_STAFF])
    page = client.get(f"/cases/{world.own_case.code}/").content.decode()
    assert "Willing to testify later" not in page


@pytest.mark.django_db
def test_a_note_above_the_role_is_refused(client, world):
    login_verified(client, world.users[RoleCode.PROSECUTOR])
    client.post(f"/cases/{world.own_case.code}/notes/", {"sensitivity": "medical", "text": "x"})
    assert not world.own_case.notes.filter(sensitivity="medical").exists()


@pytest.mark.django_db
def test_the_home_page_shows_tasks_due_and_activity(client, world):
    login_verified(client, world.users[RoleCode.CENTRE_CASE_MANAGER])
    page = client.get("/").content.decode()
    assert "Review the new report" in page
    assert world.own_case.code in page


@pytest.mark.django_db
def test_every_read_of_a_case_page_is_audited(client, world):
    from opennrm.audit.models import AuditEvent

    manager = world.users[RoleCode.CENTRE_CASE_MANAGER]
    login_verified(client, manager)
    client.get(f"/cases/{world.own_case.code}/")
    reads = AuditEvent.objects.filter(actor_id=manager.pk, action="read")
    assert reads.filter(object_type="case", object_id=world.own_case.code).exists()
    assert reads.filter(object_type="person", object_id=world.own_case.person.code).exists()
