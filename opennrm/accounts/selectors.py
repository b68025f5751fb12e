from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from opennrm.accounts.models import ApiToken, Organisation, User
from opennrm.accounts.roles import Perm
from opennrm.lib.errors import NotFound


def _require(user: Any, perm: str) -> None:
    from opennrm.policy import has_perm

    if not has_perm(user, perm):
        raise NotFound()


def organisation_list(*, user: Any) -> QuerySet[Organisation]:
    _require(user, Perm.ADMIN_ORGANISATIONS)
    return Organisation.objects.annotate(user_count=Count("users")).order_by("type", "name")


def organisation_get(*, user: Any, pk: int) -> Organisation:
    _require(user, Perm.ADMIN_ORGANISATIONS)
    org = Organisation.objects.filter(pk=pk).first()
    if org is None:
        raise NotFound()
    return org


def user_list(*, user: Any) -> QuerySet[User]:
    _require(user, Perm.ADMIN_USERS)
    return User.objects.select_related("organisation", "role").order_by("organisation__name", "username")


def user_get(*, user: Any, pk: int) -> User:
    _require(user, Perm.ADMIN_USERS)
    found = User.objects.select_related("organisation", "role").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def tokens_of(*, user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")
