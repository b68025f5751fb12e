"""Demo organisations and demo logins, created through the account services (so they are audited)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation

from opennrm.accounts import services as account_services
from opennrm.accounts.models import Organisation, User
from opennrm.accounts.roles import RoleCode
from opennrm.demo import data
from opennrm.lib.errors import DomainError


class DemoRefused(DomainError):
    """Demo logins exist only on an instance in demo mode (or in the test suite)."""


def demo_allowed() -> bool:
    return bool(settings.DEMO_MODE) or settings.MODE == "test"


def require_demo_mode() -> None:
    if not demo_allowed():
        raise DemoRefused(
            "Demo data and demo logins are created only when OPENNRM_MODE=demo "
            f"(this instance runs in {settings.MODE!r} mode)."
        )


@transaction.atomic
def organisations_ensure() -> dict[str, Organisation]:
    """Create the demo organisations that are missing; return all of them by code."""
    existing = {o.code: o for o in Organisation.objects.filter(code__in=[s.code for s in data.ORGANISATIONS])}
    for spec in data.ORGANISATIONS:
        if spec.code in existing:
            continue
        existing[spec.code] = account_services.organisation_create(
            actor=None,
            code=spec.code,
            name=spec.name,
            type=spec.type,
            city=spec.city,
            country=spec.country,
            parent=existing[spec.parent] if spec.parent else None,
        )
    return existing


@transaction.atomic
def logins_ensure(*, organisations: dict[str, Organisation]) -> dict[str, User]:
    """Create the missing demo logins (is_demo: they work only in demo mode)."""
    require_demo_mode()
    users = {u.username: u for u in User.objects.filter(username__in=[s.username for s in data.DEMO_LOGINS])}
    for spec in data.DEMO_LOGINS:
        if spec.username in users:
            continue
        users[spec.username] = account_services.user_create(
            actor=None,
            username=spec.username,
            password=spec.password,
            organisation=organisations[spec.organisation],
            role_code=spec.role,
            first_name=spec.first_name,
            last_name=spec.last_name,
            is_demo=True,
        )
    return users


def logins_present() -> list[dict[str, Any]]:
    """The demo logins that exist in this database, in the documented order."""
    found = {
        u.username: u
        for u in User.objects.select_related("organisation", "role").filter(
            is_demo=True, username__in=[s.username for s in data.DEMO_LOGINS]
        )
    }
    out = []
    for spec in data.DEMO_LOGINS:
        user = found.get(spec.username)
        if user is None:
            continue
        with translation.override("en"):
            label = str(RoleCode(user.role.code).label) if user.role else ""
        out.append(
            {
                "username": spec.username,
                "password": spec.password,
                "role": user.role.code if user.role else "",
                "role_label": label,
                "organisation": user.organisation.name if user.organisation else "",
            }
        )
    return out
