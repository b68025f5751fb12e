"""`opennrm token create USERNAME` prints the token alone; tokens can be listed and revoked, and expire."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from opennrm.accounts.models import ApiToken


@pytest.mark.django_db
def test_token_create_prints_only_the_token_and_it_works(world, capsys):
    call_command("token", "create", world.outsider.username, "--days", "30")
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("onrm_")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {lines[0]}")
    assert client.get("/api/v1/me/").json()["username"] == world.outsider.username


@pytest.mark.django_db
def test_tokens_are_listed_without_secrets_and_revoked(world, capsys):
    call_command("token", "create", world.outsider.username)
    secret = capsys.readouterr().out.strip()
    listing = StringIO()
    call_command("token", "list", stdout=listing)
    prefix = ApiToken.objects.get().prefix
    assert prefix in listing.getvalue() and secret not in listing.getvalue()
    call_command("token", "revoke", prefix, stdout=StringIO())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
def test_an_expired_token_is_refused(world, capsys):
    call_command("token", "create", world.outsider.username)
    secret = capsys.readouterr().out.strip()
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/me/").status_code == 401
