"""DRF plumbing: every API view declares its access like the HTML views do (read by the matrix test)."""

from __future__ import annotations

from rest_framework import permissions
from rest_framework.views import APIView

from opennrm.core.http import Access


class RolePermission(permissions.BasePermission):
    """Role-level gate (``Access.perm`` for scope "perm"); object scope is enforced by selectors (404)."""

    def has_permission(self, request, view) -> bool:
        from opennrm.policy import has_perm

        spec: Access = view.access
        if not request.user or not request.user.is_authenticated:
            return False
        perm = spec.perm_for(request.method)
        if spec.scope in ("perm", "authenticated") and perm:
            return has_perm(request.user, perm)
        return True


class PolicyAPIView(APIView):
    access = Access(scope="authenticated")
    permission_classes = [permissions.IsAuthenticated, RolePermission]
    touches_personal_data = True
    audit_object_type = ""


def require(user, perm: str, obj=None) -> None:
    """After the object lookup (404 outside need-to-know): 403 when the role may not do this to it."""
    from opennrm.policy import require as policy_require

    policy_require(user, perm, obj)
