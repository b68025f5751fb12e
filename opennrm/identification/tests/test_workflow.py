"""The identification workflow through its services: screen, refer, accept, decide; children and
foreign nationals get their safeguards; decisions are never edited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from opennrm import policy
from opennrm.accounts.models import OrganisationType
from opennrm.accounts.roles import RoleCode
from opennrm.cases.models import CaseStatus, Involvement
from opennrm.core.models import DeadlineRule
from opennrm.identification import selectors, services
from opennrm.identification.models import (
    IdentificationDecision,
    Referral,
    ReferralStatus,
    ReflectionPeriod,
    Screening,
)
from opennrm.lib.errors import DomainError, NotFound, PermissionDenied
from opennrm.notifications.models import Notification
from opennrm.testing import open_case, org, user

LABOUR_ANSWERS = {
    "DR-01": "yes",
    "DR-08": "yes",
    "EX-01": "yes",
    "EX-04": "yes",
    "CD-01": "yes",
    "CD-14": "yes",
    "VD-01": "unknown",
}
REASONS = (
    "The worker's passport was taken on arrival, wages were withheld for five months and he was locked in."
)


@pytest.fixture
def inspector(world):
    return world.users[RoleCode.LABOUR_INSPECTOR]


@pytest.fixture
def centre(world):
    return world.orgs["centre"]


def _inspector_case(inspector, **kw):
    return open_case(inspector, referral_source="other_government", **kw)


def _refer_and_accept(world, case):
    inspector = world.users[RoleCode.LABOUR_INSPECTOR]
    referral = services.referral_create(
        user=inspector, case=case, to_organisation=world.orgs["centre"], purpose="identification"
    )
    services.referral_respond(
        user=world.users[RoleCode.CENTRE_CASE_MANAGER],
        referral=referral,
        accept=True,
        expected_version=referral.version,
    )
    case.refresh_from_db()
    return referral


@pytest.mark.django_db
def test_a_labour_inspector_screens_and_refers_and_the_centre_identifies(world, inspector, centre):
    case = _inspector_case(inspector)
    screening = services.screening_record(
        user=inspector,
        case=case,
        indicator_set="labour",
        version="2026.1",
        answers=LABOUR_ANSWERS,
        setting="workplace_inspection",
    )
    case.refresh_from_db()
    assert screening.recommendation == "refer"
    assert case.status == CaseStatus.SCREENING
    assert screening.answers.count() == len(LABOUR_ANSWERS)

    referral = services.referral_create(
        user=inspector, case=case, to_organisation=centre, purpose="identification"
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.REFERRED
    assert referral.status == ReferralStatus.PENDING
    # The Centre was already involved from the report: the referral grants nothing new.
    assert referral.involvement is None
    head = world.users[RoleCode.CENTRE_HEAD]
    assert Notification.objects.filter(recipient=head, kind="referral_received", case_code=case.code).exists()

    manager = world.users[RoleCode.CENTRE_CASE_MANAGER]
    services.referral_respond(user=manager, referral=referral, accept=True, expected_version=referral.version)
    case.refresh_from_db()
    assert case.status == CaseStatus.PRESUMED_VICTIM
    assert selectors.removal_bar(case=case).barred
    assert Notification.objects.filter(recipient=inspector, kind="referral_accepted").exists()

    decision = services.decision_issue(
        user=head, case=case, outcome="identified", reasons=REASONS, forms=["labour", "forced_labour"]
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.IDENTIFIED
    assert decision.kind == "initial"
    assert not case.procedures.filter(closed_at__isnull=True).exists()
    note = Notification.objects.get(recipient=inspector, kind="decision_issued")
    assert note.params["outcome"] == "identified" and REASONS not in str(note.params)

    # The inspector sees the outcome but not the reasons; the Centre sees both; an outsider nothing.
    seen = selectors.decisions(user=inspector, case=case)
    assert seen[0]["decision"].outcome == "identified" and seen[0]["reasons"] is None
    assert selectors.decisions(user=manager, case=case)[0]["reasons"] == REASONS
    assert not policy.can(world.outsider, "case.view", case)


@pytest.mark.django_db
def test_a_decision_without_reasons_is_refused_and_nothing_is_written(world, inspector):
    case = _inspector_case(inspector)
    _refer_and_accept(world, case)
    head = world.users[RoleCode.CENTRE_HEAD]
    for reasons in ("", "   ", "too short"):
        with pytest.raises(DomainError) as exc:
            services.decision_issue(
                user=head, case=case, outcome="identified", reasons=reasons, forms=["labour"]
            )
        assert exc.value.field == "reasons"
    with pytest.raises(DomainError) as exc:
        services.decision_issue(user=head, case=case, outcome="identified", reasons=REASONS, forms=[])
    assert exc.value.field == "forms"
    assert IdentificationDecision.objects.filter(case=case).count() == 0
    case.refresh_from_db()
    assert case.status == CaseStatus.PRESUMED_VICTIM


@pytest.mark.django_db
def test_only_the_centre_head_issues_a_decision(world, inspector):
    case = _inspector_case(inspector)
    _refer_and_accept(world, case)
    for role in (RoleCode.CENTRE_CASE_MANAGER, RoleCode.LABOUR_INSPECTOR):
        with pytest.raises(PermissionDenied):
            services.decision_issue(
                user=world.users[role], case=case, outcome="identified", reasons=REASONS, forms=["labour"]
            )
    # A prosecutor's office not involved in the case does not even learn that it exists.
    with pytest.raises(NotFound):
        services.decision_issue(
            user=world.users[RoleCode.PROSECUTOR],
            case=case,
            outcome="identified",
            reasons=REASONS,
            forms=["labour"],
        )
    assert not IdentificationDecision.objects.filter(case=case).exists()


@pytest.mark.django_db
def test_a_decision_is_never_edited_only_superseded(world, inspector):
    case = _inspector_case(inspector)
    _refer_and_accept(world, case)
    head = world.users[RoleCode.CENTRE_HEAD]
    first = services.decision_issue(
        user=head,
        case=case,
        outcome="not_identified",
        reasons="No indicator of exploitation was confirmed.",
        forms=[],
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        IdentificationDecision.objects.filter(pk=first.pk).update(outcome="identified")
    with pytest.raises(DatabaseError), transaction.atomic():
        IdentificationDecision.objects.filter(pk=first.pk).update(legal_basis="edited")
    with pytest.raises(DomainError) as exc:
        services.decision_issue(user=head, case=case, outcome="identified", reasons=REASONS, forms=["labour"])
    assert exc.value.field == "kind"
    review = services.decision_issue(
        user=head, case=case, outcome="identified", reasons=REASONS, forms=["labour"], kind="review"
    )
    first.refresh_from_db()
    assert first.outcome == "not_identified"
    assert review.supersedes_id == first.pk
    history = selectors.decisions(user=head, case=case)
    assert [(d["decision"].pk, d["current"]) for d in history] == [(review.pk, True), (first.pk, False)]
    case.refresh_from_db()
    assert case.status == CaseStatus.IDENTIFIED


@pytest.mark.django_db
def test_a_referral_to_an_organisation_that_cannot_receive_it_is_refused(world, inspector):
    case = _inspector_case(inspector)
    before = Referral.objects.count(), Involvement.objects.count()
    with pytest.raises(DomainError) as exc:
        services.referral_create(
            user=inspector, case=case, to_organisation=world.orgs["school-ns"], purpose="identification"
        )
    assert exc.value.field == "to_organisation"
    with pytest.raises(DomainError):
        services.referral_create(
            user=inspector, case=case, to_organisation=world.orgs["police-bg"], purpose="prosecution"
        )
    assert (Referral.objects.count(), Involvement.objects.count()) == before


@pytest.mark.django_db
def test_a_first_line_organisation_cannot_refer_on_to_services(world, inspector):
    case = _inspector_case(inspector)
    with pytest.raises(PermissionDenied):
        services.referral_create(
            user=inspector, case=case, to_organisation=world.orgs["shelter"], purpose="shelter"
        )
    manager = world.users[RoleCode.CENTRE_CASE_MANAGER]
    referral = services.referral_create(
        user=manager, case=case, to_organisation=world.orgs["shelter"], purpose="shelter"
    )
    assert referral.involvement is not None and referral.involvement.role == "shelter"


@pytest.mark.django_db
def test_declining_needs_a_reason_and_ends_the_access_the_referral_granted(world, inspector):
    case = _inspector_case(inspector)
    police_org = org("police-ns", OrganisationType.POLICE)
    officer = user("officer-ns", RoleCode.POLICE_INVESTIGATOR, police_org)
    referral = services.referral_create(
        user=inspector, case=case, to_organisation=police_org, purpose="investigation"
    )
    assert policy.can(officer, "case.view", case)
    with pytest.raises(DomainError) as exc:
        services.referral_respond(
            user=officer, referral=referral, accept=False, reason="", expected_version=1
        )
    assert exc.value.field == "reason"
    # Someone else than the receiving organisation cannot answer it.
    with pytest.raises(DomainError):
        services.referral_respond(
            user=world.users[RoleCode.CENTRE_CASE_MANAGER], referral=referral, accept=True, expected_version=1
        )
    services.referral_respond(
        user=officer,
        referral=referral,
        accept=False,
        reason="Not our territory: refer to Belgrade.",
        expected_version=1,
    )
    policy.forget()
    assert not policy.can(officer, "case.view", case)
    assert Notification.objects.filter(recipient=inspector, kind="referral_declined").exists()
    with pytest.raises(NotFound):
        services.referral_respond(user=officer, referral=referral, accept=True, expected_version=2)


@pytest.mark.django_db
def test_an_overdue_referral_is_escalated_once_to_the_centre_head(world, inspector, centre):
    case = _inspector_case(inspector)
    referral = services.referral_create(
        user=inspector, case=case, to_organisation=centre, purpose="identification"
    )
    assert services.referrals_escalate() == 0
    later = referral.due_at + dt.timedelta(minutes=1)
    assert services.referrals_escalate(now=later) == 1
    head = world.users[RoleCode.CENTRE_HEAD]
    manager = world.users[RoleCode.CENTRE_CASE_MANAGER]
    assert Notification.objects.filter(recipient=head, kind="referral_overdue").count() == 1
    assert not Notification.objects.filter(recipient=manager, kind="referral_overdue").exists()
    assert Notification.objects.filter(recipient=inspector, kind="referral_overdue").exists()
    assert services.referrals_escalate(now=later) == 0
    Referral.objects.filter(pk=referral.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    assert [r.pk for r in selectors.referrals_overdue(user=head)] == [referral.pk]


@pytest.mark.django_db
def test_a_foreign_presumed_victim_gets_a_reflection_period_and_cannot_be_removed(world, inspector):
    case = _inspector_case(inspector)
    case.person.citizenship = "BD"
    case.person.save()
    _refer_and_accept(world, case)
    period = ReflectionPeriod.objects.get(case=case)
    assert period.days == 90
    assert period.ends_on - period.starts_on == dt.timedelta(days=89)
    bar = selectors.removal_bar(case=case)
    assert bar.barred and "reflection" in bar.grounds and bar.until == period.ends_on
    assert (
        "reflection"
        not in selectors.removal_bar(case=case, today=period.ends_on + dt.timedelta(days=1)).grounds
    )


@pytest.mark.django_db
def test_the_reflection_period_is_never_shorter_than_the_conventions_thirty_days(world, inspector):
    DeadlineRule.objects.filter(country="RS", code="reflection_period").update(amount=40, minimum=None)
    DeadlineRule.objects.filter(country="RS", code="reflection_period").update(amount=10)
    case = _inspector_case(inspector)
    case.person.citizenship = "AL"
    case.person.save()
    _refer_and_accept(world, case)
    assert ReflectionPeriod.objects.get(case=case).days == 30


@pytest.mark.django_db
def test_a_citizen_gets_no_reflection_period(world, inspector):
    case = _inspector_case(inspector)
    _refer_and_accept(world, case)
    assert not ReflectionPeriod.objects.filter(case=case).exists()


@pytest.mark.django_db
def test_the_reflection_alert_goes_once_before_the_end(world, inspector):
    case = _inspector_case(inspector)
    case.person.citizenship = "MK"
    case.person.save()
    _refer_and_accept(world, case)
    period = ReflectionPeriod.objects.get(case=case)
    assert services.reflection_alerts(today=period.starts_on) == 0
    assert services.reflection_alerts(today=period.ends_on - dt.timedelta(days=10)) == 1
    assert services.reflection_alerts(today=period.ends_on - dt.timedelta(days=9)) == 0
    manager = world.users[RoleCode.CENTRE_CASE_MANAGER]
    assert Notification.objects.filter(recipient=manager, kind="reflection_ending").count() == 1


@pytest.mark.django_db
def test_a_person_who_may_be_under_18_is_presumed_a_child_until_assessed(world, inspector):
    case = _inspector_case(inspector, age_min=16, age_max=20)
    case.person.age_disputed = True
    case.person.save()
    assert case.is_child
    manager = world.users[RoleCode.CENTRE_CASE_MANAGER]
    child = selectors.child_protection(user=manager, case=case)
    assert child.required and child.presumed and not child.overdue
    services.age_assessment_record(
        user=manager, case=case, assessed_on=timezone.localdate(), method="interview", outcome="undetermined"
    )
    case.refresh_from_db()
    assert case.is_child  # an undetermined outcome keeps the presumption
    services.age_assessment_record(
        user=manager, case=case, assessed_on=timezone.localdate(), method="documents", outcome="adult"
    )
    case.refresh_from_db()
    assert not case.is_child
    assert not selectors.child_protection(user=manager, case=case).required


@pytest.mark.django_db
def test_a_child_case_shows_the_guardian_appointment_overdue(world, inspector):
    case = _inspector_case(inspector, age_min=14, age_max=15)
    social_worker = world.users[RoleCode.SOCIAL_WORKER]
    Involvement.objects.create(case=case, organisation=world.orgs["csw-bg"], role="guardian")
    case.opened_at = timezone.now() - dt.timedelta(days=5)
    case.save(update_fields=["opened_at"])
    child = selectors.child_protection(user=social_worker, case=case)
    assert child.required and child.overdue
    with pytest.raises(PermissionDenied):
        services.guardian_appoint(
            user=world.users[RoleCode.CENTRE_CASE_MANAGER], case=case, appointed_on=None
        )
    with pytest.raises(DomainError):
        services.guardian_appoint(
            user=social_worker, case=case, appointed_on=timezone.localdate() + dt.timedelta(days=2)
        )
    services.guardian_appoint(user=social_worker, case=case, appointed_on=timezone.localdate())
    child = selectors.child_protection(user=social_worker, case=case)
    assert child.appointment is not None and not child.overdue


@pytest.mark.django_db
def test_a_child_may_be_referred_for_identification_to_a_centre_for_social_work(world, inspector):
    adult = _inspector_case(inspector)
    child = _inspector_case(inspector, age_min=12, age_max=13)
    with pytest.raises(DomainError):
        services.referral_create(
            user=inspector, case=adult, to_organisation=world.orgs["csw-bg"], purpose="identification"
        )
    referral = services.referral_create(
        user=inspector, case=child, to_organisation=world.orgs["csw-bg"], purpose="identification"
    )
    assert referral.involvement.role == "identifying_body"


@pytest.mark.django_db
def test_a_screening_against_an_unknown_indicator_set_version_is_refused(world, inspector):
    case = _inspector_case(inspector)
    for code, version in (("labour", "1999.1"), ("astrology", "2026.1")):
        with pytest.raises(DomainError) as exc:
            services.screening_record(
                user=inspector,
                case=case,
                indicator_set=code,
                version=version,
                answers={"DR-01": "yes"},
                setting="interview",
            )
        assert exc.value.field == "indicator_set"
    with pytest.raises(DomainError) as exc:
        services.screening_record(
            user=inspector,
            case=case,
            indicator_set="labour",
            version="2026.1",
            answers={"XX-99": "yes"},
            setting="interview",
        )
    assert exc.value.field == "answers" and "XX-99" in exc.value.message
    with pytest.raises(DomainError):
        services.screening_record(
            user=inspector,
            case=case,
            indicator_set="labour",
            version="2026.1",
            answers={"DR-01": "maybe"},
            setting="interview",
        )
    assert Screening.objects.filter(case=case).count() == 0


@pytest.mark.django_db
def test_a_prosecutor_or_shelter_cannot_screen_or_refer(world):
    case = world.own_case
    for role in (RoleCode.PROSECUTOR, RoleCode.SHELTER_STAFF):
        with pytest.raises(PermissionDenied):
            services.screening_record(
                user=world.users[role],
                case=case,
                indicator_set="general",
                version="2026.1",
                answers={"UN-G01": "yes"},
                setting="interview",
            )
        with pytest.raises(PermissionDenied):
            services.referral_create(
                user=world.users[role],
                case=case,
                to_organisation=world.orgs["centre"],
                purpose="identification",
            )
    with pytest.raises(NotFound):
        services.screening_record(
            user=world.outsider,
            case=case,
            indicator_set="general",
            version="2026.1",
            answers={"UN-G01": "yes"},
            setting="interview",
        )


@pytest.mark.django_db
def test_an_overdue_guardian_appointment_is_announced_once(world, inspector):
    case = _inspector_case(inspector, age_min=14, age_max=15)
    Involvement.objects.create(case=case, organisation=world.orgs["csw-bg"], role="guardian")
    assert services.guardian_alerts() == 0
    later = timezone.now() + dt.timedelta(days=5)
    assert services.guardian_alerts(now=later) == 1
    social_worker = world.users[RoleCode.SOCIAL_WORKER]
    assert Notification.objects.filter(recipient=social_worker, kind="guardian_overdue").count() == 1
    assert services.guardian_alerts(now=later) == 0


@pytest.mark.django_db
def test_the_deadlines_command_runs_the_notices_and_changes_rules_within_their_floor(world, inspector):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("deadlines", "run", stdout=out)
    assert "referrals escalated: 0" in out.getvalue()
    call_command("deadlines", "set", "referral_response", "48", stdout=out)
    assert DeadlineRule.objects.get(country="RS", code="referral_response").amount == 48
    with pytest.raises(CommandError):
        call_command("deadlines", "set", "reflection_period", "20", stdout=out)
    assert DeadlineRule.objects.get(country="RS", code="reflection_period").amount == 90
    call_command("deadlines", "list", stdout=out)
    assert "reflection_period: 90 days (minimum 30)" in out.getvalue()


@pytest.mark.django_db
def test_key_rotation_reencrypts_decisions_and_procedure_records_and_they_stay_immutable(world, inspector):
    from django.core.management import call_command

    from opennrm.core.models import DataKey
    from opennrm.identification.models import ProcedureRecord

    case = _inspector_case(inspector)
    _refer_and_accept(world, case)
    manager, head = world.users[RoleCode.CENTRE_CASE_MANAGER], world.users[RoleCode.CENTRE_HEAD]
    services.procedure_record_add(
        user=manager,
        case=case,
        kind="interview",
        happened_on=None,
        organisation=None,
        text="Interview notes.",
    )
    decision = services.decision_issue(
        user=head, case=case, outcome="identified", reasons=REASONS, forms=["labour"]
    )
    call_command("rotate_data_key", "--batch-size", "1")
    new_key = DataKey.objects.get(is_active=True)
    assert not IdentificationDecision.objects.exclude(data_key=new_key).exists()
    assert not ProcedureRecord.objects.exclude(data_key=new_key).exists()
    assert selectors.decisions(user=head, case=case)[0]["reasons"] == REASONS
    assert selectors.procedure_records(user=manager, case=case)[0]["text"] == "Interview notes."
    decision.refresh_from_db()
    assert decision.outcome == "identified"
    with pytest.raises(DatabaseError), transaction.atomic():
        IdentificationDecision.objects.filter(pk=decision.pk).update(decided_at=timezone.now())


@pytest.mark.django_db
def test_reasons_are_encrypted_at_rest_and_bound_to_their_case(world, inspector):
    from opennrm.core import crypto
    from opennrm.identification.models import decision_aad

    case = _inspector_case(inspector)
    _refer_and_accept(world, case)
    decision = services.decision_issue(
        user=world.users[RoleCode.CENTRE_HEAD],
        case=case,
        outcome="identified",
        reasons=REASONS,
        forms=["labour"],
    )
    raw = bytes(IdentificationDecision.objects.values_list("ciphertext", flat=True).get(pk=decision.pk))
    assert b"passport" not in raw
    with pytest.raises(Exception):  # noqa: B017 - any authentication failure
        crypto.decrypt(decision.data_key_id, raw, aad=decision_aad(world.own_case.code))


@pytest.mark.django_db
def test_another_organisation_gives_its_opinion_but_records_nothing_else(world, inspector):
    case = _inspector_case(inspector)
    _refer_and_accept(world, case)
    services.procedure_record_add(
        user=inspector,
        case=case,
        kind="opinion",
        happened_on=None,
        organisation=None,
        text="The inspectorate found 14-hour shifts and no contracts.",
    )
    with pytest.raises(DomainError) as exc:
        services.procedure_record_add(
            user=inspector,
            case=case,
            kind="interview",
            happened_on=None,
            organisation=None,
            text="An interview.",
        )
    assert exc.value.field == "kind"
    # The inspector does not read the procedure's records back; the Centre does.
    assert selectors.procedure_records(user=inspector, case=case) == []
    records = selectors.procedure_records(user=world.users[RoleCode.CENTRE_CASE_MANAGER], case=case)
    assert [(r["record"].kind, r["record"].organisation_id) for r in records] == [
        ("opinion", inspector.organisation_id)
    ]
