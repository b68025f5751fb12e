from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

# Paths a logged-in but not yet second-factor-verified user may reach.
OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz", "/report")


class RequireSecondFactorMiddleware:
    """With 2FA required, a session is only usable after a TOTP check (django-otp's ``is_verified``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.REQUIRE_2FA
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(OPEN_PREFIXES)
            and not request.path.startswith("/api/")  # the API answers 401/403 itself
        ):
            return redirect("accounts:otp")
        return self.get_response(request)
