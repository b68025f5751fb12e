"""Transnational cases (a citizen identified abroad comes home), the person's consents, and contacts
with embassies that need them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from opennrm.accounts import services as account_services
from opennrm.accounts.models import OrganisationType
from opennrm.accounts.roles import RoleCode
from opennrm.cases.models import CaseTask, Involvement, InvolvementRole, ReferralSource
from opennrm.cases.timeline import describe
from opennrm.identification import transnational
from opennrm.identification.models import Consent, EmbassyContact, TransnationalReferral
from opennrm.lib import clock
from opennrm.lib.errors import DomainError, NotFound, PermissionDenied
from opennrm.people.models import Person
from opennrm.testing import login_verified, open_case, user


@pytest.fixture
def manager(world):
    return world.users[RoleCode.CENTRE_CASE_MANAGER]


@pytest.fixture
def bka(world):
    return account_services.organisation_create(
        actor=None,
        code="bka-at",
        name="Austrian Federal Criminal Police Office",
        type=OrganisationType.FOREIGN_AUTHORITY,
        country="AT",
    )


@pytest.fixture
def embassy(world):
    return account_services.organisation_create(
        actor=None,
        code="embassy-al",
        name="Embassy of Albania in Belgrade",
        type=OrganisationType.FOREIGN_AUTHORITY,
        country="AL",
    )


def _foreign(case, citizenship="AL"):
    Person.objects.filter(pk=case.person_id).update(citizenship=citizenship)
    case.person.refresh_from_db()
    return case


@pytest.mark.django_db
def test_registering_a_citizen_identified_abroad_involves_the_foreign_authority_and_plans_the_return(
    world, manager, bka
):
    case = world.own_case
    identified_on = clock.today() - dt.timedelta(days=10)
    before = timezone.now()
    referral = transnational.transnational_register(
        user=manager,
        case=case,
        foreign_authority=bka,
        country="at",
        identified_abroad=True,
        identified_on=identified_on,
    )
    assert referral.country == "AT" and referral.identified_on == identified_on and referral.return_planned
    case.refresh_from_db()
    assert case.referral_source == ReferralSource.FOREIGN_AUTHORITY
    assert case.incident.transnational
    assert (
        Involvement.objects.active()
        .filter(case=case, organisation=bka, role=InvolvementRole.FOREIGN_AUTHORITY)
        .exists()
    )
    tasks = {t.title: t for t in CaseTask.objects.filter(case=case, organisation=world.orgs["centre"])}
    for title, days in transnational.RETURN_STEPS:
        due = tasks[title].due_at
        assert before + dt.timedelta(days=days) <= due <= timezone.now() + dt.timedelta(days=days)
    assert transnational.CHILD_RETURN_STEP[0] not in tasks
    event = case.timeline.get(kind="transnational_registered")
    assert describe(event) == (
        "Registered as a transnational case referred by Austrian Federal Criminal Police Office (AT)."
    )
    with pytest.raises(DomainError) as exc:
        transnational.transnational_register(
            user=manager, case=case, foreign_authority=bka, country="AT", identified_abroad=True
        )
    assert exc.value.field == "case"


@pytest.mark.django_db
def test_a_child_is_assessed_for_the_risks_of_return_first(world, manager, bka):
    case = open_case(world.users[RoleCode.FIRST_LINE_REPORTER], given="Dete", age_min=14, age_max=16)
    assert case.is_child
    transnational.transnational_register(
        user=manager, case=case, foreign_authority=bka, country="AT", identified_abroad=True
    )
    titles = list(
        CaseTask.objects.filter(case=case, organisation=world.orgs["centre"]).values_list("title", flat=True)
    )
    assert transnational.CHILD_RETURN_STEP[0] in titles


@pytest.mark.django_db
def test_a_school_cannot_be_the_foreign_authority(client, world, manager):
    school = world.orgs["school-ns"]
    with pytest.raises(DomainError) as exc:
        transnational.transnational_register(
            user=manager, case=world.own_case, foreign_authority=school, country="AT", identified_abroad=True
        )
    assert exc.value.field == "foreign_authority"
    login_verified(client, manager)
    response = client.post(
        f"/api/v1/cases/{world.own_case.code}/transnational/",
        {"foreign_authority": school.code, "country": "AT", "identified_abroad": True},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "foreign_authority" in response.json()["extra"]["fields"]
    assert not TransnationalReferral.objects.exists()
    assert CaseTask.objects.filter(case=world.own_case, title__startswith="Plan the safe return").count() == 0


@pytest.mark.django_db
def test_the_api_registers_a_transnational_case(client, world, manager, bka):
    login_verified(client, manager)
    response = client.post(
        f"/api/v1/cases/{world.own_case.code}/transnational/",
        {
            "foreign_authority": bka.code,
            "country": "AT",
            "identified_abroad": True,
            "identified_on": "2026-01-05",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["referral_source"] == "foreign_authority"
    assert response.json()["return_planned"] is True


@pytest.mark.django_db
def test_return_home_is_not_planned_for_a_foreign_national(world, manager, bka):
    case = _foreign(world.own_case)
    with pytest.raises(DomainError) as exc:
        transnational.transnational_register(
            user=manager, case=case, foreign_authority=bka, country="AT", identified_abroad=True
        )
    assert exc.value.field == "plan_return"
    referral = transnational.transnational_register(
        user=manager,
        case=case,
        foreign_authority=bka,
        country="AT",
        identified_abroad=True,
        plan_return=False,
    )
    assert not referral.return_planned
    assert not CaseTask.objects.filter(case=case, title=transnational.RETURN_STEPS[0][0]).exists()


@pytest.mark.django_db
def test_a_foreign_authority_with_accounts_here_is_involved_only_with_consent_to_share_data(
    world, manager, bka
):
    user("bka-officer", RoleCode.POLICE_INVESTIGATOR, bka)
    case = world.own_case
    with pytest.raises(DomainError) as exc:
        transnational.transnational_register(
            user=manager, case=case, foreign_authority=bka, country="AT", identified_abroad=True
        )
    assert exc.value.field == "foreign_authority"
    assert not Involvement.objects.filter(case=case, organisation=bka).exists()
    transnational.consent_record(
        user=manager, case=case, purpose="data_sharing_foreign_authority", given=True, how="written"
    )
    transnational.transnational_register(
        user=manager, case=case, foreign_authority=bka, country="AT", identified_abroad=True
    )
    assert Involvement.objects.filter(case=case, organisation=bka).exists()


@pytest.mark.django_db
def test_an_embassy_is_contacted_only_with_a_consent_that_stands(world, manager, embassy):
    case = _foreign(world.own_case)

    def contact():
        return transnational.embassy_contact_record(
            user=manager, case=case, embassy=embassy, purpose="Travel documents"
        )

    with pytest.raises(DomainError) as exc:
        contact()
    assert exc.value.field == "consent"
    assert exc.value.message == "The person has not consented to contacting the embassy."

    refusal = transnational.consent_record(
        user=manager, case=case, purpose="embassy_contact", given=False, how="oral_with_witness"
    )
    assert not refusal.is_valid
    with pytest.raises(DomainError):
        contact()
    with pytest.raises(DomainError):
        transnational.consent_withdraw(user=manager, consent=refusal)

    consent = transnational.consent_record(
        user=manager, case=case, purpose="embassy_contact", given=True, how="written"
    )
    recorded = contact()
    assert recorded.consent == consent and recorded.organisation == manager.organisation
    assert describe(case.timeline.get(kind="embassy_contacted")) == (
        "Embassy of Albania in Belgrade was contacted with the person's consent."
    )

    transnational.consent_withdraw(user=manager, consent=consent)
    consent.refresh_from_db()
    assert consent.withdrawn_on == clock.today() and not consent.is_valid
    with pytest.raises(DomainError):
        contact()
    assert EmbassyContact.objects.filter(case=case).count() == 1


@pytest.mark.django_db
def test_a_later_refusal_replaces_an_earlier_consent(world, manager, embassy):
    case = world.own_case
    transnational.consent_record(
        user=manager, case=case, purpose="embassy_contact", given=True, how="written"
    )
    transnational.consent_record(
        user=manager, case=case, purpose="embassy_contact", given=False, how="written"
    )
    with pytest.raises(DomainError):
        transnational.embassy_contact_record(user=manager, case=case, embassy=embassy, purpose="Documents")


@pytest.mark.django_db
def test_only_an_embassy_is_recorded_as_one(world, manager):
    io = account_services.organisation_create(
        actor=None, code="iom-test", name="Test IO", type=OrganisationType.INTERNATIONAL_ORGANISATION
    )
    transnational.consent_record(
        user=manager, case=world.own_case, purpose="embassy_contact", given=True, how="written"
    )
    with pytest.raises(DomainError) as exc:
        transnational.embassy_contact_record(
            user=manager, case=world.own_case, embassy=io, purpose="Documents"
        )
    assert exc.value.field == "embassy"


@pytest.mark.django_db
def test_the_pages_record_a_consent_withdraw_it_and_refuse_the_embassy_contact(
    client, world, manager, embassy
):
    case = world.own_case
    login_verified(client, manager)
    base = f"/cases/{case.code}"
    today = clock.today().isoformat()
    response = client.post(
        f"{base}/consents/",
        {"purpose": "embassy_contact", "answer": "given", "how": "written", "recorded_on": today},
    )
    assert response.status_code == 302
    consent = Consent.objects.get(case=case)
    assert consent.given and consent.organisation == manager.organisation
    page = client.get(f"{base}/").content.decode()
    assert "Transnational case and consent" in page and "Record a contact with the embassy" in page
    response = client.post(
        f"{base}/embassy-contacts/",
        {"embassy": embassy.pk, "contacted_on": today, "purpose": "Travel documents"},
    )
    assert response.status_code == 302 and EmbassyContact.objects.count() == 1
    assert client.post(f"{base}/consents/withdraw/", {"consent": consent.pk}).status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on is not None
    response = client.post(
        f"{base}/embassy-contacts/",
        {"embassy": embassy.pk, "contacted_on": today, "purpose": "Travel documents"},
        follow=True,
    )
    assert "The person has not consented to contacting the embassy." in response.content.decode()
    assert EmbassyContact.objects.count() == 1
    # Rubbish in the body comes back as a message, never as an error page.
    for path in ("consents/", "consents/withdraw/", "embassy-contacts/", "transnational/"):
        assert client.post(f"{base}/{path}", {"consent": "x", "country": "??"}).status_code == 302
    assert client.post(f"{base}/consents/withdraw/", {"consent": 999999}).status_code == 302


@pytest.mark.django_db
def test_the_page_registers_a_transnational_case(client, world, manager, bka):
    login_verified(client, manager)
    response = client.post(
        f"/cases/{world.own_case.code}/transnational/",
        {"foreign_authority": bka.pk, "country": "AT", "identified_abroad": "on", "plan_return": "on"},
    )
    assert response.status_code == 302
    page = client.get(f"/cases/{world.own_case.code}/").content.decode()
    assert "Referred from abroad by Austrian Federal Criminal Police Office (AT)." in page
    assert "Plan the safe return with the foreign authority" in page


@pytest.mark.django_db
def test_a_prosecutor_cannot_record_consents_and_an_outsider_does_not_see_the_case(client, world, bka):
    case = world.own_case
    prosecutor = world.users[RoleCode.PROSECUTOR]
    with pytest.raises(PermissionDenied):
        transnational.consent_record(
            user=prosecutor, case=case, purpose="family_tracing", given=True, how="written"
        )
    with pytest.raises(NotFound):
        transnational.consent_record(
            user=world.outsider, case=case, purpose="family_tracing", given=True, how="written"
        )
    data = {"purpose": "family_tracing", "answer": "given", "how": "written", "recorded_on": "2026-01-05"}
    api = {"purpose": "family_tracing", "given": True, "how": "written"}
    login_verified(client, prosecutor)
    assert client.post(f"/cases/{case.code}/consents/", data).status_code == 403
    assert (
        client.post(f"/api/v1/cases/{case.code}/consents/", api, content_type="application/json").status_code
        == 403
    )
    # Reading the consents is part of seeing the case.
    assert client.get(f"/api/v1/cases/{case.code}/consents/").status_code == 200
    assert client.post(f"/cases/{case.code}/transnational/", {}).status_code == 403
    login_verified(client, world.outsider)
    assert client.post(f"/cases/{case.code}/consents/", data).status_code == 404
    assert (
        client.post(f"/api/v1/cases/{case.code}/consents/", api, content_type="application/json").status_code
        == 404
    )
    assert client.get(f"/api/v1/cases/{case.code}/consents/").status_code == 404
    assert not Consent.objects.exists()


@pytest.mark.django_db
def test_the_section_is_left_out_for_a_reader_with_nothing_to_see_or_do(client, world, manager, bka):
    case = world.own_case
    login_verified(client, world.users[RoleCode.PROSECUTOR])
    assert "Transnational case and consent" not in client.get(f"/cases/{case.code}/").content.decode()
    transnational.transnational_register(
        user=manager, case=case, foreign_authority=bka, country="AT", identified_abroad=False
    )
    page = client.get(f"/cases/{case.code}/").content.decode()
    assert "Referred from abroad by Austrian Federal Criminal Police Office (AT)." in page
    assert "Record a consent or a refusal" not in page
