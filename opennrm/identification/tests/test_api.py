"""The identification workflow through /api/v1/: same services, same access rules, clear errors."""

from __future__ import annotations

import pytest

from opennrm.accounts.roles import RoleCode
from opennrm.identification.models import IdentificationDecision, Referral, Screening
from opennrm.testing import login_verified, open_case

REASONS = "Passport taken, debt bondage and threats against the family: labour exploitation."


@pytest.fixture
def case(world):
    return open_case(world.users[RoleCode.LABOUR_INSPECTOR], referral_source="other_government")


def _post(client, url, data):
    return client.post(url, data=data, content_type="application/json")


@pytest.mark.django_db
def test_report_to_decision_through_the_api(client, world, case):
    inspector = world.users[RoleCode.LABOUR_INSPECTOR]
    login_verified(client, inspector)
    sets = client.get("/api/v1/indicator-sets/").json()
    assert {"general", "labour", "sexual", "begging", "criminality", "child", "forced_labour"} <= {
        s["code"] for s in sets
    }
    labour = client.get("/api/v1/indicator-sets/labour/2026.1/").json()
    assert len(labour["items"]) == 67

    screening = _post(
        client,
        f"/api/v1/cases/{case.code}/screenings/",
        {
            "indicator_set": "labour",
            "version": "2026.1",
            "setting": "workplace_inspection",
            "answers": {
                "DR-01": "yes",
                "DR-08": "yes",
                "EX-01": "yes",
                "EX-04": "yes",
                "CD-01": "yes",
                "CD-02": "yes",
            },
        },
    )
    assert screening.status_code == 201, screening.content
    body = screening.json()
    assert body["recommendation"] == "refer" and body["explanation"]

    referral = _post(
        client,
        f"/api/v1/cases/{case.code}/referrals/",
        {"to_organisation": world.orgs["centre"].code, "purpose": "identification"},
    )
    assert referral.status_code == 201, referral.content
    ref = referral.json()
    assert ref["status"] == "pending" and ref["due_at"]

    manager = world.users[RoleCode.CENTRE_CASE_MANAGER]
    login_verified(client, manager)
    inbox = client.get("/api/v1/referrals/inbox/").json()["results"]
    assert [r["id"] for r in inbox] == [ref["id"]]
    stale = _post(
        client,
        f"/api/v1/cases/{case.code}/referrals/{ref['id']}/respond/",
        {"accept": True, "version": ref["version"] + 5},
    )
    assert stale.status_code == 409
    accepted = _post(
        client,
        f"/api/v1/cases/{case.code}/referrals/{ref['id']}/respond/",
        {"accept": True, "version": ref["version"]},
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    safeguards = client.get(f"/api/v1/cases/{case.code}/safeguards/").json()
    assert safeguards["status"] == "presumed_victim" and safeguards["removal_barred"]
    assert safeguards["procedure_open"]
    # The former path answers the same, for clients written against it.
    assert client.get(f"/api/v1/cases/{case.code}/protections/").json() == safeguards

    record = _post(
        client,
        f"/api/v1/cases/{case.code}/procedure/records/",
        {
            "kind": "interview",
            "text": "Interview with an interpreter; consistent account.",
            "sensitivity": "general",
        },
    )
    assert record.status_code == 201, record.content

    head = world.users[RoleCode.CENTRE_HEAD]
    login_verified(client, head)
    no_reasons = _post(
        client,
        f"/api/v1/cases/{case.code}/decisions/",
        {"outcome": "identified", "reasons": "", "forms": ["labour"]},
    )
    assert no_reasons.status_code == 400
    assert "reasons" in no_reasons.json()["extra"]["fields"]
    decision = _post(
        client,
        f"/api/v1/cases/{case.code}/decisions/",
        {"outcome": "identified", "reasons": REASONS, "forms": ["labour"]},
    )
    assert decision.status_code == 201, decision.content
    assert decision.json()["reasons"] == REASONS and decision.json()["current"]

    login_verified(client, inspector)
    seen = client.get(f"/api/v1/cases/{case.code}/decisions/").json()
    assert seen[0]["outcome"] == "identified" and seen[0]["reasons"] is None
    login_verified(client, world.outsider)
    assert client.get(f"/api/v1/cases/{case.code}/decisions/").status_code == 404
    assert client.get(f"/api/v1/cases/{case.code}/safeguards/").status_code == 404


@pytest.mark.django_db
def test_bad_input_gets_a_clear_error_and_changes_nothing(client, world, case):
    login_verified(client, world.users[RoleCode.LABOUR_INSPECTOR])
    url = f"/api/v1/cases/{case.code}/screenings/"
    unknown_version = _post(
        client,
        url,
        {"indicator_set": "labour", "version": "0.1", "setting": "interview", "answers": {"DR-01": "yes"}},
    )
    assert unknown_version.status_code == 422
    assert "indicator_set" in unknown_version.json()["extra"]["fields"]
    bad_answer = _post(
        client,
        url,
        {
            "indicator_set": "labour",
            "version": "2026.1",
            "setting": "interview",
            "answers": {"DR-01": "maybe"},
        },
    )
    assert bad_answer.status_code == 400
    unknown_item = _post(
        client,
        url,
        {"indicator_set": "labour", "version": "2026.1", "setting": "interview", "answers": {"ZZ-1": "yes"}},
    )
    assert unknown_item.status_code == 422 and "ZZ-1" in str(unknown_item.json())
    assert not Screening.objects.exists()
    school = _post(
        client,
        f"/api/v1/cases/{case.code}/referrals/",
        {"to_organisation": world.orgs["school-ns"].code, "purpose": "identification"},
    )
    assert school.status_code == 422 and "to_organisation" in school.json()["extra"]["fields"]
    assert not Referral.objects.exists()
    assert (
        _post(client, f"/api/v1/cases/{case.code}/decisions/", {"outcome": "identified"}).status_code == 403
    )
    assert not IdentificationDecision.objects.exists()
