from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def opennrm(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    perms = set(user.role.permissions) if user is not None and user.is_authenticated and user.role else set()
    return {
        "DEMO_MODE": settings.DEMO_MODE,
        "user_perms": perms,
        "nav": {
            "cases": "case.view" in perms,
            "new_case": "case.create" in perms,
            "audit": "audit.view" in perms,
            "triage": "report.triage" in perms,
            "services": "case.view" in perms,
            # Who sees the facility register (opennrm.shelters.selectors.may_see_facilities).
            "facilities": bool(
                {"case.edit", "involvement.manage", "facility.manage", "stats.view", "admin.organisations"}
                & perms
            ),
            "statistics": "stats.view" in perms,
            "organisations": "admin.organisations" in perms,
            "users": "admin.users" in perms,
        },
    }
