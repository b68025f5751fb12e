"""Reintegration follow-up, closure with a supervisor's review, reopening, and possible re-trafficking."""

from __future__ import annotations

import datetime as dt

import pytest

from opennrm.accounts.roles import RoleCode
from opennrm.assistance import closure, services
from opennrm.assistance.models import CaseClosure, ClosureStatus, FollowUp
from opennrm.cases import services as case_services
from opennrm.cases.models import Case, CaseStatus
from opennrm.lib import clock
from opennrm.lib.errors import ConflictError, DomainError, PermissionDenied
from opennrm.notifications.models import Notification
from opennrm.testing import login_verified, open_case


@pytest.fixture
def manager(world):
    return world.users[RoleCode.CENTRE_CASE_MANAGER]


@pytest.fixture
def head(world):
    return world.users[RoleCode.CENTRE_HEAD]


@pytest.fixture
def case(world):
    Case.objects.filter(pk=world.own_case.pk).update(status=CaseStatus.IDENTIFIED)
    world.own_case.refresh_from_db()
    return world.own_case


EXPLANATION = "Living independently, employed for six months, all goals of the plan reached."


@pytest.mark.django_db
def test_a_case_is_never_closed_by_a_plain_status_change(case, manager):
    assert CaseStatus.CLOSED not in case_services.allowed_statuses(case)
    with pytest.raises(DomainError):
        case_services.case_status_change(
            user=manager, case=case, expected_version=case.version, status="closed"
        )


@pytest.mark.django_db
def test_closure_is_requested_with_reasons_and_approved_by_someone_else(case, manager, head):
    with pytest.raises(DomainError) as exc:
        closure.closure_request(user=manager, case=case, reason="reintegrated", explanation="done")
    assert exc.value.field == "explanation"
    row = closure.closure_request(user=manager, case=case, reason="reintegrated", explanation=EXPLANATION)
    assert Notification.objects.filter(recipient=head, kind="closure_requested").exists()
    with pytest.raises(DomainError):  # one pending request at a time
        closure.closure_request(user=manager, case=case, reason="other", explanation=EXPLANATION)
    with pytest.raises(PermissionDenied):  # a case manager does not review
        closure.closure_review(user=manager, closure=row, approve=True, expected_version=row.version)
    with pytest.raises(DomainError):  # refusing needs a note
        closure.closure_review(user=head, closure=row, approve=False, expected_version=row.version)
    closure.closure_review(user=head, closure=row, approve=True, expected_version=row.version)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None


@pytest.mark.django_db
def test_the_head_cannot_approve_a_closure_they_asked_for(case, head):
    row = closure.closure_request(user=head, case=case, reason="reintegrated", explanation=EXPLANATION)
    with pytest.raises(DomainError):
        closure.closure_review(user=head, closure=row, approve=True, expected_version=row.version)


@pytest.mark.django_db
def test_a_case_with_open_services_is_not_closed(world, case, manager):
    services.service_request(
        user=manager,
        case=case,
        service_type="legal_aid",
        provider=world.orgs["atina"],
        planned_from=clock.today(),
        data_consent="request_only",
        consent_how="written",
    )
    with pytest.raises(DomainError) as exc:
        closure.closure_request(user=manager, case=case, reason="reintegrated", explanation=EXPLANATION)
    assert "still open" in exc.value.message
    assert not CaseClosure.objects.exists()


@pytest.mark.django_db
def test_a_closed_case_is_reopened_on_reasons_and_goes_back_to_assistance(case, manager, head):
    row = closure.closure_request(user=manager, case=case, reason="lost_contact", explanation=EXPLANATION)
    closure.closure_review(user=head, closure=row, approve=True, expected_version=row.version)
    with pytest.raises(DomainError):
        closure.case_reopen(user=manager, case=case, reason="short")
    closure.case_reopen(
        user=manager, case=case, reason="She called the hotline again: new threats from the employer."
    )
    case.refresh_from_db()
    row.refresh_from_db()
    assert case.status == CaseStatus.ASSISTED and case.closed_at is None
    assert row.status == ClosureStatus.REOPENED and row.reopen_reason


@pytest.mark.django_db
def test_a_stale_review_is_refused(case, manager, head):
    row = closure.closure_request(user=manager, case=case, reason="reintegrated", explanation=EXPLANATION)
    with pytest.raises(ConflictError):
        closure.closure_review(user=head, closure=row, approve=True, expected_version=row.version + 1)
    case.refresh_from_db()
    assert case.status == CaseStatus.IDENTIFIED


# --- follow-up --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_follow_ups_are_planned_at_intervals_and_overdue_ones_show(world, case, manager):
    start = clock.today() - dt.timedelta(days=70)
    plan = closure.reintegration_start(
        user=manager,
        case=case,
        follow_up_by=world.orgs["csw-bg"],
        interval_days=30,
        months=6,
        started_on=start,
    )
    dues = list(FollowUp.objects.filter(plan=plan).values_list("due_on", flat=True))
    assert dues[0] == start + dt.timedelta(days=30) and len(dues) == 6
    overdue = list(closure.follow_ups_overdue(manager))
    assert [f.due_on for f in overdue] == dues[:2]
    # The social worker of the organisation that follows up records the contact.
    social = world.users[RoleCode.SOCIAL_WORKER]
    first = overdue[0]
    closure.follow_up_record(user=social, follow_up=first, outcome="well", method="visit", expected_version=1)
    assert [f.due_on for f in closure.follow_ups_overdue(manager)] == dues[1:2]
    # An unrelated organisation is out of scope.
    assert list(closure.follow_ups_overdue(world.outsider)) == []


@pytest.mark.django_db
def test_follow_up_is_done_by_an_involved_organisation(world, case, manager):
    with pytest.raises(DomainError) as exc:
        closure.reintegration_start(
            user=manager, case=case, follow_up_by=world.orgs["atina"], interval_days=30, months=6
        )
    assert exc.value.field == "follow_up_by"
    with pytest.raises(DomainError) as exc:
        closure.reintegration_start(
            user=manager, case=case, follow_up_by=world.orgs["csw-bg"], interval_days=3, months=6
        )
    assert exc.value.field == "interval_days"


# --- possible re-trafficking ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_person_known_from_an_earlier_case_is_flagged(world, case, manager):
    reporter = world.users[RoleCode.FIRST_LINE_REPORTER]
    later = open_case(reporter, given="Jelena", family="Testović", birth_date=None)
    assert closure.earlier_matches(later) == []  # a name alone is not enough
    born = "1999-04-02"
    first = open_case(reporter, given="Ana", family="Ponović", birth_date=born)
    again = open_case(reporter, given="АНА", family="ПОНОВИЋ", birth_date=born)  # the same, in Cyrillic
    assert closure.earlier_matches(again) == [first]
    flagged = closure.possible_retrafficking(manager)
    assert again not in flagged  # name and birth date: shown on the case page, not the home list


@pytest.mark.django_db
def test_case_page_shows_follow_up_and_closure_and_the_head_reviews(client, world, case, manager, head):
    login_verified(client, manager)
    body = client.get(f"/cases/{case.code}/").content.decode()
    assert "Follow-up and closure" in body and "Request closure" in body
    r = client.post(
        f"/cases/{case.code}/closure/", {"reason": "reintegrated", "explanation": EXPLANATION}, follow=True
    )
    assert "Closure requested" in r.content.decode()
    client.logout()
    login_verified(client, head)
    row = CaseClosure.objects.get()
    r = client.post(
        f"/cases/{case.code}/closure/review/",
        {"closure": row.pk, "version": row.version, "decision": "approve"},
        follow=True,
    )
    assert "Case closed." in r.content.decode()
    api = client.get(f"/api/v1/cases/{case.code}/closures/").json()
    assert api[0]["status"] == "approved"


@pytest.mark.django_db
def test_no_new_service_while_a_closure_awaits_review_and_a_later_placement_stops_the_approval(
    world, case, manager, head
):
    from opennrm.shelters import services as shelters
    from opennrm.shelters.tests.conftest import make_facility

    row = closure.closure_request(user=manager, case=case, reason="reintegrated", explanation=EXPLANATION)
    with pytest.raises(DomainError) as exc:
        services.service_request(
            user=manager,
            case=case,
            service_type="legal_aid",
            provider=world.orgs["atina"],
            planned_from=clock.today(),
            data_consent="request_only",
            consent_how="written",
        )
    assert exc.value.field == "case"
    shelters.placement_place(
        user=manager, case=case, facility=make_facility(world.orgs["atina"], "late-house")
    )
    with pytest.raises(DomainError) as exc:
        closure.closure_review(user=head, closure=row, approve=True, expected_version=row.version)
    assert "still placed" in exc.value.message
    case.refresh_from_db()
    assert case.status != CaseStatus.CLOSED


@pytest.mark.django_db
def test_a_decision_on_a_closed_case_needs_the_case_reopened_first(case, manager, head):
    from opennrm.identification.services import decision_issue

    row = closure.closure_request(user=manager, case=case, reason="reintegrated", explanation=EXPLANATION)
    closure.closure_review(user=head, closure=row, approve=True, expected_version=row.version)
    case.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        decision_issue(
            user=head,
            case=case,
            outcome="identified",
            reasons="A review of the decision after new evidence from the prosecution.",
            forms=["labour"],
            kind="review",
        )
    assert exc.value.field == "status"
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


@pytest.mark.django_db
def test_possible_retrafficking_lists_earlier_cases_and_shared_documents_newest_first(world, manager):
    """The walk over the newest coordinated cases finds what the rule says, chunk after chunk: a
    person with an earlier case, a person sharing a document number with another; not a closed case,
    not one opened more than 90 days ago, not a person alone."""
    import datetime as dt

    from opennrm.cases.models import Case
    from opennrm.people.models import LookupKind, PersonLookup

    reporter = world.users[RoleCode.FIRST_LINE_REPORTER]
    now = clock.now()

    def opened(days_ago: int, name: str) -> Case:
        c = open_case(reporter, given=name, family="Walković")
        Case.objects.filter(pk=c.pk).update(opened_at=now - dt.timedelta(days=days_ago))
        c.refresh_from_db()
        return c

    earlier = opened(400, "Prva")
    again = opened(5, "Opet")  # the same person as ``earlier``
    Case.objects.filter(pk=again.pk).update(person=earlier.person)
    twin_a, twin_b = opened(3, "Dokument"), opened(200, "Isti")
    for c in (twin_a, twin_b):
        PersonLookup.objects.create(person_id=c.person_id, kind=LookupKind.DOCUMENT, digest="same-passport")
    alone = opened(1, "Sama")
    PersonLookup.objects.create(person_id=alone.person_id, kind=LookupKind.DOCUMENT, digest="own-passport")
    closed_again = opened(2, "Zatvoren")
    Case.objects.filter(pk=closed_again.pk).update(person=earlier.person, status="closed")
    fillers = [opened(4, name) for name in ("Ostala", "Treca", "Cetvrta")]

    expected = [twin_a.code, again.code]  # newest first; twin_b is older than 90 days
    for chunk in (1, 2, 200):
        assert [c.code for c in closure.possible_retrafficking(manager, chunk=chunk)] == expected
    assert [c.code for c in closure.possible_retrafficking(manager, limit=1, chunk=2)] == [twin_a.code]
    # The walk is bounded: the signals past the first ``walk`` cases wait for the next ones to age out.
    walked = closure.possible_retrafficking(manager, chunk=1, walk=3)
    assert [c.code for c in walked] == [twin_a.code]
    assert alone.code not in expected and all(f.code not in expected for f in fillers)
    # Someone who coordinates none of them sees none.
    assert closure.possible_retrafficking(world.users[RoleCode.NGO_CASE_WORKER]) == []
