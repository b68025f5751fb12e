"""The identification pages: screening checklist and its explanation, referral, acceptance, decision."""

from __future__ import annotations

import pytest

from opennrm.accounts.roles import RoleCode
from opennrm.cases.models import CaseStatus
from opennrm.identification import indicators
from opennrm.identification.models import IdentificationDecision, Referral, Screening
from opennrm.testing import login_verified, open_case

REASONS = "Documents withheld by the employer, no wages for months, locked dormitory: forced labour."


@pytest.fixture
def case(world):
    return open_case(world.users[RoleCode.LABOUR_INSPECTOR], referral_source="other_government")


def _answers(**given: str) -> dict[str, str]:
    labour = indicators.get_set("labour", "2026.1")
    data = {f"ans_{i.id}": "unknown" for i in labour.items}
    data.update({f"ans_{k.replace('_', '-')}": v for k, v in given.items()})
    return data


@pytest.mark.django_db
def test_an_inspector_screens_with_the_labour_checklist_and_sees_why(client, world, case):
    login_verified(client, world.users[RoleCode.LABOUR_INSPECTOR])
    page = client.get(f"/cases/{case.code}/").content.decode()
    assert "Screen with indicators" in page and "Refer this case" in page
    choose = client.get(f"/cases/{case.code}/screenings/new/").content.decode()
    assert "?set=labour&amp;version=2026.1" in choose
    form = client.get(f"/cases/{case.code}/screenings/new/", {"set": "labour", "version": "2026.1"})
    assert form.status_code == 200 and 'name="ans_DR-01"' in form.content.decode()
    response = client.post(
        f"/cases/{case.code}/screenings/new/",
        {
            "indicator_set": "labour",
            "indicator_version": "2026.1",
            "setting": "workplace_inspection",
            "screened_on": "2026-01-10",
            **_answers(DR_01="yes", DR_08="yes", EX_01="yes", EX_04="yes", CD_01="yes", CD_14="yes"),
        },
    )
    assert response.status_code == 302
    screening = Screening.objects.get(case=case)
    assert response["Location"] == f"/cases/{case.code}/screenings/{screening.pk}/"
    result = client.get(response["Location"]).content.decode()
    assert "refer now" in result
    assert "Deceptive recruitment" in result  # the explanation names the positive dimensions
    assert "strong" in result


@pytest.mark.django_db
def test_an_unknown_checklist_version_is_refused_with_the_list_to_choose_from(client, world, case):
    login_verified(client, world.users[RoleCode.LABOUR_INSPECTOR])
    response = client.post(
        f"/cases/{case.code}/screenings/new/",
        {"indicator_set": "labour", "indicator_version": "1999.9", "setting": "interview"},
    )
    assert response.status_code == 400
    assert "does not exist" in response.content.decode()
    assert not Screening.objects.exists()


@pytest.mark.django_db
def test_the_checklist_speaks_serbian_in_either_script(client, world, case):
    login_verified(client, world.users[RoleCode.LABOUR_INSPECTOR])
    url = f"/cases/{case.code}/screenings/new/?set=labour&version=2026.1"
    cyrillic = client.get(url, HTTP_ACCEPT_LANGUAGE="sr").content.decode()
    labour = indicators.get_set("labour", "2026.1")
    assert labour.item_label("DR-01", "sr") in cyrillic
    client.cookies["django_language"] = "sr-latn"
    latin = client.get(url).content.decode()
    assert labour.item_label("DR-01", "sr-latn") in latin


@pytest.mark.django_db
def test_refer_accept_and_decide_through_the_pages(client, world, case):
    inspector = world.users[RoleCode.LABOUR_INSPECTOR]
    login_verified(client, inspector)
    centre = world.orgs["centre"]
    response = client.post(
        f"/cases/{case.code}/referrals/", {"purpose": "identification", "to_organisation": centre.pk}
    )
    assert response.status_code == 302
    referral = Referral.objects.get(case=case)

    manager = world.users[RoleCode.CENTRE_CASE_MANAGER]
    login_verified(client, manager)
    inbox = client.get("/referrals/").content.decode()
    assert case.code in inbox
    home = client.get("/").content.decode()
    assert "Referrals awaiting your response" in home and case.code in home
    # Declining without a reason is refused and changes nothing.
    client.post(
        f"/cases/{case.code}/referrals/{referral.pk}/respond/",
        {"decision": "decline", "reason": "", "version": referral.version},
    )
    referral.refresh_from_db()
    assert referral.status == "pending"
    client.post(
        f"/cases/{case.code}/referrals/{referral.pk}/respond/",
        {"decision": "accept", "reason": "", "version": referral.version},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.PRESUMED_VICTIM
    page = client.get(f"/cases/{case.code}/").content.decode()
    assert "Removal from the country is barred." in page

    head = world.users[RoleCode.CENTRE_HEAD]
    login_verified(client, head)
    assert client.get(f"/cases/{case.code}/decision/").status_code == 200
    bad = client.post(
        f"/cases/{case.code}/decision/",
        {
            "outcome": "identified",
            "reasons": "",
            "legal_basis": "CETS 197",
            "forms_of_exploitation": ["labour"],
        },
    )
    assert bad.status_code == 400 and not IdentificationDecision.objects.exists()
    good = client.post(
        f"/cases/{case.code}/decision/",
        {
            "outcome": "identified",
            "reasons": REASONS,
            "legal_basis": "CETS 197 Art. 10",
            "forms_of_exploitation": ["labour", "forced_labour"],
            "kind": "initial",
        },
    )
    assert good.status_code == 302
    assert REASONS in client.get(f"/cases/{case.code}/").content.decode()

    # The inspector sees the outcome, not the reasons; an unrelated NGO sees nothing.
    login_verified(client, inspector)
    page = client.get(f"/cases/{case.code}/").content.decode()
    assert "identified as a victim" in page and REASONS not in page
    login_verified(client, world.outsider)
    assert client.get(f"/cases/{case.code}/").status_code == 404
    assert client.get(f"/cases/{case.code}/decision/").status_code == 404


@pytest.mark.django_db
def test_a_first_line_user_cannot_open_the_decision_page(client, world, case):
    login_verified(client, world.users[RoleCode.LABOUR_INSPECTOR])
    assert client.get(f"/cases/{case.code}/decision/").status_code == 403


@pytest.mark.django_db
def test_the_indicators_a_group_shares_are_answered_once_for_everyone(client, world):
    inspector = world.users[RoleCode.LABOUR_INSPECTOR]
    first = open_case(inspector, referral_source="other_government", given="Prvi")
    for given in ("Drugi", "Treći"):
        open_case(inspector, referral_source="other_government", given=given, incident=first.incident)
    login_verified(client, inspector)
    page = client.get(f"/cases/{first.code}/").content.decode()
    assert "Screen the whole group (3 persons)" in page
    url = f"/incidents/{first.incident.code}/screening/"
    assert "labour" in client.get(url).content.decode()
    form = client.get(url, {"set": "labour", "version": "2026.1"}).content.decode()
    assert "recorded for each of the 3 persons" in form
    response = client.post(
        url,
        {
            "indicator_set": "labour",
            "indicator_version": "2026.1",
            "setting": "workplace_inspection",
            "screened_on": "2026-01-10",
            **_answers(EX_01="yes", EX_04="yes", CD_14="yes"),
        },
    )
    assert response.status_code == 302
    screenings = Screening.objects.filter(case__incident=first.incident)
    assert screenings.count() == 3
    assert {s.case.status for s in screenings} == {CaseStatus.SCREENING}
    # An organisation outside the incident does not learn it exists; a prosecutor may not screen.
    login_verified(client, world.outsider)
    assert client.get(url).status_code == 404
    login_verified(client, world.users[RoleCode.PROSECUTOR])
    own = world.own_case.incident.code
    assert client.get(f"/incidents/{own}/screening/").status_code == 403


@pytest.mark.django_db
def test_an_unverified_checklist_says_so(client, world, case):
    login_verified(client, world.users[RoleCode.LABOUR_INSPECTOR])
    page = client.get(f"/cases/{case.code}/screenings/new/", {"set": "sexual", "version": "2026.1"})
    assert "has not yet been checked item by item" in page.content.decode()
