"""The site's navigation: each link shown to those whom the policy lets use it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from opennrm import policy


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    perms = set(user.role.permissions) if user is not None and user.is_authenticated and user.role else set()

    def may(action: str) -> bool:
        return bool(perms) and policy.can(user, action)

    return {
        "DEMO_MODE": settings.DEMO_MODE,
        "user_perms": perms,
        "nav": {
            "cases": may(policy.CASE_VIEW),
            "new_case": may(policy.CASE_CREATE),
            "audit": may(policy.AUDIT_VIEW),
            "triage": may(policy.TRIAGE),
            "services": may(policy.CASE_VIEW),
            "facilities": may(policy.FACILITY_VIEW),
            "statistics": may(policy.STATS_VIEW),
            "organisations": may(policy.ADMIN_ORGANISATIONS),
            "users": may(policy.ADMIN_USERS),
        },
    }
