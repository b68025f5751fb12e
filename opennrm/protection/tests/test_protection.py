"""Risk assessments, protection measures, and whereabouts withheld from everyone but the named staff at
high or critical risk: on the pages, in the API and when the identity is edited."""

from __future__ import annotations

import datetime as dt

import pytest

from opennrm.accounts.roles import RoleCode
from opennrm.cases import services as case_services
from opennrm.lib import clock
from opennrm.lib.errors import ConflictError, DomainError, PermissionDenied
from opennrm.people import selectors as people_selectors
from opennrm.people.models import PersonIdentity
from opennrm.protection import risk, selectors, services
from opennrm.protection.models import NamedStaff, RiskAssessment, RiskFactor
from opennrm.testing import login_verified

ADDRESS = "Ulica Test 1, Novi Sad"

NONE = dict.fromkeys(RiskFactor.values, "no")


def answers(**yes: str) -> dict[str, str]:
    return {**NONE, **yes}


@pytest.fixture
def manager(world):
    return world.users[RoleCode.CENTRE_CASE_MANAGER]


@pytest.fixture
def case(world, manager):
    case = world.own_case
    identity = people_selectors.identity_read(user=manager, person=case.person) or {}
    case_services.person_update(
        user=manager,
        person=case.person,
        expected_version=case.person.version,
        attributes={},
        identity={**identity, "addresses": [ADDRESS]},
    )
    case.person.refresh_from_db()
    return case


# --- the rule -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "yes, level",
    [
        ({}, "low"),
        ({"previous_retrafficking": "yes"}, "medium"),
        ({"trafficker_threats": "yes"}, "high"),
        ({"witness_role": "yes", "organised_group": "yes"}, "high"),
        ({"family_involved": "yes", "risk_to_relatives": "yes", "traffickers_at_large": "yes"}, "high"),
        ({"trafficker_threats": "yes", "traffickers_know_location": "yes"}, "critical"),
        (
            {
                "organised_group": "yes",
                "family_involved": "yes",
                "witness_role": "yes",
                "risk_to_relatives": "yes",
                "traffickers_at_large": "yes",
            },
            "critical",
        ),
        ({"traffickers_know_location": "unknown"}, "medium"),
    ],
)
def test_the_level_follows_from_the_factors_with_reasons(yes, level):
    result = risk.assess(answers(**yes))
    assert result.level == level and result.reasons


# --- assessments ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_assessment_sets_the_reassessment_date_by_level(case, manager):
    a = services.risk_assess(user=manager, case=case, answers=answers(trafficker_threats="yes"))
    assert a.level == "high" and a.reassess_by == clock.today() + dt.timedelta(days=14)
    low = services.risk_assess(user=manager, case=case, answers=answers())
    assert low.reassess_by == clock.today() + dt.timedelta(days=90)
    assert selectors.current_assessment(case) == low


@pytest.mark.django_db
def test_the_level_can_be_raised_with_reasons_but_never_lowered(case, manager):
    with pytest.raises(DomainError) as exc:
        services.risk_assess(user=manager, case=case, answers=answers(trafficker_threats="yes"), level="low")
    assert exc.value.field == "level"
    with pytest.raises(DomainError) as exc:
        services.risk_assess(user=manager, case=case, answers=answers(), level="high", raised_reason="short")
    assert exc.value.field == "raised_reason"
    a = services.risk_assess(
        user=manager,
        case=case,
        answers=answers(),
        level="high",
        raised_reason="A car with foreign plates waited outside the school twice this week.",
    )
    assert (a.computed_level, a.level) == ("low", "high")


@pytest.mark.django_db
def test_every_factor_must_be_answered_and_unknown_factors_are_refused(case, manager):
    partial = dict(NONE)
    partial.pop("witness_role")
    with pytest.raises(DomainError) as exc:
        services.risk_assess(user=manager, case=case, answers=partial)
    assert exc.value.field == "witness_role"
    with pytest.raises(DomainError) as exc:
        services.risk_assess(user=manager, case=case, answers={**NONE, "astrology": "yes"})
    assert exc.value.field == "astrology"
    assert not RiskAssessment.objects.exists()


@pytest.mark.django_db
def test_a_school_or_a_prosecutor_cannot_assess_the_risk(world, case):
    for role in (RoleCode.FIRST_LINE_REPORTER, RoleCode.PROSECUTOR):
        with pytest.raises(PermissionDenied):
            services.risk_assess(user=world.users[role], case=case, answers=answers())


@pytest.mark.django_db
def test_the_investigating_police_assess_and_record_police_protection(world, case):
    police = world.users[RoleCode.POLICE_INVESTIGATOR]
    services.risk_assess(user=police, case=case, answers=answers(trafficker_threats="yes"))
    m = services.measure_add(
        user=police, case=case, kind="police_protection", responsible=world.orgs["police-bg"]
    )
    with pytest.raises(DomainError):  # already in place
        services.measure_add(
            user=police, case=case, kind="police_protection", responsible=world.orgs["police-bg"]
        )
    with pytest.raises(DomainError) as exc:
        services.measure_end(
            user=police,
            measure=m,
            expected_version=m.version,
            ended_on=clock.today() - dt.timedelta(days=3),
            reason="Threat over.",
        )
    assert exc.value.field == "ended_on"
    services.measure_end(user=police, measure=m, expected_version=m.version, reason="Suspects arrested.")
    other = services.measure_add(user=police, case=case, kind="relocation", responsible=world.orgs["centre"])
    with pytest.raises(ConflictError):
        services.measure_end(user=police, measure=other, expected_version=other.version + 1, reason="stale")
    other.refresh_from_db()
    assert other.ended_on is None


@pytest.mark.django_db
def test_the_witness_programme_is_shown_only_to_readers_of_legal_and_security_content(world, case, manager):
    services.measure_add(
        user=manager, case=case, kind="witness_protection", responsible=world.orgs["police-bg"]
    )
    services.measure_add(user=manager, case=case, kind="safe_communication", responsible=world.orgs["centre"])
    shelter = world.users[RoleCode.SHELTER_STAFF]
    assert [m.kind for m in selectors.measures_visible(shelter, case)] == ["safe_communication"]
    assert len(selectors.measures_visible(world.users[RoleCode.POLICE_INVESTIGATOR], case)) == 2
    assert selectors.measures_visible(world.users[RoleCode.PROSECUTOR], case) == []


# --- whereabouts ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_at_high_risk_only_the_named_staff_see_the_address(world, case, manager):
    police = world.users[RoleCode.POLICE_INVESTIGATOR]
    before = people_selectors.identity_read(user=police, person=case.person)
    assert before["addresses"] == [ADDRESS]

    services.risk_assess(user=manager, case=case, answers=answers(trafficker_threats="yes"))
    # The assessor was named, as nobody was.
    assert list(NamedStaff.objects.filter(case=case).values_list("user", flat=True)) == [manager.pk]
    assert people_selectors.identity_read(user=manager, person=case.person)["addresses"] == [ADDRESS]
    withheld = people_selectors.identity_read(user=police, person=case.person)
    assert withheld["addresses"] == ["withheld"]
    assert withheld["given_names"] == before["given_names"]

    services.staff_name(user=manager, case=case, named=police)
    assert people_selectors.identity_read(user=police, person=case.person)["addresses"] == [ADDRESS]

    # Back to low: everyone who may read the identity sees the address again.
    services.risk_assess(user=manager, case=case, answers=answers())
    head = world.users[RoleCode.CENTRE_HEAD]
    assert people_selectors.identity_read(user=head, person=case.person)["addresses"] == [ADDRESS]


@pytest.mark.django_db
def test_saving_the_identity_with_withheld_whereabouts_keeps_the_stored_address(world, case, manager):
    services.risk_assess(user=manager, case=case, answers=answers(trafficker_threats="yes"))
    head = world.users[RoleCode.CENTRE_HEAD]  # may edit identity, not named
    shown = people_selectors.identity_read(user=head, person=case.person)
    assert shown["addresses"] == ["withheld"]
    case_services.person_update(
        user=head,
        person=case.person,
        expected_version=case.person.version,
        attributes={},
        identity={**shown, "addresses": ["somewhere the head typed"]},
    )
    assert people_selectors.identity_read(user=manager, person=case.person)["addresses"] == [ADDRESS]
    assert PersonIdentity.objects.filter(person=case.person).count() == 1


@pytest.mark.django_db
def test_withheld_whereabouts_in_the_api_and_on_the_pages(client, world, case, manager):
    services.risk_assess(user=manager, case=case, answers=answers(trafficker_threats="yes"))
    police = world.users[RoleCode.POLICE_INVESTIGATOR]
    login_verified(client, police)
    api = client.get(f"/api/v1/persons/{case.person.code}/").json()
    assert api["identity"]["addresses"] == ["withheld"]
    for url in (
        f"/persons/{case.person.code}/",
        f"/cases/{case.code}/",
        f"/persons/{case.person.code}/edit/",
    ):
        body = client.get(url).content.decode()
        assert ADDRESS not in body, url
    assert "withheld" in client.get(f"/persons/{case.person.code}/").content.decode()


@pytest.mark.django_db
def test_only_staff_of_involved_organisations_can_be_named(world, case, manager):
    with pytest.raises(DomainError) as exc:
        services.staff_name(user=manager, case=case, named=world.outsider)
    assert exc.value.field == "user"
    with pytest.raises(PermissionDenied):
        services.staff_name(user=world.users[RoleCode.POLICE_INVESTIGATOR], case=case, named=manager)


# --- API ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_risk_assessment_and_measures(client, world, case, manager):
    login_verified(client, manager)
    r = client.post(
        f"/api/v1/cases/{case.code}/risk-assessments/",
        {"answers": answers(trafficker_threats="yes", traffickers_know_location="yes")},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["level"] == "critical" and r.json()["reasons"]
    bad = client.post(
        f"/api/v1/cases/{case.code}/risk-assessments/",
        {"answers": {"trafficker_threats": "yes"}},
        content_type="application/json",
    )
    assert bad.status_code == 422
    r = client.post(
        f"/api/v1/cases/{case.code}/protection-measures/",
        {"kind": "relocation", "responsible": "centre"},
        content_type="application/json",
    )
    assert r.status_code == 201
    assert client.get(f"/api/v1/cases/{world.other_case.code}/risk-assessments/").status_code == 404
    client.logout()
    login_verified(client, world.users[RoleCode.PROSECUTOR])
    assert client.get(f"/api/v1/cases/{case.code}/risk-assessments/").json() == []


@pytest.mark.django_db
def test_the_restriction_column_is_the_newest_assessment_of_any_of_the_persons_cases(world, case, manager):
    """The whereabouts gate trusts Person.whereabouts_restricted: it must be the rule, whatever order
    the assessments come in and however many cases the person has."""
    import importlib

    from django.apps import apps

    from opennrm.cases.models import Case, Involvement, InvolvementRole
    from opennrm.people.models import Person
    from opennrm.testing import open_case

    person = case.person

    def stored() -> bool:
        return Person.objects.get(pk=person.pk).whereabouts_restricted

    def by_the_rule() -> bool:
        return selectors.restricted_cases(person).exists()

    assert not stored()
    services.risk_assess(user=manager, case=case, answers=answers(trafficker_threats="yes"))
    assert stored() and case.person.whereabouts_restricted  # in memory too, for the rest of the request
    # A back-dated low assessment is not the newest one: still restricted.
    services.risk_assess(
        user=manager, case=case, answers=answers(), assessed_on=clock.today() - dt.timedelta(days=30)
    )
    assert stored() == by_the_rule() is True
    # A second case of the same person, at low risk, does not lift the first case's restriction.
    second = open_case(world.users[RoleCode.FIRST_LINE_REPORTER], given="Druga", family="Testović")
    Case.objects.filter(pk=second.pk).update(person=person)
    second.refresh_from_db()
    if not Involvement.objects.filter(case=second, organisation=manager.organisation).exists():
        Involvement.objects.create(
            case=second, organisation=manager.organisation, role=InvolvementRole.CASE_COORDINATION
        )
    services.risk_assess(user=manager, case=second, answers=answers())
    assert stored() == by_the_rule() is True
    services.risk_assess(user=manager, case=case, answers=answers())
    assert stored() == by_the_rule() is False
    assert not case.person.whereabouts_restricted
    services.risk_assess(
        user=manager, case=second, answers=answers(trafficker_threats="yes", traffickers_know_location="yes")
    )
    assert stored() == by_the_rule() is True

    # The migration that filled the column for databases assessed before it agrees with the rule.
    Person.objects.update(whereabouts_restricted=False)
    backfill = importlib.import_module("opennrm.protection.migrations.0004_whereabouts_restriction_backfill")
    backfill.backfill(apps, None)
    assert stored() is True
    assert not Person.objects.get(pk=world.other_case.person_id).whereabouts_restricted


@pytest.mark.django_db
def test_the_current_assessment_is_the_newest_of_its_case_and_the_queue_reads_only_it(world, case, manager):
    """The reassessment queue trusts RiskAssessment.is_current: exactly one current row per assessed
    case, the newest by date then id, whatever order the assessments come in."""
    import importlib

    from django.apps import apps

    from opennrm.cases.models import Case

    today = clock.today()

    def current() -> list[int]:
        return list(RiskAssessment.objects.filter(case=case, is_current=True).values_list("pk", flat=True))

    def newest() -> int:
        return (
            RiskAssessment.objects.filter(case=case)
            .order_by("-assessed_on", "-id")
            .values_list("pk", flat=True)[0]
        )

    first = services.risk_assess(
        user=manager, case=case, answers=answers(), assessed_on=today - dt.timedelta(days=200)
    )
    assert current() == [first.pk]
    # Low risk is reassessed within months: the first one is due.
    assert list(selectors.reassessments_due(manager, on=today)) == [first]
    second = services.risk_assess(user=manager, case=case, answers=answers(trafficker_threats="yes"))
    assert current() == [second.pk] == [newest()]
    # The superseded assessment is overdue but no longer asks for a reassessment.
    assert first.reassess_by < today
    assert list(selectors.reassessments_due(manager, on=today)) == []
    assert list(selectors.reassessments_due(manager, on=second.reassess_by + dt.timedelta(days=1))) == [
        second
    ]
    # Back-dated between the two: not the newest, the second stays current.
    services.risk_assess(
        user=manager, case=case, answers=answers(), assessed_on=today - dt.timedelta(days=100)
    )
    assert current() == [second.pk]
    # Same day as the second: the later one (higher id) is the newest.
    third = services.risk_assess(user=manager, case=case, answers=answers())
    assert current() == [third.pk] == [newest()]
    # A closed case is not reassessed.
    Case.objects.filter(pk=case.pk).update(status="closed")
    assert list(selectors.reassessments_due(manager, on=third.reassess_by + dt.timedelta(days=1))) == []

    # The migration that marked the current rows of databases assessed before it agrees.
    RiskAssessment.objects.update(is_current=False)
    migration = importlib.import_module("opennrm.protection.migrations.0005_risk_assessment_is_current")
    migration.mark_current(apps, None)
    assert current() == [third.pk]
