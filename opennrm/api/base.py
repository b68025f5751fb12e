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
        if spec.scope == "perm" and spec.perm:
            method_perm = getattr(view, "method_perms", {}).get(request.method, spec.perm)
            return has_perm(request.user, method_perm)
        return True


class PolicyAPIView(APIView):
    access = Access(scope="authenticated")
    permission_classes = [permissions.IsAuthenticated, RolePermission]
    touches_personal_data = True
    audit_object_type = ""
