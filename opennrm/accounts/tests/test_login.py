"""Logging in: password, then TOTP; lockout; demo accounts only in demo mode; every attempt audited."""

from __future__ import annotations

import pytest

from opennrm.accounts.roles import RoleCode
from opennrm.audit.models import AuditEvent
from opennrm.testing import PASSWORD, current_totp, totp_device, user


@pytest.mark.django_db
def test_a_user_logs_in_with_password_and_totp(client, world):
    alice = world.users[RoleCode.CENTRE_CASE_MANAGER]
    device = totp_device(alice)
    response = client.post("/accounts/login/", {"username": alice.username, "password": PASSWORD})
    assert response.status_code == 302 and "/accounts/2fa/" in response["Location"]
    # Without the second factor nothing else opens.
    assert "/accounts/2fa/" in client.get("/cases/")["Location"]
    bad = client.post("/accounts/2fa/", {"token": "000000" if current_totp(device) != "000000" else "111111"})
    assert bad.status_code == 400
    # django-otp throttles after a failure (1 s, doubling); let that time pass.
    device.refresh_from_db()
    device.throttle_reset()
    good = client.post("/accounts/2fa/", {"token": current_totp(device)})
    assert good.status_code == 302
    assert client.get("/cases/").status_code == 200
    actions = list(AuditEvent.objects.filter(actor_username=alice.username).values_list("action", flat=True))
    assert "login" in actions and "login_failed" in actions


@pytest.mark.django_db
def test_a_user_without_a_device_must_enrol_first(client, world):
    bob = world.users[RoleCode.POLICE_INVESTIGATOR]
    response = client.post("/accounts/login/", {"username": bob.username, "password": PASSWORD})
    assert "/accounts/2fa/setup/" in response["Location"]
    page = client.get("/accounts/2fa/setup/")
    assert page.status_code == 200 and b"<svg" in page.content
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=bob, confirmed=False)
    assert client.post("/accounts/2fa/setup/", {"token": current_totp(device)}).status_code == 302
    assert TOTPDevice.objects.get(user=bob).confirmed


@pytest.mark.django_db
def test_a_wrong_password_is_refused_and_audited(client, world):
    response = client.post("/accounts/login/", {"username": "centre-case-manager", "password": "wrong"})
    assert response.status_code == 400
    assert b"not correct" in response.content
    assert AuditEvent.objects.filter(action="login_failed", actor_username="centre-case-manager").exists()


@pytest.mark.django_db
def test_repeated_failures_lock_the_account(client, world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "centre-head", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "centre-head", "password": PASSWORD})
    assert response.status_code in (400, 403, 429)
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_demo_accounts_log_in_only_in_demo_mode(client, world, settings):
    demo = user("demo-user", RoleCode.CENTRE_CASE_MANAGER, world.orgs["centre"], is_demo=True)
    settings.DEMO_MODE = False
    response = client.post("/accounts/login/", {"username": demo.username, "password": PASSWORD})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    settings.DEMO_MODE = True
    settings.REQUIRE_2FA = False
    response = client.post("/accounts/login/", {"username": demo.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/cases/").status_code == 200


@pytest.mark.django_db
def test_the_next_parameter_cannot_redirect_elsewhere(client, world, settings):
    settings.REQUIRE_2FA = False
    response = client.post(
        "/accounts/login/?next=https://evil.example/", {"username": "outsider", "password": PASSWORD}
    )
    assert response["Location"] == "/"
