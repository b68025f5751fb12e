"""The session's user, loaded with the role and organisation every page and the policy read."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend


class UserBackend(ModelBackend):
    """``ModelBackend`` whose ``get_user`` joins the role and the organisation: without it every request
    paid two more queries for them (the header, the policy, the audit entry all read them)."""

    def get_user(self, user_id: Any) -> Any:
        from opennrm.accounts.models import User

        user = User._default_manager.select_related("role", "organisation").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
