"""DRF plumbing: every API view declares its access like the HTML views do (read by the matrix test)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from rest_framework import permissions
from rest_framework.views import APIView

from opennrm.core.http import Access, resolve

if TYPE_CHECKING:
    from rest_framework.request import Request

    from opennrm.accounts.models import User


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
    # Views that read a part of a case and do not audit the read themselves set this: a successful GET
    # is then recorded as a read of that part of the case (the URL's ``code``).
    audit_reads = False
    # The object of an object scope, resolved and checked in ``initial`` (see there).
    case: Any
    person: Any
    incident: Any

    @staticmethod
    def user(request: Request) -> User:
        """The logged-in user: every scope but "public" passed ``IsAuthenticated`` before a handler runs."""
        return cast("User", request.user)

    def initial(self, request, *args, **kwargs):
        """After authentication and the role's gate: resolve the object of an object scope (the case of
        the URL's ``code``), checked for this method's action, into ``self.case`` (or ``self.person``,
        ``self.incident``) so that handlers state no permission again."""
        super().initial(request, *args, **kwargs)
        spec: Access = self.access
        if spec.scope in ("case", "person", "incident") and "code" in kwargs:
            resolved = dict(kwargs)
            resolve(spec.scope, request.user, spec.perm_for(request.method), resolved)
            setattr(self, spec.scope, resolved[spec.scope])

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if (
            self.audit_reads
            and request.method == "GET"
            and 200 <= response.status_code < 300
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
        ):
            from opennrm.audit.services import audit_record

            code = kwargs.get("code", "")
            audit_record(
                actor=request.user,
                action="read",
                object_type="case" if code else self.audit_object_type,
                object_id=code or "list",
                case_code=code,
                detail={"part": self.audit_object_type},
            )
        return response


def require(user, perm: str, obj=None) -> None:
    """After the object lookup (404 outside need-to-know): 403 when the role may not do this to it."""
    from opennrm.policy import require as policy_require

    policy_require(user, perm, obj)
