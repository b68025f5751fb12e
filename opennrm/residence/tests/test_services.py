"""Residence permits and health coverage: who records them, bad input, stale forms, renewals and the
renewal reminder."""

from __future__ import annotations

import datetime as dt
import inspect

import pytest

from opennrm.accounts.roles import RoleCode
from opennrm.audit.models import AuditEvent
from opennrm.cases.models import Case, CaseStatus, TimelineEvent
from opennrm.cases.timeline import describe
from opennrm.core.models import DeadlineRule
from opennrm.lib import clock
from opennrm.lib.errors import ConflictError, DomainError, NotFound, PermissionDenied
from opennrm.notifications.models import Notification
from opennrm.people.models import Person
from opennrm.residence import rules, selectors, services
from opennrm.residence.models import HealthCoverage, PermitDecision, ResidencePermit

D = dt.date
UTC = dt.UTC


def _apply(manager, case, ground="presumed_victim", applied_on=None, **kw):
    return services.permit_apply(
        user=manager,
        case=case,
        ground=ground,
        applied_on=applied_on or clock.today() - dt.timedelta(days=20),
        issuing_authority=kw.pop("issuing_authority", "PU za grad Beograd"),
        **kw,
    )


def _grant(manager, permit, start=None, end=None, decided_on=None):
    start = start or clock.today() - dt.timedelta(days=10)
    return services.permit_decide(
        user=manager,
        permit=permit,
        decision="granted",
        decided_on=decided_on or start,
        valid_from=start,
        valid_until=end or start + dt.timedelta(days=89),
        expected_version=permit.version,
    )


# --- who and for whom ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_citizen_needs_no_residence_permit(world, manager):
    case = world.own_case  # citizenship RS
    with pytest.raises(DomainError) as exc:
        _apply(manager, case)
    assert exc.value.field == "case"
    Person.objects.filter(pk=case.person_id).update(citizenship="")
    case.person.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        _apply(manager, case)
    assert exc.value.field == "case" and "citizenship" in exc.value.message
    assert not ResidencePermit.objects.exists()


@pytest.mark.django_db
def test_an_application_is_recorded_with_a_legal_timeline_entry_and_an_audit_record(case, manager):
    permit = _apply(manager, case)
    assert permit.decision == PermitDecision.PENDING and permit.version == 1
    event = TimelineEvent.objects.get(case=case, kind="permit_applied")
    assert event.sensitivity == "legal"
    assert describe(event) == "Temporary residence permit applied for (presumed victim of trafficking)."
    audit = AuditEvent.objects.get(object_type="residence_permit", action="create")
    assert audit.case_code == case.code and "ground" not in audit.detail


@pytest.mark.django_db
def test_only_the_coordinating_organisation_records_permits(world, case, manager):
    for role in (RoleCode.POLICE_INVESTIGATOR, RoleCode.SHELTER_STAFF, RoleCode.SOCIAL_WORKER):
        with pytest.raises(PermissionDenied):
            _apply(world.users[role], case)
    with pytest.raises(NotFound):
        _apply(world.outsider, case)
    other = world.other_case
    Person.objects.filter(pk=other.person_id).update(citizenship="AL")
    with pytest.raises(NotFound):
        _apply(manager, other)
    assert not ResidencePermit.objects.exists()


@pytest.mark.django_db
def test_one_application_at_a_time(case, manager):
    _apply(manager, case)
    with pytest.raises(DomainError) as exc:
        _apply(manager, case, ground="humanitarian")
    assert exc.value.field == "case"
    assert ResidencePermit.objects.count() == 1


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes, field",
    [
        ({"ground": "tourist"}, "ground"),
        ({"applied_on": "2026-13-01"}, "applied_on"),
        ({"applied_on": clock.today() + dt.timedelta(days=1)}, "applied_on"),
        ({"issuing_authority": "x" * 121}, "issuing_authority"),
    ],
)
def test_a_bad_application_names_the_field_and_changes_nothing(case, manager, changes, field):
    with pytest.raises(DomainError) as exc:
        _apply(manager, case, **changes)
    assert exc.value.field == field
    assert not ResidencePermit.objects.exists()
    assert not TimelineEvent.objects.filter(kind="permit_applied").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes, field",
    [
        ({"decision": "maybe"}, "decision"),
        ({"decided_on": None}, "decided_on"),
        ({"decided_on": clock.today() + dt.timedelta(days=1)}, "decided_on"),
        # Before the application (which was 20 days ago).
        ({"decided_on": clock.today() - dt.timedelta(days=21)}, "decided_on"),
        ({"valid_from": None}, "valid_from"),
        ({"valid_until": None}, "valid_until"),
        ({"valid_until": clock.today() - dt.timedelta(days=11)}, "valid_until"),
        ({"valid_until": "31.12.2026"}, "valid_until"),
        ({"decision": "refused"}, "valid_from"),
    ],
)
def test_a_bad_decision_names_the_field_and_changes_nothing(case, manager, changes, field):
    permit = _apply(manager, case)
    start = clock.today() - dt.timedelta(days=10)
    args = {
        "decision": "granted",
        "decided_on": start,
        "valid_from": start,
        "valid_until": start + dt.timedelta(days=89),
        **changes,
    }
    with pytest.raises(DomainError) as exc:
        services.permit_decide(user=manager, permit=permit, expected_version=1, **args)
    assert exc.value.field == field
    permit.refresh_from_db()
    assert (permit.decision, permit.version, permit.decided_on, permit.valid_until) == (
        "pending",
        1,
        None,
        None,
    )
    assert not TimelineEvent.objects.filter(kind="permit_decided").exists()


@pytest.mark.django_db
def test_a_refusal_has_a_date_and_no_validity(case, manager):
    permit = _apply(manager, case)
    services.permit_decide(
        user=manager, permit=permit, decision="refused", decided_on=clock.today(), expected_version=1
    )
    permit.refresh_from_db()
    assert permit.decision == "refused" and permit.valid_from is None and permit.version == 2
    assert describe(TimelineEvent.objects.get(kind="permit_decided")) == "Temporary residence permit refused."


@pytest.mark.django_db
def test_a_stale_version_is_a_conflict_and_changes_nothing(case, manager):
    permit = _apply(manager, case)
    stale = ResidencePermit.objects.get(pk=permit.pk)
    _grant(manager, permit)
    # Someone else's form, opened before the decision: a conflict, not "already decided".
    with pytest.raises(ConflictError) as exc:
        services.permit_decide(
            user=manager, permit=stale, decision="refused", decided_on=clock.today(), expected_version=1
        )
    assert exc.value.field == "version" and exc.value.extra["current_version"] == 2
    permit.refresh_from_db()
    assert permit.decision == "granted" and permit.version == 2
    # With the current version, a decided application is not decided again.
    with pytest.raises(DomainError) as exc:
        services.permit_decide(
            user=manager, permit=permit, decision="refused", decided_on=clock.today(), expected_version=2
        )
    assert exc.value.field == "decision" and not isinstance(exc.value, ConflictError)


# --- renewals -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_renewal_is_a_new_application_pointing_at_the_permit_it_renews(case, manager):
    today = clock.today()
    first = _grant(
        manager,
        _apply(manager, case, applied_on=today - dt.timedelta(days=100)),
        start=today - dt.timedelta(days=90),
    )
    # The person has been identified since: the renewal is on the victim ground.
    second = services.permit_renew(
        user=manager, permit=first, applied_on=today - dt.timedelta(days=5), ground="victim"
    )
    assert second.renewal_of == first and second.decision == "pending" and second.ground == "victim"
    assert second.issuing_authority == first.issuing_authority
    event = TimelineEvent.objects.filter(kind="permit_applied").order_by("-id").first()
    assert describe(event) == "Renewal of the temporary residence permit applied for (victim of trafficking)."

    with pytest.raises(DomainError) as exc:
        services.permit_renew(user=manager, permit=first, applied_on=today)
    assert exc.value.field == "permit"
    with pytest.raises(DomainError) as exc:
        services.permit_renew(user=manager, permit=second, applied_on=today)
    assert exc.value.field == "permit"  # still pending

    second = _grant(manager, second, start=today - dt.timedelta(days=1), end=today + dt.timedelta(days=180))
    third = services.permit_renew(user=manager, permit=second, applied_on=today)
    assert third.renewal_of == second and third.ground == "victim"
    assert [p.pk for p in selectors.case_permits(case)] == [third.pk, second.pk, first.pk]
    assert selectors.current_permit(case) == second


@pytest.mark.django_db
def test_a_refused_renewal_may_be_applied_for_again_but_a_refused_permit_is_not_renewed(case, manager):
    today = clock.today()
    first = _grant(
        manager,
        _apply(manager, case, applied_on=today - dt.timedelta(days=30)),
        start=today - dt.timedelta(days=20),
    )
    renewal = services.permit_renew(user=manager, permit=first, applied_on=today)
    services.permit_decide(
        user=manager, permit=renewal, decision="refused", decided_on=today, expected_version=1
    )
    again = services.permit_renew(user=manager, permit=first, applied_on=today)
    assert again.renewal_of == first
    renewal.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        services.permit_renew(user=manager, permit=renewal, applied_on=today)
    assert exc.value.field == "permit"


@pytest.mark.django_db
def test_a_renewal_is_not_applied_for_before_the_permit_was_granted(case, manager):
    today = clock.today()
    first = _grant(
        manager,
        _apply(manager, case, applied_on=today - dt.timedelta(days=30)),
        start=today - dt.timedelta(days=20),
    )
    with pytest.raises(DomainError) as exc:
        services.permit_renew(user=manager, permit=first, applied_on=today - dt.timedelta(days=25))
    assert exc.value.field == "applied_on"
    assert ResidencePermit.objects.count() == 1


# --- health coverage ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes, field",
    [
        ({"basis": ""}, "basis"),
        ({"basis": "lottery"}, "basis"),
        ({"entitled": False}, "basis"),
        ({"entitled": "yes"}, "entitled"),
        ({"from_on": None}, "from_on"),
        ({"until_on": "2020-01-01"}, "until_on"),
    ],
)
def test_bad_health_coverage_names_the_field_and_changes_nothing(case, manager, changes, field):
    args = {"entitled": True, "basis": "insurance_victims", "from_on": clock.today(), **changes}
    with pytest.raises(DomainError) as exc:
        services.health_coverage_record(user=manager, case=case, **args)
    assert exc.value.field == field
    assert not HealthCoverage.objects.exists()


@pytest.mark.django_db
def test_health_coverage_is_recorded_as_medical_content_by_the_coordinator(world, case, manager):
    today = clock.today()
    services.health_coverage_record(
        user=manager,
        case=case,
        entitled=True,
        basis="insurance_victims",
        from_on=today - dt.timedelta(days=3),
    )
    event = TimelineEvent.objects.get(kind="health_coverage_recorded")
    assert event.sensitivity == "medical" and "basis" not in event.params
    assert selectors.current_coverage(case).entitled
    later = services.health_coverage_record(user=manager, case=case, entitled=False, from_on=today)
    assert selectors.current_coverage(case) == later
    with pytest.raises(PermissionDenied):
        services.health_coverage_record(
            user=world.users[RoleCode.SHELTER_STAFF], case=case, entitled=False, from_on=today
        )
    assert selectors.health_coverages(world.users[RoleCode.POLICE_INVESTIGATOR], case) == []


# --- nothing depends on the ground -----------------------------------------------------------------


def test_no_assistance_or_placement_reads_the_residence_permit():
    """The ground is recorded; no assistance may depend on it (CETS 197 Art. 12(6))."""
    from opennrm.assistance import selectors as a_selectors
    from opennrm.assistance import services as a_services

    for module in (a_services, a_selectors):
        source = inspect.getsource(module)
        assert "residence" not in source.lower(), module.__name__


# --- interpreter ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_interpreter_need_lists_the_languages_only_when_needed(case):
    assert selectors.interpreter_need(case) == ""
    Person.objects.filter(pk=case.person_id).update(interpreter_needed=True, languages=["sq", "it"])
    case.person.refresh_from_db()
    assert selectors.interpreter_need(case) == "sq, it"
    Person.objects.filter(pk=case.person_id).update(languages=[])
    case.person.refresh_from_db()
    assert selectors.interpreter_need(case) == "language not recorded"


# --- renewal reminders ----------------------------------------------------------------------------


LONG_AGO = D(2025, 6, 1)


def _permit(case, *, decision="granted", until=None, renewal_of=None, start=LONG_AGO):
    granted = decision == "granted"
    return ResidencePermit.objects.create(
        case=case,
        ground="victim",
        applied_on=D(2025, 5, 1),
        decision=decision,
        decided_on=None if decision == "pending" else D(2025, 5, 20),
        valid_from=start if granted else None,
        valid_until=until if granted else None,
        renewal_of=renewal_of,
    )


@pytest.mark.django_db
def test_the_lead_time_is_a_rule_of_the_deadline_table():
    row = DeadlineRule.objects.get(country="RS", code="residence_renewal_reminder")
    assert (row.amount, row.unit) == (30, "days") and "Art. 14" in row.legal_basis
    DeadlineRule.objects.filter(pk=row.pk).update(amount=45)
    assert rules.reminder_lead_days() == 45
    DeadlineRule.objects.filter(pk=row.pk).delete()
    assert rules.reminder_lead_days() == 30


@pytest.mark.django_db
def test_reminders_go_once_to_the_coordinator_counting_days_in_belgrade_across_a_month_end(world, case):
    # 31 January 23:30 UTC is 1 February 00:30 in Belgrade: a 30-day lead time reaches 3 March.
    before_midnight = dt.datetime(2026, 1, 31, 22, 30, tzinfo=UTC)  # 23:30 on 31 January in Belgrade
    after_midnight = dt.datetime(2026, 1, 31, 23, 30, tzinfo=UTC)
    due = _permit(case, until=D(2026, 3, 3))
    not_yet = _permit(case, until=D(2026, 3, 4))
    _permit(case, decision="refused")
    _permit(case, until=D(2025, 12, 1))  # expired long ago
    renewed = _permit(case, until=D(2026, 2, 20))
    _permit(case, decision="pending", renewal_of=renewed)
    refused_renewal_of = _permit(case, until=D(2026, 2, 15))
    _permit(case, decision="refused", renewal_of=refused_renewal_of)

    assert services.renewal_reminders_run(now=before_midnight) == 1  # only the one expiring 15 February
    assert services.renewal_reminders_run(now=after_midnight) == 1  # 3 March is now within 30 days
    assert services.renewal_reminders_run(now=after_midnight) == 0  # once
    assert set(
        ResidencePermit.objects.filter(reminder_sent_at__isnull=False).values_list("pk", flat=True)
    ) == {
        due.pk,
        refused_renewal_of.pk,
    }
    not_yet.refresh_from_db()
    assert not_yet.reminder_sent_at is None

    notes = Notification.objects.filter(kind="residence_renewal_due")
    recipients = {n.recipient.username for n in notes}
    # The Centre's case workers; not the statistics account of the coordination office, not others.
    assert recipients == {"centre-case-manager", "centre-head"}
    assert notes.count() == 4
    assert {n.params["date"] for n in notes} == {"2026-03-03", "2026-02-15"}
    assert all(set(n.params) == {"date"} for n in notes)  # never the ground
    events = TimelineEvent.objects.filter(kind="permit_renewal_due")
    assert events.count() == 2 and {e.sensitivity for e in events} == {"legal"}


@pytest.mark.django_db
def test_no_reminder_for_a_closed_case(case):
    _permit(case, until=D(2026, 3, 1))
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    assert services.renewal_reminders_run(now=dt.datetime(2026, 2, 1, 12, tzinfo=UTC)) == 0


@pytest.mark.django_db
def test_permits_expiring_lists_only_cases_the_user_sees(world, case, manager):
    today = clock.today()
    soon = _permit(case, start=today - dt.timedelta(days=60), until=today + dt.timedelta(days=10))
    _permit(case, start=today - dt.timedelta(days=60), until=today + dt.timedelta(days=60))
    other = world.other_case
    _permit(other, start=today - dt.timedelta(days=60), until=today + dt.timedelta(days=5))
    assert list(selectors.permits_expiring(manager, 30)) == [soon]
    assert list(selectors.permits_expiring(world.outsider, 30))[0].case == other
    assert list(selectors.permits_expiring(world.users[RoleCode.NATIONAL_COORDINATOR], 30)) == []
