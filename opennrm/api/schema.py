from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import force_instance
from rest_framework import serializers

# Exactly the characters for which str.isspace() is true (what DRF's trim removes).
_SPACE = r"\t\n\u000b\u000c\r\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Some character that is not space, and no NUL anywhere (DRF refuses it: PostgreSQL cannot store it).
NOT_ONLY_SPACE = f"^[^\\u0000]*[^{_SPACE}\\u0000][^\\u0000]*$"


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "opennrm.api.authentication.ApiTokenAuthentication"
    name = "personalToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Personal API token: opennrm token create USERNAME",
        }


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    target_class = "opennrm.api.authentication.VerifiedSessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}


class ErrorSerializer(serializers.Serializer):
    """Every error of the API (opennrm.api.exceptions): a message in the reader's language, and details
    (``extra.fields``: the fields and what is wrong with each)."""

    message = serializers.CharField()
    extra = serializers.DictField()


_ERRORS = {
    "400": "Invalid input: nothing was changed (extra.fields names the fields)",
    "401": "Not authenticated (a personal token, or a session after the second factor)",
    "403": "Your role does not allow this",
    "404": "Not found, or outside your organisation's cases (existence is never confirmed)",
    "409": "Someone else changed the record since you read its version: read it again",
    "422": "Well formed, but refused by a rule of the mechanism (the message says which)",
    "429": "Too many requests from here: try again later",
}


class AutoSchema(openapi.AutoSchema):
    """Documents, for every operation, the error answers it really gives, from its access declaration and
    its shape: 401/403 unless public, 404 where an object is looked up or a page is asked for, 400 and 422
    where input (a body or query parameters) is read, 409 where the input carries the version it read, 429 on the throttled public report;
    and 414 everywhere (the HTTP server's limit on the request line)."""

    def _error_codes(self) -> list[str]:
        access = getattr(self.view, "access", None)
        scope = getattr(access, "scope", "authenticated")
        codes: list[str] = []
        reads_input = self.method in ("POST", "PUT", "PATCH") or bool(self._get_query_parameters())
        if reads_input:
            codes.append("400")
        if reads_input:
            codes.append("422")
        if scope != "public":
            codes += ["401", "403"]
        if (
            scope in ("case", "person", "incident", "organisation")
            or "{" in self.path
            or (getattr(self.view, "pagination_class", None) and self._is_list_view())
        ):
            codes.append("404")
        if self.method in ("POST", "PUT", "PATCH"):
            request = force_instance(self.get_request_serializer())
            if "version" in getattr(request, "fields", {}):
                codes.append("409")
        if getattr(self.view, "documents_throttle", False):
            codes.append("429")
        return codes

    def _map_serializer_field(self, field: Any, direction: Any, bypass_extensions: bool = False) -> Any:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # drf-spectacular leaves a list that may not be empty without its minimum.
        if (
            direction == "request"
            and isinstance(field, serializers.ListField | serializers.ListSerializer)
            and not field.allow_empty
            and schema.get("type") == "array"
        ):
            schema.setdefault("minItems", 1)
        # A text field trims its input (str.strip), so "  " is blank and refused: say a non-space character
        # is needed. Spelled out rather than \S, whose meaning differs between ECMA regexes (what JSON Schema
        # uses) and Python's strip: U+001C-U+001F and U+0085 are space to Python only, U+FEFF to ECMA only.
        if (
            direction == "request"
            and type(field) is serializers.CharField
            and field.trim_whitespace
            and not field.allow_blank
            and schema.get("type") == "string"
        ):
            schema.setdefault("pattern", NOT_ONLY_SPACE)
        return schema

    def _get_query_parameters(self) -> list[Any]:
        params = [p for p in self._get_parameters() if p.get("in") == "query"]
        return params

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                responses[code] = {
                    **self._get_response_for_code(ErrorSerializer, code, direction=direction),
                    "description": _ERRORS[code],
                }
        # Any operation: the HTTP server (gunicorn, its limit_request_line) refuses a longer request line
        # before the application sees it, with a page of its own rather than the API's error body.
        responses.setdefault(
            "414", {"description": "The URL is longer than the server accepts (4,094 bytes)"}
        )
        return responses


def version_required_on_patch(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """A PATCH changes only the fields it sends, but always says which version it read (optimistic
    locking, 409 when stale): the ``Patched…`` request bodies drf-spectacular derives make every field
    optional, ``version`` included; put it back among the required ones."""
    patched = set()
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.startswith("Patched") and "version" in component.get("properties", {}):
            component["required"] = sorted({*component.get("required", []), "version"})
            patched.add(f"#/components/schemas/{name}")
    # And so the body itself is required: a PATCH without one has no version to compare.
    for operations in result.get("paths", {}).values():
        body = operations.get("patch", {}).get("requestBody")
        if body and any(media.get("schema", {}).get("$ref") in patched for media in body["content"].values()):
            body["required"] = True
    return result
