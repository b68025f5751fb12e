"""Organisations, users, roles and API tokens. Every permission change is audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opennrm.accounts import directory
from opennrm.accounts.models import ApiToken, Organisation, OrganisationType, Role, User
from opennrm.accounts.roles import DEFAULT_ROLES, Perm
from opennrm.audit.services import audit_record
from opennrm.core.locking import update_versioned
from opennrm.lib.country import home_country
from opennrm.lib.errors import ConflictError, DomainError, PermissionDenied

TOKEN_PREFIX = "onrm"  # noqa: S105 - a marker, not a secret


def _require(user: Any, perm: str) -> None:
    from opennrm.policy import has_perm

    if not has_perm(user, perm):
        raise PermissionDenied()


def roles_sync() -> None:
    """Create missing default roles (never overwrites a role an administrator changed)."""
    for code, spec in DEFAULT_ROLES.items():
        Role.objects.get_or_create(
            code=code, defaults={"permissions": spec["permissions"], "sensitivities": spec["sensitivities"]}
        )


@transaction.atomic
def organisation_create(
    *,
    actor: Any,
    code: str,
    name: str,
    type: str,
    city: str = "",
    country: str = "",
    parent: Organisation | None = None,
) -> Organisation:
    if actor is not None:
        _require(actor, Perm.ADMIN_ORGANISATIONS)
    if type not in OrganisationType.values:
        raise DomainError(_("Choose one of the listed values."), field="type")
    if Organisation.objects.filter(code=code).exists():
        raise DomainError(_("An organisation with this code already exists."), field="code")
    org = Organisation(
        code=code,
        name=name.strip(),
        type=type,
        city=city.strip(),
        country=(country or home_country()).upper(),
        parent=parent,
        created_by=actor,
        updated_by=actor,
    )
    try:
        org.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=field) from None
    org.save()
    audit_record(actor=actor, action="create", object_type="organisation", object_id=org.code)
    return org


@transaction.atomic
def organisation_update(
    *, actor: Any, organisation: Organisation, expected_version: int, data: dict[str, Any]
) -> Organisation:
    _require(actor, Perm.ADMIN_ORGANISATIONS)
    fields: dict[str, Any] = {}
    for key in ("name", "city", "is_active"):
        if key in data:
            fields[key] = data[key]
    if "name" in fields and not str(fields["name"]).strip():
        raise DomainError(_("This field is required."), field="name")
    update_versioned(organisation, expected_version=expected_version, user=actor, fields=fields)
    transaction.on_commit(directory.forget)
    audit_record(
        actor=actor,
        action="update",
        object_type="organisation",
        object_id=organisation.code,
        detail={"fields": sorted(fields)},
    )
    return organisation


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str | None,
    organisation: Organisation,
    role_code: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    is_demo: bool = False,
) -> User:
    if actor is not None:
        _require(actor, Perm.ADMIN_USERS)
    role = Role.objects.filter(code=role_code).first()
    if role is None:
        raise DomainError(_("Choose one of the listed values."), field="role")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("This username is taken."), field="username")
    user = User(
        username=username,
        organisation=organisation,
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_demo=is_demo,
    )
    if password:
        if not is_demo:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise DomainError(" ".join(exc.messages), field="password") from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=field) from None
    user.save()
    audit_record(
        actor=actor,
        action="permission_change",
        object_type="user",
        object_id=user.pk,
        detail={"username": username, "organisation": organisation.code, "role": role_code, "created": True},
    )
    return user


@transaction.atomic
def user_update(
    *,
    actor: Any,
    user: User,
    expected_version: int,
    role_code: str | None = None,
    organisation: Organisation | None = None,
    is_active: bool | None = None,
) -> User:
    _require(actor, Perm.ADMIN_USERS)
    fields: dict[str, Any] = {}
    if role_code is not None and role_code != getattr(user.role, "code", None):
        role = Role.objects.filter(code=role_code).first()
        if role is None:
            raise DomainError(_("Choose one of the listed values."), field="role")
        fields["role"] = role
    if organisation is not None and organisation.pk != user.organisation_id:
        fields["organisation"] = organisation
    if is_active is not None and is_active != user.is_active:
        if user.pk == actor.pk and not is_active:
            raise DomainError(_("You cannot deactivate your own account."), field="is_active")
        fields["is_active"] = is_active
    changed = User.objects.filter(pk=user.pk, version=expected_version).update(
        version=expected_version + 1, **fields
    )
    if changed != 1:
        raise ConflictError(
            _("Someone else changed this record since you opened it. Reload it and apply your change again."),
            field="version",
        )
    for key, value in fields.items():
        setattr(user, key, value)
    user.version = expected_version + 1
    transaction.on_commit(directory.forget)
    audit_record(
        actor=actor,
        action="permission_change",
        object_type="user",
        object_id=user.pk,
        detail={
            "username": user.username,
            "changed": sorted(fields),
            "role": user.role.code if user.role else None,
            "organisation": user.organisation.code if user.organisation else None,
        },
    )
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, actor: Any, user: User, name: str = "api", days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a personal API token; returns the token row and the secret, shown once."""
    days = days or settings.API_TOKEN_DEFAULT_DAYS
    if not 1 <= days <= 366:
        raise DomainError(_("A token lives between 1 and 366 days."), field="days")
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=prefix,
        digest=_digest(secret),
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    audit_record(
        actor=actor,
        action="permission_change",
        object_type="api_token",
        object_id=token.prefix,
        detail={"user": user.username, "created": True, "expires_at": token.expires_at.isoformat()},
        actor_username=None if actor is not None else "system",
    )
    return token, secret


def token_authenticate(secret: str) -> ApiToken | None:
    if not secret.startswith(TOKEN_PREFIX + "_"):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__role", "user__organisation")
        .filter(digest=_digest(secret))
        .first()
    )
    if token is None or not token.is_active or not token.user.is_active:
        return None
    if token.user.is_demo and not settings.DEMO_MODE:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="permission_change",
            object_type="api_token",
            object_id=token.prefix,
            detail={"user": token.user.username, "revoked": True},
            actor_username=None if actor is not None else "system",
        )
    return token
