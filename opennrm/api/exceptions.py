"""Every API error has the same shape: {"message": "...", "extra": {"fields": {...}}}.

400: the request does not fit the schema (a missing field, a wrong type, a value outside its enum or its
bounds). 422: it fits, and a rule of the mechanism refuses it (a status the case cannot take, a date in the
future, an organisation that does not exist or may not receive it). 409: the record changed since the version the client read. Keeping 400 and
422 apart tells a client whether its request is wrong or the action is refused.
"""

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
        return Response(exc.as_dict(), status=status.HTTP_422_UNPROCESSABLE_ENTITY)
    if isinstance(exc, NotFound | Http404):
        return Response({"message": _("Not found."), "extra": {}}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, PermissionDenied):
        return Response(
            {"message": _("Your role does not allow this."), "extra": {}}, status=status.HTTP_403_FORBIDDEN
        )
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        _audit_rejection(context, ",".join(sorted(detail)) if isinstance(detail, dict) else "")
        # 400 only when the request breaks what the schema states (a missing field, a wrong type, a value
        # outside its enum, length or bounds); anything else (a code that does not exist, a NUL character,
        # a rule across fields) is a well-formed request refused.
        malformed = _any_code(exc.get_codes(), SCHEMA_CODES)
        return Response(
            {"message": _("Invalid input."), "extra": {"fields": detail}},
            status=status.HTTP_400_BAD_REQUEST if malformed else status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    response = drf_exception_handler(exc, context)
    if response is not None:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        response.data = {"message": str(detail), "extra": {}}
    return response


# DRF's error codes for what an OpenAPI schema can state of a field (required, type, null, enum, length,
# bounds, minimum items, date format); opennrm.api.serializers adds "invalid" for a wrong JSON type.
SCHEMA_CODES = frozenset(
    {
        "required",
        "invalid",
        "blank",
        "empty",
        "null",
        "not_a_list",
        "not_a_dict",
        "invalid_choice",
        "max_length",
        "min_length",
        "max_value",
        "min_value",
        "max_string_length",
        "date",
        "datetime",
        "parse_error",
    }
)


def _any_code(codes, wanted: frozenset[str]) -> bool:
    """Is any error code of a (nested) ValidationError among ``wanted``?"""
    if isinstance(codes, dict):
        return any(_any_code(v, wanted) for v in codes.values())
    if isinstance(codes, list):
        return any(_any_code(v, wanted) for v in codes)
    return codes in wanted


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
