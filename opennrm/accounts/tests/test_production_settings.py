"""Production settings refuse to start with DEBUG, default keys or 2FA off; check --deploy is clean."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def run_check(extra_env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    # A clean environment: no OpenNRM settings and no test-only switches (browser tests set the async one).
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("OPENNRM_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        {
            "OPENNRM_MODE": "production",
            "OPENNRM_VAR_DIR": os.environ.get("OPENNRM_VAR_DIR", str(ROOT / "var")),
        }
    )
    env.update(extra_env)
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, str(ROOT / "manage.py"), "check", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def good_keys() -> dict[str, str]:
    return {
        "OPENNRM_SECRET_KEY": secrets.token_urlsafe(60),
        "OPENNRM_MASTER_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "OPENNRM_AUDIT_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "OPENNRM_ALLOWED_HOSTS": "nrm.example.org",
    }


@pytest.mark.parametrize(
    "change, complaint",
    [
        ({"OPENNRM_SECRET_KEY": ""}, "OPENNRM_SECRET_KEY"),
        ({"OPENNRM_MASTER_KEY": ""}, "OPENNRM_MASTER_KEY"),
        ({"OPENNRM_AUDIT_KEY": ""}, "OPENNRM_AUDIT_KEY"),
        ({"OPENNRM_DEBUG": "1"}, "DEBUG"),
        ({"OPENNRM_REQUIRE_2FA": "0"}, "two-factor"),
    ],
)
def test_production_refuses_unsafe_configuration(change, complaint):
    env = good_keys()
    for key, value in change.items():
        if value:
            env[key] = value
        else:
            env.pop(key)
    result = run_check(env)
    assert result.returncode != 0
    assert complaint in result.stderr


def test_check_deploy_is_clean_with_proper_settings():
    result = run_check(good_keys(), "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
