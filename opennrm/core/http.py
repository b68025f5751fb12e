"""Helpers shared by the HTML views: access declaration, error translation, form error display.

Every view declares its access with ``@access(...)``. The declaration does three things: it wraps the
view (login, 404 for objects out of scope, 403 for missing permissions); for an object scope it
resolves the object from the URL and hands it to the view already checked (``case=`` instead of
``code=``), so the permission is stated once; and it is read by the generated access-matrix test, so
a new endpoint without a declaration fails the test suite. API views declare the same ``Access``
(``opennrm.api.base.PolicyAPIView``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import LazyObject, empty

from opennrm.lib.errors import NotFound, PermissionDenied

if TYPE_CHECKING:
    from opennrm.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request a view behind ``@access`` with any scope but "public" receives: the user has logged in."""

    user: User


@dataclass(frozen=True)
class Access:
    # "public": anyone; "authenticated": any logged-in user; "perm": needs ``perm``;
    # "case": needs ``perm`` on a case in scope (404 outside it); "person": same for a person;
    # "organisation": needs ``perm`` and the object must be addressed to the user's organisation (404
    # otherwise) — a service request a provider answers without seeing the case.
    scope: str
    perm: str | None = None
    methods: tuple[str, ...] = ("GET",)
    # Methods that need another permission than ``perm`` (for example PATCH needing case.edit).
    method_perms: tuple[tuple[str, str], ...] = ()

    def perm_for(self, method: str) -> str | None:
        return dict(self.method_perms).get(method, self.perm)


# Resolvers of object scopes, registered by the app that owns the objects (cases registers "case",
# "person" and "incident" in its AppConfig.ready(), so that this lower layer need not import it):
# resolver(user, action, kwargs) replaces the URL's identifier in ``kwargs`` by the object, checked for
# ``action`` (NotFound outside need-to-know, PermissionDenied when the role may not).
SCOPES: dict[str, Callable[[Any, str | None, dict[str, Any]], None]] = {}


def register_scope(scope: str, resolver: Callable[[Any, str | None, dict[str, Any]], None]) -> None:
    SCOPES[scope] = resolver


def resolve(scope: str, user: Any, action: str | None, kwargs: dict[str, Any]) -> None:
    """Resolve the object of an object scope into ``kwargs`` (nothing to do for the other scopes)."""
    resolver = SCOPES.get(scope)
    if resolver is not None:
        resolver(user, action, kwargs)


def unwrap_user(user: Any) -> Any:
    """The user object inside the lazy proxies of the auth and OTP middleware, once they are evaluated."""
    while isinstance(user, LazyObject) and user._wrapped is not empty:  # type: ignore[attr-defined]
        user = user._wrapped  # type: ignore[attr-defined]
    return user


def access(scope: str, perm: str | None = None, methods: tuple[str, ...] = ("GET",)) -> Callable:
    spec = Access(scope=scope, perm=perm, methods=methods)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in (*methods, "HEAD") and not (
                request.method == "HEAD" and "GET" in methods
            ):
                response = HttpResponse(status=405)
                response["Allow"] = ", ".join(methods)
                return response
            if scope != "public":
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                # The user behind the lazy proxy (evaluated just above): every policy question of the
                # request reads its attributes, and each read through the proxy costs a call.
                request.user = unwrap_user(request.user)
            needed = spec.perm_for(request.method)
            if scope in ("perm", "authenticated") and needed:
                from opennrm.policy import has_perm

                if not has_perm(request.user, needed):
                    return render(request, "403.html", status=403)
            try:
                resolve(scope, request.user, needed, kwargs)
                return view(request, *args, **kwargs)
            except NotFound:
                raise Http404() from None
            except PermissionDenied:
                return render(request, "403.html", status=403)

        wrapped.access = spec  # type: ignore[attr-defined]
        return wrapped

    return decorate
