"""A system administrator manages organisations and users (audited) and sees no case content."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from opennrm.accounts.models import Organisation, User
from opennrm.accounts.roles import RoleCode
from opennrm.audit.models import AuditEvent
from opennrm.testing import login_verified


@pytest.mark.django_db
def test_the_administrator_adds_an_organisation_and_a_user(client, world):
    admin = world.users[RoleCode.SYSTEM_ADMIN]
    login_verified(client, admin)
    response = client.post(
        "/manage/organisations/",
        {
            "code": "csw-kg",
            "name": "Centar za socijalni rad Kragujevac",
            "type": "social_work_centre",
            "city": "Kragujevac",
            "country": "RS",
        },
    )
    assert response.status_code == 302
    org = Organisation.objects.get(code="csw-kg")
    response = client.post(
        "/manage/users/",
        {
            "username": "new.worker",
            "organisation": org.pk,
            "role": "social_worker",
            "password": "a-long-enough-passphrase-2026",
            "first_name": "Nova",
        },
    )
    assert response.status_code == 302
    new = User.objects.get(username="new.worker")
    assert new.role.code == "social_worker" and new.organisation == org
    assert AuditEvent.objects.filter(
        action="permission_change", object_type="user", object_id=str(new.pk)
    ).exists()


@pytest.mark.django_db
def test_duplicate_codes_and_usernames_are_refused_with_a_field_error(client, world):
    login_verified(client, world.users[RoleCode.SYSTEM_ADMIN])
    response = client.post(
        "/manage/organisations/", {"code": "astra", "name": "Another", "type": "ngo", "country": "RS"}
    )
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    response = client.post(
        "/manage/users/",
        {
            "username": "outsider",
            "organisation": world.orgs["astra"].pk,
            "role": "ngo_case_worker",
            "password": "a-long-enough-passphrase-2026",
        },
    )
    assert response.status_code == 400
    assert "taken" in response.content.decode()


@pytest.mark.django_db
def test_a_role_change_is_audited_and_a_stale_form_refused(client, world):
    admin = world.users[RoleCode.SYSTEM_ADMIN]
    target = world.outsider
    login_verified(client, admin)
    form = {
        "organisation": target.organisation_id,
        "role": "social_worker",
        "is_active": "on",
        "version": target.version,
    }
    assert client.post(f"/manage/users/{target.pk}/", form).status_code == 302
    target.refresh_from_db()
    assert target.role.code == "social_worker"
    entry = (
        AuditEvent.objects.filter(action="permission_change", object_id=str(target.pk))
        .order_by("-id")
        .first()
    )
    assert entry.detail["role"] == "social_worker"
    stale = client.post(f"/manage/users/{target.pk}/", {**form, "role": "prosecutor"})
    assert stale.status_code == 400


@pytest.mark.django_db
def test_the_administrator_sees_no_case(client, world):
    admin = world.users[RoleCode.SYSTEM_ADMIN]
    login_verified(client, admin)
    assert client.get(f"/cases/{world.own_case.code}/").status_code == 404
    assert client.get("/cases/").status_code == 403
    api = APIClient()
    api.force_authenticate(admin)
    assert api.get(f"/api/v1/cases/{world.own_case.code}/").status_code == 404


@pytest.mark.django_db
def test_the_oversight_inspector_browses_and_verifies_the_audit_trail(client, world):
    login_verified(client, world.users[RoleCode.OVERSIGHT_INSPECTOR])
    page = client.get("/audit/", {"action": "create"})
    assert page.status_code == 200
    assert world.own_case.code in page.content.decode()
    result = client.post("/audit/verify/")
    assert "intact" in result.content.decode()
    assert client.get(f"/cases/{world.own_case.code}/").status_code == 404
