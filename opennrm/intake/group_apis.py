"""REST API of the group intake: the same service and checks as the page, JSON or a CSV file."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from opennrm.accounts.models import Organisation
from opennrm.accounts.roles import Perm
from opennrm.api.base import PolicyAPIView
from opennrm.api.serializers import Serializer
from opennrm.cases.apis import IncidentInSerializer
from opennrm.cases.models import ReferralSource
from opennrm.core.http import Access
from opennrm.identification.models import Answer, ScreeningSetting
from opennrm.intake import group
from opennrm.lib.errors import DomainError


class GroupPersonSerializer(Serializer):
    """One person of the group: the columns of the CSV file. Values are checked by the service, which
    answers with every problem as {row, column, message} (row = position in ``persons``, from 1)."""

    given_names = serializers.CharField(required=False, allow_blank=True)
    family_names = serializers.CharField(required=False, allow_blank=True)
    sex = serializers.CharField(help_text="female, male, other or unknown (also ž/m, ж/м)")
    birth_date = serializers.CharField(required=False, allow_blank=True, help_text="YYYY-MM-DD or DD.MM.YYYY")
    birth_year = serializers.IntegerField(required=False, allow_null=True)
    age_min = serializers.IntegerField(required=False, allow_null=True)
    age_max = serializers.IntegerField(required=False, allow_null=True)
    citizenship = serializers.CharField(
        required=False, allow_blank=True, help_text="ISO 3166 two-letter code"
    )
    languages = serializers.ListField(child=serializers.CharField(), required=False)
    interpreter_needed = serializers.BooleanField(required=False)
    document_number = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)


@extend_schema_field(GroupPersonSerializer)
class GroupPersonField(serializers.DictField):
    """Accepted as given (a dict) so that the service can report problems by row and column."""


class SharedScreeningSerializer(Serializer):
    indicator_set = serializers.CharField(max_length=40)
    version = serializers.CharField(max_length=20, required=False, allow_blank=True)
    setting = serializers.ChoiceField(
        choices=ScreeningSetting.choices, default=ScreeningSetting.WORKPLACE_INSPECTION
    )
    screened_on = serializers.DateField(required=False)
    interpreter_used = serializers.BooleanField(required=False, default=False)
    answers = serializers.DictField(child=serializers.ChoiceField(choices=Answer.choices))


class GroupIntakeInSerializer(Serializer):
    incident_code = serializers.CharField(max_length=32, required=False, allow_blank=True)
    incident = IncidentInSerializer(required=False)
    referral_source = serializers.ChoiceField(choices=ReferralSource.choices)
    summary = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    persons = serializers.ListField(child=GroupPersonField(), allow_empty=False)
    shared_screening = SharedScreeningSerializer(required=False, allow_null=True)
    refer_to = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Organisation.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="Code of the organisation to refer every person to for identification, in one batch",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("incident_code") and not attrs.get("incident"):
            raise serializers.ValidationError(
                {"incident": [_("Describe the incident, or give an existing incident code.")]}, code="rule"
            )
        return attrs


class GroupIntakeUploadSerializer(Serializer):
    """The multipart form: a CSV file and the other fields; ``incident`` and ``shared_screening`` as JSON text."""

    file = serializers.FileField(help_text="CSV with the columns of GET /incidents/group/template.csv")
    incident_code = serializers.CharField(max_length=32, required=False)
    incident = serializers.CharField(required=False, help_text="JSON object, as in the JSON request")
    referral_source = serializers.ChoiceField(choices=ReferralSource.choices)
    summary = serializers.CharField(max_length=4000, required=False)
    shared_screening = serializers.CharField(required=False, help_text="JSON object, as in the JSON request")
    refer_to = serializers.CharField(required=False, help_text="Organisation code")


class GroupIntakeOutSerializer(Serializer):
    incident = serializers.CharField(help_text="Incident code")
    cases = serializers.ListField(
        child=serializers.CharField(), help_text="Case codes, in the order of the rows"
    )
    batch = serializers.CharField(help_text="Referral batch code; empty when nobody was referred")
    children = serializers.IntegerField(help_text="Cases opened as a child's (presumed under 18)")
    screenings = serializers.IntegerField()
    referrals = serializers.IntegerField()


def _json_field(raw: Any, field: str) -> Any:
    if raw in (None, ""):
        return None
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        raise DomainError(_("Enter a JSON object."), field=field) from None


class GroupIntakeApi(PolicyAPIView):
    access = Access(scope="perm", perm=Perm.CASE_CREATE, methods=("POST",))
    audit_object_type = "case"
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        request={
            "application/json": GroupIntakeInSerializer,
            "multipart/form-data": GroupIntakeUploadSerializer,
        },
        responses={201: GroupIntakeOutSerializer},
        summary="Register a group found together (one incident, one case per person)",
        description=(
            "JSON with ``persons``, or multipart with a CSV ``file`` (UTF-8, Windows-1250 or Windows-1251; "
            "comma or semicolon; at most 5,000 rows). Optionally a screening with the indicators shared by "
            "the group (evaluated once, stored in every case) and a referral of all of them together for "
            "identification (one batch code, one notification). Nothing is written unless every row is "
            'correct: a 400 lists every problem as ``extra.errors = [{"row", "column", "message"}]``.'
        ),
    )
    def post(self, request: Request) -> Response:
        if request.content_type.startswith("multipart/"):
            upload = request.FILES.get("file")
            if upload is None:
                raise DomainError(_("Upload a CSV file."), field="file")
            data: dict[str, Any] = {
                key: request.data.get(key)
                for key in ("incident_code", "referral_source", "summary", "refer_to")
                if request.data.get(key) not in (None, "")
            }
            for key in ("incident", "shared_screening"):
                value = _json_field(request.data.get(key), key)
                if value is not None:
                    data[key] = value
            data["persons"] = group.parse_group_csv(upload.read())
        else:
            data = request.data
        ser = GroupIntakeInSerializer(data=data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        shared = d.get("shared_screening")
        result = group.group_register(
            user=request.user,
            incident_code=d.get("incident_code") or None,
            incident_data=dict(d["incident"]) if d.get("incident") else None,
            rows=list(d["persons"]),
            referral_source=d["referral_source"],
            shared_screening={**shared, "answers": dict(shared["answers"])} if shared else None,
            refer_to=d.get("refer_to"),
            summary=d.get("summary", ""),
        )
        out = {
            "incident": result.incident.code,
            "cases": [c.code for c in result.cases],
            "batch": result.batch,
            "children": result.children,
            "screenings": result.screenings,
            "referrals": result.referrals,
        }
        return Response(GroupIntakeOutSerializer(out).data, status=status.HTTP_201_CREATED)
