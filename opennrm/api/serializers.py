"""The base of every serializer of the API: JSON bodies are read with the types the schema states.

DRF is lenient by design: a CharField takes the number 0 as "0", a BooleanField takes 0, 1, "yes" and
"on", an IntegerField takes "5". The OpenAPI schema promises ``string``, ``boolean`` and ``integer``; a
client that sends something else has a bug it should hear about (400), not a record that silently holds
"0". Form bodies (multipart, the group registration's CSV upload) carry only strings and keep DRF's
coercion. No library does this check against DRF's own field declarations, so it is written here.
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _
from rest_framework import fields, serializers
from rest_framework.exceptions import ValidationError

# Field class -> the JSON types it accepts. Order matters: BooleanField before IntegerField (bool is an int).
_EXPECTED: tuple[tuple[type, tuple[type, ...], str], ...] = (
    (fields.BooleanField, (bool,), "boolean"),
    (fields.IntegerField, (int,), "integer"),
    (fields.FloatField, (int, float), "number"),
    (fields.CharField, (str,), "string"),
    (fields.ChoiceField, (str,), "string"),
    (fields.DateField, (str,), "string"),
    (fields.DateTimeField, (str,), "string"),
)


def _type_error(field: fields.Field, value: Any) -> Any:
    """What is wrong with the JSON type of ``value`` for ``field`` (None when nothing is)."""
    if value is None or isinstance(field, serializers.Serializer):
        return None  # null is the field's own business (allow_null); a nested serializer checks itself
    if isinstance(field, serializers.ListSerializer):
        return None
    if isinstance(field, fields.ListField):
        if not isinstance(value, list):
            return None  # the field's own "not a list" error
        errors = {i: e for i, item in enumerate(value) if (e := _type_error(field.child, item))}
        return errors or None
    for klass, accepted, name in _EXPECTED:
        if isinstance(field, klass):
            if isinstance(value, bool) and bool not in accepted:
                return [_("Expected a %(type)s.") % {"type": name}]
            if not isinstance(value, accepted):
                return [_("Expected a %(type)s.") % {"type": name}]
            return None
    return None


class Serializer(serializers.Serializer):
    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict) and not isinstance(data, QueryDict):
            errors = {}
            for name, field in self.fields.items():
                if field.read_only or field.source == "*":
                    continue
                if name in data and (error := _type_error(field, data[name])):
                    errors[name] = error
            if errors:
                raise ValidationError(errors, code="invalid")
        return super().to_internal_value(data)


class Query(Serializer):
    """The query parameters of a GET, declared once for the schema (``parameters=[TheQuery]``) and the view.

    DRF reads ``?status=`` like an empty form field: as if the parameter were not given. The schema says a
    parameter is an enum value, an integer or a boolean; an empty one is a client's mistake and gets a 400
    naming it (a text search may be empty)."""

    def to_internal_value(self, data: Any) -> Any:
        errors = {}
        for name, field in self.fields.items():
            if data.get(name, None) == "" and not getattr(field, "allow_blank", False):
                errors[name] = [_("Give a value, or leave the parameter out.")]
        if errors:
            raise ValidationError(errors, code="invalid")
        return super().to_internal_value(data)
