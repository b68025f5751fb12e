"""Needs, the assistance plan and its services: who does what, what the provider receives, bad input,
and the rule that assistance never depends on cooperation with the authorities."""

from __future__ import annotations

import datetime as dt
import inspect

import pytest

from opennrm.accounts.models import OrganisationType
from opennrm.accounts.roles import RoleCode
from opennrm.assistance import selectors, services
from opennrm.assistance.models import (
    AssessedNeed,
    AssistancePlan,
    AssistanceService,
    CooperationRecord,
    DataConsent,
    DeclineReason,
    NeedsAssessment,
    ServiceStatus,
)
from opennrm.audit.models import AuditEvent
from opennrm.cases import selectors as case_selectors
from opennrm.cases.models import Case, CaseStatus, Involvement, InvolvementRole
from opennrm.lib import clock
from opennrm.lib.errors import ConflictError, DomainError, NotFound, PermissionDenied
from opennrm.notifications.models import Notification
from opennrm.testing import org, user

TODAY = clock.today


@pytest.fixture
def manager(world):
    return world.users[RoleCode.CENTRE_CASE_MANAGER]


@pytest.fixture
def case(world):
    """The world's own case, a presumed victim (the Centre is its identifying body)."""
    Case.objects.filter(pk=world.own_case.pk).update(status=CaseStatus.PRESUMED_VICTIM)
    world.own_case.refresh_from_db()
    return world.own_case


@pytest.fixture
def health(world):
    o = org("health-bg", OrganisationType.HEALTH, "Dom zdravlja Palilula")
    return o, user("doctor", RoleCode.NGO_CASE_WORKER, o)


@pytest.fixture
def atina(world):
    """An NGO with no part in the case until a service is requested from it."""
    return world.orgs["atina"], world.outsider


def _request(
    manager, case, provider, service_type="psychosocial_support", consent=DataConsent.REQUEST_ONLY, **kw
):
    return services.service_request(
        user=manager,
        case=case,
        service_type=service_type,
        provider=provider,
        planned_from=kw.pop("planned_from", TODAY()),
        data_consent=consent,
        consent_how="written",
        **kw,
    )


# --- the plan and its preconditions ---------------------------------------------------------------


@pytest.mark.django_db
def test_assistance_is_planned_only_once_there_are_reasonable_grounds(world, manager, atina):
    reported = world.own_case  # still "reported"
    with pytest.raises(DomainError) as exc:
        _request(manager, reported, atina[0])
    assert exc.value.field == "case"
    assert not AssistancePlan.objects.exists() and not AssistanceService.objects.exists()


@pytest.mark.django_db
def test_needs_assessment_records_needs_with_priorities_and_refuses_an_unknown_need(case, manager):
    a = services.needs_assess(
        user=manager,
        case=case,
        needs={"safe_accommodation": "urgent", "medical_care": "high"},
        interpreter_language="sq",
    )
    assert {(n.service_type, n.priority) for n in a.needs.all()} == {
        ("safe_accommodation", "urgent"),
        ("medical_care", "high"),
    }
    with pytest.raises(DomainError) as exc:
        services.needs_assess(user=manager, case=case, needs={"astrology": "high"})
    assert exc.value.field == "needs"
    assert NeedsAssessment.objects.count() == 1 and AssessedNeed.objects.count() == 2


@pytest.mark.django_db
def test_only_the_coordinating_organisation_keeps_the_plan(world, case, atina):
    police = world.users[RoleCode.POLICE_INVESTIGATOR]
    with pytest.raises(PermissionDenied):
        _request(police, case, atina[0])
    with pytest.raises(NotFound):
        _request(world.users[RoleCode.CENTRE_CASE_MANAGER], world.other_case, atina[0])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes, field",
    [
        ({"service_type": "astrology"}, "service_type"),
        ({"service_type": "legal_aid", "provider": "school"}, "provider"),
        ({"planned_until": "2020-01-01"}, "planned_until"),
        ({"planned_from": "2026-02-30"}, "planned_from"),
        ({"consent_on": "2999-01-01"}, "consent_on"),
        ({"data_consent": "everything"}, "data_consent"),
    ],
)
def test_bad_service_requests_name_the_field_and_change_nothing(world, case, manager, atina, changes, field):
    provider = world.orgs["school-ns"] if changes.pop("provider", None) == "school" else atina[0]
    args = {"service_type": "psychosocial_support", "consent": DataConsent.REQUEST_ONLY, **changes}
    if "data_consent" in args:
        args["consent"] = args.pop("data_consent")
    with pytest.raises(DomainError) as exc:
        _request(manager, case, provider, **args)
    assert exc.value.field == field
    assert not AssistanceService.objects.exists() and not AssistancePlan.objects.exists()
    assert not Involvement.objects.filter(case=case, organisation=atina[0]).exists()


# --- what the provider receives -------------------------------------------------------------------


@pytest.mark.django_db
def test_without_consent_to_share_the_file_the_provider_gets_the_request_alone(case, manager, atina):
    ngo, worker = atina
    service = _request(manager, case, ngo, consent=DataConsent.REQUEST_ONLY)
    assert service.involvement is None
    with pytest.raises(NotFound):
        case_selectors.case_get(user=worker, code=case.code)
    assert list(selectors.provider_inbox(worker)) == [service]
    assert Notification.objects.filter(recipient=worker, kind="service_requested").exists()
    # The provider moves its own service on without seeing the case.
    s = services.service_for_provider(user=worker, pk=service.pk)
    s = services.service_update_status(user=worker, service=s, status="accepted", expected_version=s.version)
    s = services.service_update_status(
        user=worker, service=s, status="in_progress", expected_version=s.version
    )
    s = services.service_update_status(user=worker, service=s, status="completed", expected_version=s.version)
    assert s.status == ServiceStatus.COMPLETED and s.accepted_on and s.started_on and s.ended_on
    assert list(selectors.provider_inbox(worker)) == []


@pytest.mark.django_db
def test_consent_to_share_the_file_involves_the_provider_and_withdrawal_or_decline_ends_it(
    case, manager, atina
):
    ngo, worker = atina
    service = _request(manager, case, ngo, consent=DataConsent.CASE_FILE)
    assert service.involvement.role == InvolvementRole.SERVICE_PROVIDER
    assert case_selectors.case_get(user=worker, code=case.code) == case
    services.service_consent_withdraw(user=manager, service=service, expected_version=service.version)
    with pytest.raises(NotFound):
        case_selectors.case_get(user=worker, code=case.code)
    # The request itself stays with the provider.
    assert list(selectors.provider_inbox(worker)) == [service]

    other = _request(manager, case, ngo, service_type="legal_counselling", consent=DataConsent.CASE_FILE)
    assert case_selectors.case_get(user=worker, code=case.code) == case
    services.service_update_status(
        user=worker,
        service=other,
        status="declined_by_provider",
        expected_version=other.version,
        decline_reason=DeclineReason.NO_CAPACITY,
        reason="No lawyer free before next month.",
    )
    with pytest.raises(NotFound):
        case_selectors.case_get(user=worker, code=case.code)


@pytest.mark.django_db
def test_a_health_provider_joins_as_health_care(case, manager, health):
    service = _request(manager, case, health[0], service_type="medical_care", consent=DataConsent.CASE_FILE)
    assert service.involvement.role == InvolvementRole.HEALTH


@pytest.mark.django_db
def test_steps_follow_the_order_and_belong_to_who_may_take_them(case, manager, atina):
    ngo, worker = atina
    service = _request(manager, case, ngo)
    with pytest.raises(DomainError) as exc:  # completed before it started
        services.service_update_status(user=worker, service=service, status="completed", expected_version=1)
    assert exc.value.field == "status"
    with pytest.raises(DomainError):  # only the provider accepts
        services.service_update_status(user=manager, service=service, status="accepted", expected_version=1)
    with pytest.raises(DomainError):  # only the coordinator records the person's refusal
        services.service_update_status(
            user=worker,
            service=service,
            status="refused_by_person",
            expected_version=1,
            reason="Does not want it.",
        )
    with pytest.raises(DomainError) as exc:  # a refusal needs its reason
        services.service_update_status(
            user=manager, service=service, status="refused_by_person", expected_version=1
        )
    assert exc.value.field == "reason"
    service.refresh_from_db()
    assert service.status == ServiceStatus.REQUESTED and service.version == 1


@pytest.mark.django_db
def test_a_stale_version_is_refused_and_changes_nothing(case, manager, atina):
    ngo, worker = atina
    service = _request(manager, case, ngo)
    services.service_update_status(user=worker, service=service, status="accepted", expected_version=1)
    stale = AssistanceService.objects.get(pk=service.pk)
    with pytest.raises(ConflictError):
        services.service_update_status(
            user=worker,
            service=stale,
            status="declined_by_provider",
            expected_version=1,
            decline_reason="no_capacity",
            reason="No capacity any more.",
        )
    stale.refresh_from_db()
    assert stale.status == ServiceStatus.ACCEPTED


@pytest.mark.django_db
def test_a_prosecutor_does_not_learn_of_therapy_or_medical_care(world, case, manager, atina, health):
    _request(manager, case, atina[0], service_type="psychological_support")
    _request(manager, case, health[0], service_type="medical_care")
    _request(manager, case, atina[0], service_type="legal_aid")
    prosecutor = world.users[RoleCode.PROSECUTOR]
    assert [s.service_type for s in selectors.services_visible(prosecutor, case)] == ["legal_aid"]
    assert len(selectors.services_visible(manager, case)) == 3


@pytest.mark.django_db
def test_the_person_languages_go_with_every_service_when_an_interpreter_is_needed(case, manager, atina):
    person = case.person
    person.languages = ["sq"]
    person.interpreter_needed = True
    person.save()
    assert _request(manager, case, atina[0]).interpreter_language == "sq"


# --- children: the guardian approves the plan -----------------------------------------------------


@pytest.mark.django_db
def test_the_guardian_approves_a_version_of_a_childs_plan_and_a_later_change_needs_approval_again(
    world, case, manager, atina
):
    Case.objects.filter(pk=case.pk).update(is_child=True)
    case.refresh_from_db()
    guardian = world.users[RoleCode.SOCIAL_WORKER]  # csw-bg is the guardian in the world's case
    _request(manager, case, atina[0], service_type="education")
    plan = AssistancePlan.objects.get(case=case)
    assert not plan.guardian_approval_current
    with pytest.raises(PermissionDenied):
        services.plan_approve(user=manager, plan=plan, expected_version=plan.version)
    plan = services.plan_approve(user=guardian, plan=plan, expected_version=plan.version)
    assert plan.guardian_approval_current
    _request(manager, case, atina[0], service_type="psychosocial_support")
    plan.refresh_from_db()
    assert not plan.guardian_approval_current


@pytest.mark.django_db
def test_an_adults_plan_needs_no_guardian(world, case, manager, atina):
    _request(manager, case, atina[0])
    plan = AssistancePlan.objects.get(case=case)
    with pytest.raises(DomainError):
        services.plan_approve(
            user=world.users[RoleCode.SOCIAL_WORKER], plan=plan, expected_version=plan.version
        )


# --- unconditional assistance (CETS 197 Art. 12(6)) -------------------------------------------------


def _walk_a_service(manager, case, provider, worker):
    s = _request(manager, case, provider, service_type="material_support")
    for step in ("accepted", "in_progress", "completed"):
        s = services.service_update_status(user=worker, service=s, status=step, expected_version=s.version)
    return s


@pytest.mark.django_db
def test_a_refusal_to_give_a_statement_changes_no_service(world, case, manager, atina):
    ngo, worker = atina
    police = world.users[RoleCode.POLICE_INVESTIGATOR]
    running = _request(manager, case, ngo, service_type="psychosocial_support")
    before = AssistanceService.objects.filter(case=case).values_list("id", "status", "version")
    before = list(before)

    services.cooperation_record(user=police, case=case, stance="declines")

    assert list(AssistanceService.objects.filter(case=case).values_list("id", "status", "version")) == before
    # Every step still works exactly as for anyone else.
    done = _walk_a_service(manager, case, ngo, worker)
    assert done.status == ServiceStatus.COMPLETED
    s = services.service_update_status(user=worker, service=running, status="accepted", expected_version=1)
    assert s.status == ServiceStatus.ACCEPTED
    assert CooperationRecord.objects.get(case=case).stance == "declines"


def test_nothing_in_the_assistance_can_gate_on_cooperation():
    """No field of the plan or its services, and no parameter of a service function, carries the
    person's cooperation; the only mention is the flag that catches a refusal stating it."""
    for model in (AssistancePlan, AssistanceService, NeedsAssessment, AssessedNeed):
        names = {f.name for f in model._meta.get_fields()}
        assert {n for n in names if "cooperat" in n} <= {"non_cooperation_flag"}, model
    for name, fn in inspect.getmembers(services, inspect.isfunction):
        if fn.__module__ != services.__name__ or name == "cooperation_record":
            continue
        assert not [p for p in inspect.signature(fn).parameters if "cooperat" in p or "stance" in p], name


@pytest.mark.django_db
@pytest.mark.parametrize(
    "category, reason, flagged",
    [
        (DeclineReason.NON_COOPERATION, "We only take women who testify.", True),
        (DeclineReason.OTHER, "She refused to give a statement to the police.", True),
        (DeclineReason.OTHER, "Није хтела да сарађује са полицијом.", True),
        (DeclineReason.NOT_ELIGIBLE, "Nije dala izjavu tužilaštvu.", True),
        (DeclineReason.NO_CAPACITY, "No free places this month.", False),
    ],
)
def test_a_decline_for_non_cooperation_is_flagged_counted_and_reported(
    world, case, manager, atina, category, reason, flagged
):
    ngo, worker = atina
    s = _request(manager, case, ngo)
    s = services.service_update_status(
        user=worker,
        service=s,
        status="declined_by_provider",
        expected_version=s.version,
        decline_reason=category,
        reason=reason,
    )
    assert s.non_cooperation_flag is flagged
    assert selectors.conditioned_refusals()["total"] == (1 if flagged else 0)
    assert AuditEvent.objects.filter(action="assistance_conditioned", object_id=str(s.pk)).exists() is flagged
    centre_told = Notification.objects.filter(
        recipient=manager, kind="service_conditioned", case_code=case.code
    )
    assert centre_told.exists() is flagged


@pytest.mark.django_db
def test_statistics_count_services_and_persons_by_type(case, manager, atina):
    _request(manager, case, atina[0], service_type="legal_aid")
    _request(manager, case, atina[0], service_type="psychosocial_support")
    rows = {r["service_type"]: r for r in selectors.service_statistics()}
    assert rows["legal_aid"]["requested"] == 1 and rows["legal_aid"]["persons"] == 1
    assert rows["psychosocial_support"]["open"] == 1


@pytest.mark.django_db
def test_a_service_planned_more_than_a_year_ahead_is_refused(case, manager, atina):
    with pytest.raises(DomainError) as exc:
        _request(manager, case, atina[0], planned_from=TODAY() + dt.timedelta(days=400))
    assert exc.value.field == "planned_from"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "reason",
    [
        "refuses to talk to the police",
        "won't help the investigation",
        "odbila da razgovara sa policijom",
        "није хтела да сведочи на суду",
    ],
)
def test_non_cooperation_in_other_words_is_flagged_too(case, manager, atina, reason):
    ngo, worker = atina
    s = _request(manager, case, ngo)
    s = services.service_update_status(
        user=worker,
        service=s,
        status="declined_by_provider",
        expected_version=s.version,
        decline_reason=DeclineReason.OTHER,
        reason=reason,
    )
    assert s.non_cooperation_flag


@pytest.mark.django_db
def test_a_step_cannot_be_dated_before_the_step_before_it(case, manager, atina):
    ngo, worker = atina
    s = _request(manager, case, ngo)
    with pytest.raises(DomainError) as exc:
        services.service_update_status(
            user=worker, service=s, status="accepted", expected_version=1, on=TODAY() - dt.timedelta(days=3)
        )
    assert exc.value.field == "on"
    with pytest.raises(DomainError) as exc:
        services.service_update_status(
            user=manager,
            service=s,
            status="refused_by_person",
            expected_version=1,
            reason="Does not want it any more.",
            decline_reason="garbage-not-a-choice",
        )
    assert exc.value.field == "decline_reason"
