from __future__ import annotations

from django.conf import settings
from rest_framework import authentication, exceptions


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer onrm_…`` personal tokens (stored hashed, expiring, revocable)."""

    keyword = "Bearer"

    def authenticate(self, request):
        from opennrm.accounts.services import token_authenticate

        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0] != self.keyword:
            return None
        token = token_authenticate(parts[1])
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked token.")
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """The browser's session, usable for the API only after the second factor when 2FA is required."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, auth = result
        if settings.REQUIRE_2FA and not user.is_verified():
            return None
        return user, auth
