from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from opennrm.accounts import selectors, services
from opennrm.accounts.forms import (
    LoginForm,
    OrganisationEditForm,
    OrganisationForm,
    OtpForm,
    TokenForm,
    UserCreateForm,
    UserEditForm,
)
from opennrm.accounts.models import ApiToken, User
from opennrm.accounts.roles import Perm
from opennrm.audit.services import audit_record
from opennrm.core.http import AuthenticatedHttpRequest, access
from opennrm.lib.errors import DomainError, NotFound


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return "/"
    return target


@access("public", methods=("GET", "POST"))
@never_cache
@csrf_protect
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        # Demo logins exist only in demo mode; a refused demo account looks like wrong credentials.
        refusal = (
            "locked"
            if getattr(request, "axes_locked_out", False)
            else "credentials"
            if user is None
            else "demo_account"
            if user.is_demo and not settings.DEMO_MODE
            else None
        )
        if refusal:
            error = (
                _(
                    "Too many failed attempts. This account is locked for a while; try again later or ask your administrator."
                )
                if refusal == "locked"
                else _("The username or password is not correct.")
            )
            audit_record(
                actor=None,
                action="login_failed",
                object_type="user",
                actor_username=username,
                detail={"reason": refusal},
            )
        else:
            assert user is not None  # no user is a refusal ("credentials")
            login(request, user)
            audit_record(actor=user, action="login", object_type="user", object_id=user.pk)
            if settings.REQUIRE_2FA:
                target = (
                    "accounts:otp"
                    if TOTPDevice.objects.filter(user=user, confirmed=True).exists()
                    else "accounts:otp_setup"
                )
                return redirect(f"{redirect(target).url}?next={_next_url(request)}")
            return redirect(_next_url(request))
    return render(
        request,
        "accounts/login.html",
        {"form": form, "error": error, "next": _next_url(request)},
        status=400 if error or form.errors else 200,
    )


@access("authenticated", methods=("GET", "POST"))
@never_cache
def otp_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.user.is_verified():
        return redirect(_next_url(request))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect("accounts:otp_setup")
    form = OtpForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        allowed, _info = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["token"].strip()):
            otp_login(request, device)
            audit_record(
                actor=request.user,
                action="login",
                object_type="user",
                object_id=request.user.pk,
                detail={"factor": "totp"},
            )
            return redirect(_next_url(request))
        error = _("The code is not correct or has expired. Wait for a new code and try again.")
        audit_record(
            actor=request.user,
            action="login_failed",
            object_type="user",
            object_id=request.user.pk,
            detail={"reason": "totp"},
        )
    return render(
        request,
        "accounts/otp.html",
        {"form": form, "error": error, "next": _next_url(request)},
        status=400 if error else 200,
    )


@access("authenticated", methods=("GET", "POST"))
@never_cache
def otp_setup_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists() and not request.user.is_verified():
        return redirect("accounts:otp")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = OtpForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            TOTPDevice.objects.filter(user=user, confirmed=True).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit_record(
                actor=user,
                action="permission_change",
                object_type="user",
                object_id=user.pk,
                detail={"totp": "enrolled"},
            )
            messages.success(request, _("Two-factor authentication is set up."))
            return redirect(_next_url(request))
        error = _("The code is not correct. Check the time on your phone and try again.")
    qr = segno.make(device.config_url, error="m").svg_inline(scale=5)
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/otp_setup.html",
        {"form": form, "error": error, "qr": qr, "secret": secret, "next": _next_url(request)},
        status=400 if error else 200,
    )


@access("authenticated", methods=("POST",))
def logout_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    audit_record(actor=request.user, action="logout", object_type="user", object_id=request.user.pk)
    logout(request)
    return redirect("accounts:login")


@access("authenticated", methods=("GET", "POST"))
def security_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_secret = None
    if settings.REQUIRE_2FA and not request.user.is_verified():
        # Defence in depth behind the middleware: a token outlives the session, so never before the second factor.
        return redirect("accounts:otp")
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_secret = services.token_create(
                actor=request.user,
                user=request.user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
            )
            form = TokenForm()
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(
        request,
        "accounts/security.html",
        {
            "form": form,
            "new_secret": new_secret,
            "tokens": selectors.tokens_of(user=request.user),
            "has_totp": TOTPDevice.objects.filter(user=request.user, confirmed=True).exists(),
        },
        status=400 if form.errors else 200,
    )


@access("authenticated", methods=("POST",))
def token_revoke_view(request: AuthenticatedHttpRequest, prefix: str) -> HttpResponse:
    token = ApiToken.objects.filter(user=request.user, prefix=prefix).first()
    if token is None:
        raise NotFound()
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:security")


@access("perm", Perm.ADMIN_ORGANISATIONS, methods=("GET", "POST"))
def organisations_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_create(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Organisation added."))
            return redirect("accounts:organisations")
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(
        request,
        "manage/organisations.html",
        {"form": form, "organisations": selectors.organisation_list(user=request.user)},
        status=400 if form.errors else 200,
    )


@access("perm", Perm.ADMIN_ORGANISATIONS, methods=("GET", "POST"))
def organisation_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    org = selectors.organisation_get(user=request.user, pk=pk)
    form = OrganisationEditForm(
        request.POST or None,
        initial={"name": org.name, "city": org.city, "is_active": org.is_active, "version": org.version},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.organisation_update(
                actor=request.user, organisation=org, expected_version=version, data=data
            )
            messages.success(request, _("Saved."))
            return redirect("accounts:organisations")
        except DomainError as exc:
            form.add_error(
                exc.field if exc.field in form.fields and exc.field != "version" else None, exc.message
            )
    return render(
        request,
        "manage/organisation_edit.html",
        {"form": form, "org": org},
        status=400 if form.errors else 200,
    )


@access("perm", Perm.ADMIN_USERS, methods=("GET", "POST"))
def users_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.user_create(
                actor=request.user,
                username=d["username"],
                password=d["password"],
                organisation=d["organisation"],
                role_code=d["role"].code,
                first_name=d["first_name"],
                last_name=d["last_name"],
                email=d["email"],
            )
            messages.success(request, _("User added."))
            return redirect("accounts:users")
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(
        request,
        "manage/users.html",
        {"form": form, "users": selectors.user_list(user=request.user)},
        status=400 if form.errors else 200,
    )


@access("perm", Perm.ADMIN_USERS, methods=("GET", "POST"))
def user_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target: User = selectors.user_get(user=request.user, pk=pk)
    form = UserEditForm(
        request.POST or None,
        initial={
            "organisation": target.organisation,
            "role": target.role.code if target.role else None,
            "is_active": target.is_active,
            "version": target.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.user_update(
                actor=request.user,
                user=target,
                expected_version=d["version"],
                role_code=d["role"].code,
                organisation=d["organisation"],
                is_active=d["is_active"],
            )
            messages.success(request, _("Saved."))
            return redirect("accounts:users")
        except DomainError as exc:
            form.add_error(
                exc.field if exc.field in form.fields and exc.field != "version" else None, exc.message
            )
    return render(
        request, "manage/user_edit.html", {"form": form, "target": target}, status=400 if form.errors else 200
    )
