"""The assistance plan through the API and the pages: same rules, clear errors."""

from __future__ import annotations

import pytest

from opennrm.accounts.roles import RoleCode
from opennrm.assistance.models import AssistanceService, NeedsAssessment, ServiceStatus
from opennrm.cases.models import Case, CaseStatus
from opennrm.lib import clock
from opennrm.testing import login_verified


@pytest.fixture
def case(world):
    Case.objects.filter(pk=world.own_case.pk).update(status=CaseStatus.PRESUMED_VICTIM)
    world.own_case.refresh_from_db()
    return world.own_case


def _client(client, u):
    login_verified(client, u)
    return client


def _service_body(**kw):
    return {
        "service_type": "psychosocial_support",
        "provider": "atina",
        "planned_from": clock.today().isoformat(),
        "data_consent": "request_only",
        "consent_how": "written",
        **kw,
    }


@pytest.mark.django_db
def test_api_request_a_service_and_the_provider_moves_it_on_from_its_inbox(client, world, case):
    c = _client(client, world.users[RoleCode.CENTRE_CASE_MANAGER])
    r = c.post(f"/api/v1/cases/{case.code}/services/", _service_body(), content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "requested" and body["next_statuses"]
    plan = c.get(f"/api/v1/cases/{case.code}/assistance-plan/").json()
    assert plan["plan"]["case"] == case.code and [s["id"] for s in plan["services"]] == [body["id"]]

    client.logout()
    p = _client(client, world.outsider)
    inbox = p.get("/api/v1/services/inbox/").json()["results"]
    assert [s["id"] for s in inbox] == [body["id"]]
    assert p.get(f"/api/v1/cases/{case.code}/assistance-plan/").status_code == 404
    r = p.post(
        f"/api/v1/services/inbox/{body['id']}/step/",
        {"status": "accepted", "version": body["version"]},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    stale = p.post(
        f"/api/v1/services/inbox/{body['id']}/step/",
        {"status": "in_progress", "version": body["version"]},
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert AssistanceService.objects.get().status == ServiceStatus.ACCEPTED


@pytest.mark.django_db
def test_api_bad_input_names_the_field_and_out_of_scope_is_404(client, world, case):
    c = _client(client, world.users[RoleCode.CENTRE_CASE_MANAGER])
    r = c.post(
        f"/api/v1/cases/{case.code}/services/",
        _service_body(service_type="legal_aid", provider="school-ns"),
        content_type="application/json",
    )
    assert r.status_code == 422 and "provider" in r.json()["extra"]["fields"]
    r = c.post(
        f"/api/v1/cases/{case.code}/services/",
        _service_body(service_type="astrology"),
        content_type="application/json",
    )
    assert r.status_code == 400 and "service_type" in r.json()["extra"]["fields"]
    r = c.post(
        f"/api/v1/cases/{case.code}/needs-assessments/",
        {"needs": [{"service_type": "legal_aid"}, {"service_type": "legal_aid"}]},
        content_type="application/json",
    )
    assert r.status_code == 422 and "needs" in r.json()["extra"]["fields"]
    r = c.post(
        f"/api/v1/cases/{world.other_case.code}/services/", _service_body(), content_type="application/json"
    )
    assert r.status_code == 404
    # A plan for a person without a case: there is nothing to hang it on.
    for url in (
        "/api/v1/cases/RS-C-2099-999999/services/",
        "/api/v1/cases/RS-C-2099-999999/assistance-plan/",
    ):
        assert c.post(url, _service_body(), content_type="application/json").status_code == 404
    assert not AssistanceService.objects.exists() and not NeedsAssessment.objects.exists()


@pytest.mark.django_db
def test_the_coordinator_sees_counts_and_no_case(client, world, case):
    c = _client(client, world.users[RoleCode.NATIONAL_COORDINATOR])
    r = c.get("/api/v1/assistance/statistics/")
    assert r.status_code == 200 and r.json()["conditioned_total"] == 0
    page = c.get("/assistance/statistics/")
    assert page.status_code == 200 and case.code not in page.content.decode()
    assert c.get(f"/api/v1/cases/{case.code}/assistance-plan/").status_code in (403, 404)


@pytest.mark.django_db
def test_case_page_panel_needs_form_and_service_request(client, world, case):
    c = _client(client, world.users[RoleCode.CENTRE_CASE_MANAGER])
    page = c.get(f"/cases/{case.code}/").content.decode()
    assert "Assistance plan" in page and "Request a service" in page
    r = c.post(
        f"/cases/{case.code}/assistance/needs/",
        {"assessed_on": clock.today().isoformat(), "with_person": "on", "need_safe_accommodation": "urgent"},
    )
    assert r.status_code == 302
    assert NeedsAssessment.objects.get().needs.get().service_type == "safe_accommodation"
    atina = world.orgs["atina"]
    r = c.post(
        f"/cases/{case.code}/assistance/services/",
        {
            "service_type": "legal_counselling",
            "provider": atina.pk,
            "planned_from": clock.today().isoformat(),
            "data_consent": "case_file",
            "consent_how": "written",
            "consent_on": clock.today().isoformat(),
        },
        follow=True,
    )
    assert "Service requested." in r.content.decode()
    page = c.get(f"/cases/{case.code}/").content.decode()
    assert "legal counselling" in page and "reads the case file" in page


@pytest.mark.django_db
def test_provider_inbox_page_declines_with_a_reason(client, world, case):
    from opennrm.assistance import services

    s = services.service_request(
        user=world.users[RoleCode.CENTRE_CASE_MANAGER],
        case=case,
        service_type="psychosocial_support",
        provider=world.orgs["atina"],
        planned_from=clock.today(),
        data_consent="request_only",
        consent_how="written",
    )
    c = _client(client, world.outsider)
    page = c.get("/services/").content.decode()
    assert case.code in page and f'href="/cases/{case.code}/"' not in page
    r = c.post(
        "/services/",
        {
            "service": s.pk,
            "version": s.version,
            "status": "declined_by_provider",
            "decline_reason": "non_cooperation",
            "reason": "Only for those who testify.",
        },
        follow=True,
    )
    assert "Service updated." in r.content.decode()
    s.refresh_from_db()
    assert s.status == ServiceStatus.DECLINED_BY_PROVIDER and s.non_cooperation_flag
