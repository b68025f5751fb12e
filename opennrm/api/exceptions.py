"""Every API error has the same shape: {"message": "...", "extra": {"fields": {...}}}."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from opennrm.lib.errors import ConflictError, DomainError, NotFound, PermissionDenied


def exception_handler(exc, context):
    if isinstance(exc, ConflictError):
        return Response(exc.as_dict(), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DomainError):
        _audit_rejection(context, exc.field)
        return Response(exc.as_dict(), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, NotFound | Http404):
        return Response({"message": _("Not found."), "extra": {}}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, PermissionDenied):
        return Response(
            {"message": _("Your role does not allow this."), "extra": {}}, status=status.HTTP_403_FORBIDDEN
        )
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        _audit_rejection(context, ",".join(sorted(detail)) if isinstance(detail, dict) else "")
        return Response(
            {"message": _("Invalid input."), "extra": {"fields": detail}}, status=status.HTTP_400_BAD_REQUEST
        )
    response = drf_exception_handler(exc, context)
    if response is not None:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        response.data = {"message": str(detail), "extra": {}}
    return response


def _audit_rejection(context, field: str | None) -> None:
    request = context.get("request")
    view = context.get("view")
    if request is None or not getattr(request, "user", None) or not request.user.is_authenticated:
        return
    if not getattr(view, "touches_personal_data", False):
        return
    from opennrm.audit.services import audit_record

    audit_record(
        actor=request.user,
        action="rejected",
        object_type=getattr(view, "audit_object_type", ""),
        detail={"field": field or "", "path": request.path[:200]},
    )
