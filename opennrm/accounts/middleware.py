from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

# What a logged-in but not yet second-factor-verified user may reach: the login steps themselves and
# nothing else (exact paths, so that no later page under /accounts/ opens before the second factor).
OPEN_PATHS = frozenset(
    {
        "/accounts/login/",
        "/accounts/logout/",
        "/accounts/2fa/",
        "/accounts/2fa/setup/",
        "/healthz",
        # The public's anonymous report stays open to anyone, signed in or not.
        "/report/",
        "/report/thanks/",
    }
)
OPEN_PREFIXES = ("/static/", "/i18n/")


class RequireSecondFactorMiddleware:
    """With 2FA required, a session is only usable after a TOTP check (django-otp's ``is_verified``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        # DEMO_MODE first: outside demo mode the user is loaded anyway for the 2FA check below; in demo
        # mode a request that never looks at the user (a health check) does not load it.
        if not settings.DEMO_MODE and user is not None and user.is_authenticated and user.is_demo:
            # A demo account's session from a demo run does not survive a switch out of demo mode.
            logout(request)
            return redirect("accounts:login")
        if (
            settings.REQUIRE_2FA
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and request.path not in OPEN_PATHS
            and not request.path.startswith(OPEN_PREFIXES)
            and not request.path.startswith("/api/")  # the API answers 401/403 itself
        ):
            return redirect("accounts:otp")
        return self.get_response(request)
