"""Anonymous reports from the public: the open page and API, the throttle, encryption at rest, and the
Centre's triage queue."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection

from opennrm.accounts.roles import RoleCode
from opennrm.audit.models import AuditEvent
from opennrm.cases.models import Case, ReferralSource
from opennrm.cases.selectors import case_notes
from opennrm.intake import public_reports
from opennrm.intake.models import PublicReport, PublicReportStatus
from opennrm.lib.errors import DomainError, NotFound
from opennrm.notifications.models import Notification
from opennrm.testing import login_verified

ACCOUNT = "Three young women are kept in the flat above the bakery on Test Street and never go out alone."
PAGE = "/report/"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    # The throttle lives in the cache, which outlives a test's database transaction.
    cache.clear()
    yield
    cache.clear()


def _send(client, remote_addr="127.0.0.1", **data):
    return client.post(
        PAGE, {"text": ACCOUNT, "exploitation_hint": "sexual", **data}, REMOTE_ADDR=remote_addr
    )


@pytest.mark.django_db
def test_an_anonymous_report_lands_in_the_centres_queue_and_the_centre_is_notified(client, world):
    response = _send(client, municipality="Testovo")
    assert response.status_code == 302
    report = PublicReport.objects.get()
    assert report.status == PublicReportStatus.NEW
    assert report.exploitation_hint == "sexual"
    assert report.municipality == "Testovo"
    assert report.created_by is None
    manager = world.users[RoleCode.CENTRE_CASE_MANAGER]
    assert [r.code for r in public_reports.public_reports_queue(user=manager)] == [report.code]
    notes = Notification.objects.filter(kind="report_received")
    assert notes.filter(recipient=manager).exists()
    # The notification says only that there is a report: no content, no place.
    assert all(n.params == {} and n.case_code == "" for n in notes)
    assert {n.organisation_id for n in notes} == {world.orgs["centre"].pk}


@pytest.mark.django_db
def test_the_public_page_opens_without_an_account(client, world):
    response = client.get(PAGE)
    assert response.status_code == 200
    body = response.content.decode()
    assert "csrfmiddlewaretoken" in body
    assert "Do not give your own name unless you want us to contact you." in body
    assert 'href="tel:192"' in body
    assert client.get("/accounts/login/").content.decode().count('href="/report/"') == 1


@pytest.mark.django_db
def test_the_thank_you_page_reveals_nothing(client, world):
    response = _send(client, contact="test-reporter@example.org")
    assert response["Location"] == "/report/thanks/"
    page = client.get(response["Location"]).content.decode()
    report = PublicReport.objects.get()
    assert report.code not in page
    assert "PR-" not in page
    assert "/triage/" not in page
    assert "bakery" not in page and "test-reporter" not in page
    # The same page answers anyone, whether or not they sent something.
    assert client.get("/report/thanks/").status_code == 200


@pytest.mark.django_db
def test_the_account_and_the_contact_are_encrypted_at_rest(client, world):
    _send(client, contact="+381 60 000 0000")
    report = PublicReport.objects.get()
    raw = bytes(report.ciphertext)
    assert b"bakery" not in raw and b"0000" not in raw
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM intake_publicreport")
        row = " ".join(str(v) for v in cursor.fetchone())
    assert "bakery" not in row and "381 60" not in row
    assert report.has_contact
    manager = world.users[RoleCode.CENTRE_CASE_MANAGER]
    assert public_reports.public_report_read(user=manager, report=report) == {
        "text": ACCOUNT,
        "contact": "+381 60 000 0000",
    }


@pytest.mark.django_db
def test_nothing_about_the_sender_is_recorded(client, world):
    client.post(PAGE, {"text": ACCOUNT, "exploitation_hint": "unknown"}, REMOTE_ADDR="203.0.113.7")
    report = PublicReport.objects.get()
    event = AuditEvent.objects.get(object_type="public_report", action="create")
    assert event.actor_id is None and event.actor_username == "public"
    assert event.ip == ""
    assert event.detail == {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM intake_publicreport WHERE id = %s", [report.pk])
        assert "203.0.113.7" not in " ".join(str(v) for v in cursor.fetchone())


@pytest.mark.django_db
def test_a_sixth_report_within_an_hour_is_refused_with_429_and_not_stored(client, world):
    for _i in range(5):
        assert _send(client).status_code == 302
    response = _send(client)
    assert response.status_code == 429
    assert "try again" in response.content.decode().lower()
    assert PublicReport.objects.count() == 5
    # The API shares the limit.
    api = client.post("/api/v1/public-reports/", {"text": ACCOUNT}, content_type="application/json")
    assert api.status_code == 429
    assert PublicReport.objects.count() == 5
    # Another client is not held back.
    assert _send(client, remote_addr="198.51.100.20").status_code == 302


@pytest.mark.django_db
def test_the_throttle_keeps_no_address_even_in_the_cache(world):
    key = public_reports._throttle_key("192.0.2.1")
    assert "192.0.2.1" not in key
    assert key != public_reports._throttle_key("192.0.2.2")


@pytest.mark.django_db
def test_too_short_a_report_is_refused_and_nothing_is_stored(client, world):
    response = client.post(PAGE, {"text": "help", "exploitation_hint": "unknown"})
    assert response.status_code == 400
    assert "at least 20 characters" in response.content.decode()
    api = client.post("/api/v1/public-reports/", {"text": "help"}, content_type="application/json")
    assert api.status_code == 422
    garbage = client.post(
        "/api/v1/public-reports/", {"text": "aaaaaaaaaaaaaaaaaaaaaaaaa"}, content_type="application/json"
    )
    assert garbage.status_code == 422
    assert PublicReport.objects.count() == 0


@pytest.mark.django_db
def test_the_api_accepts_an_anonymous_report_and_says_nothing_else(client, world):
    response = client.post(
        "/api/v1/public-reports/",
        {"text": ACCOUNT, "exploitation_hint": "labour", "municipality": "Testovo", "language": "sr"},
        content_type="application/json",
    )
    assert response.status_code == 202
    assert response.json() == {"received": True}
    report = PublicReport.objects.get()
    assert report.language == "sr" and report.exploitation_hint == "labour"


@pytest.mark.django_db
def test_a_logged_in_user_sending_through_the_api_stays_unlinked(client, world):
    login_verified(client, world.users[RoleCode.POLICE_INVESTIGATOR])
    response = client.post("/api/v1/public-reports/", {"text": ACCOUNT}, content_type="application/json")
    assert response.status_code == 202
    event = AuditEvent.objects.get(object_type="public_report", action="create")
    assert event.actor_id is None and event.actor_organisation_id is None


@pytest.mark.django_db
def test_users_outside_the_centre_cannot_see_the_queue(client, world):
    public_reports.public_report_submit(text=ACCOUNT, language="en")
    code = PublicReport.objects.get().code
    # Only the Centre's roles triage: a prosecutor and a social worker are refused by pages and API.
    for role in (RoleCode.PROSECUTOR, RoleCode.SOCIAL_WORKER, RoleCode.POLICE_INVESTIGATOR):
        login_verified(client, world.users[role])
        assert client.get("/triage/").status_code == 403
        assert client.get(f"/triage/{code}/").status_code == 403
        assert client.get("/api/v1/triage/").status_code == 403
        with pytest.raises(NotFound):
            public_reports.public_report_get(user=world.users[role], code=code)
    assert not AuditEvent.objects.filter(object_type="public_report", action="read").exists()


@pytest.mark.django_db
def test_the_centre_reads_a_report_and_the_read_is_audited(client, world):
    public_reports.public_report_submit(text=ACCOUNT, contact="test@example.org", language="en")
    report = PublicReport.objects.get()
    manager = world.users[RoleCode.CENTRE_CASE_MANAGER]
    login_verified(client, manager)
    queue = client.get("/triage/").content.decode()
    assert report.code in queue and "bakery" not in queue
    page = client.get(f"/triage/{report.code}/").content.decode()
    assert "bakery" in page and "test@example.org" in page
    read = AuditEvent.objects.get(object_type="public_report", action="read")
    assert read.actor_id == manager.pk and read.object_id == report.code
    api = client.get("/api/v1/triage/").json()["results"]
    assert [r["code"] for r in api] == [report.code]
    assert "bakery" not in str(api)


@pytest.mark.django_db
def test_the_queue_shows_new_reports_first(world):
    manager = world.users[RoleCode.CENTRE_CASE_MANAGER]
    first = public_reports.public_report_submit(text=ACCOUNT, language="en")
    public_reports.public_report_review(user=manager, report=first, status="no_action", outcome_note="Old")
    second = public_reports.public_report_submit(text=ACCOUNT, language="en")
    public_reports.public_report_review(user=manager, report=second, status="in_review")
    third = public_reports.public_report_submit(text=ACCOUNT, language="en")
    queue = public_reports.public_reports_queue(user=manager)
    assert [r.code for r in queue] == [third.code, second.code, first.code]


@pytest.mark.django_db
def test_closing_a_report_without_action_needs_a_short_note(client, world):
    manager = world.users[RoleCode.CENTRE_CASE_MANAGER]
    report = public_reports.public_report_submit(text=ACCOUNT, language="en")
    with pytest.raises(DomainError) as exc:
        public_reports.public_report_review(user=manager, report=report, status="no_action")
    assert exc.value.field == "outcome_note"
    login_verified(client, manager)
    response = client.post(
        f"/triage/{report.code}/",
        {
            "action": "review",
            "status": "no_action",
            "outcome_note": "Duplicate of a known case",
            "version": 1,
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == PublicReportStatus.NO_ACTION
    assert report.reviewed_by == manager and report.outcome_note == "Duplicate of a known case"
    # A stale form is refused, not silently applied.
    stale = client.post(f"/triage/{report.code}/", {"action": "review", "status": "in_review", "version": 1})
    assert stale.status_code == 400
    report.refresh_from_db()
    assert report.status == PublicReportStatus.NO_ACTION


@pytest.mark.django_db
def test_registering_a_report_opens_a_case_from_a_private_citizen_and_links_the_report(client, world):
    manager = world.users[RoleCode.CENTRE_CASE_MANAGER]
    report = public_reports.public_report_submit(
        text=ACCOUNT,
        contact="test@example.org",
        exploitation_hint="sexual",
        municipality="Testovo",
        language="en",
    )
    login_verified(client, manager)
    response = client.post(
        f"/triage/{report.code}/",
        {
            "action": "register",
            "given_names": "",
            "family_names": "",
            "sex": "female",
            "age_estimate_min": 18,
            "age_estimate_max": 25,
            "citizenship": "rs",
            "incident_title": "Women kept in a flat in Testovo",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    case = report.case
    assert isinstance(case, Case)
    assert response["Location"] == f"/cases/{case.code}/"
    assert report.status == PublicReportStatus.REGISTERED
    assert case.referral_source == ReferralSource.PRIVATE_CITIZEN
    assert case.person.citizenship == "RS"
    assert case.incident.municipality == "Testovo"
    assert case.incident.forms == ["sexual"]
    assert case.timeline.filter(kind="public_report_registered").exists()
    # The account travels with the case as its first note; the reporter's contact does not.
    texts = [n["text"] for n in case_notes(user=manager, case=case)]
    assert ACCOUNT in texts and all("test@example.org" not in t for t in texts)
    with pytest.raises(DomainError):
        public_reports.public_report_register(
            user=manager,
            report=report,
            person_attributes={"sex": "female"},
            identity={},
            incident_data={"title": "Again"},
        )


@pytest.mark.django_db
def test_a_key_rotation_re_encrypts_public_reports(world):
    from opennrm.core.rotation import rotate_data_key

    report = public_reports.public_report_submit(text=ACCOUNT, contact="test@example.org", language="en")
    new_key, counts = rotate_data_key()
    assert counts["intake.PublicReport"] == 1
    report.refresh_from_db()
    assert report.data_key_id == new_key.pk
    manager = world.users[RoleCode.CENTRE_CASE_MANAGER]
    assert public_reports.public_report_read(user=manager, report=report)["text"] == ACCOUNT
