"""REST API for cases, incidents, persons, involvements, notes and timeline. Thin: parse, call, serialise."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from opennrm import policy
from opennrm.accounts.models import Organisation
from opennrm.accounts.roles import Perm, Sensitivity
from opennrm.api.base import PolicyAPIView
from opennrm.api.pagination import Pagination, paginate
from opennrm.api.serializers import Query, Serializer
from opennrm.audit.services import audit_record
from opennrm.cases import selectors, services
from opennrm.cases.models import (
    CaseStatus,
    ExploitationForm,
    Incident,
    IncidentSuspect,
    InvolvementRole,
    ReferralSource,
)
from opennrm.cases.timeline import describe
from opennrm.core.http import Access
from opennrm.lib.errors import DomainError, NotFound
from opennrm.people import selectors as people_selectors
from opennrm.people.models import Disability, Sex

# ---- serializers -------------------------------------------------------------------------------


class IdentitySerializer(Serializer):
    given_names = serializers.CharField(max_length=200, required=False, allow_blank=True)
    family_names = serializers.CharField(max_length=200, required=False, allow_blank=True)
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=20
    )
    birth_date = serializers.DateField(required=False, allow_null=True)
    documents = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=20
    )
    addresses = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=20
    )
    contacts = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=20
    )


class PersonAttributesSerializer(Serializer):
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    gender_identity = serializers.CharField(max_length=60, required=False, allow_blank=True)
    birth_year = serializers.IntegerField(required=False, allow_null=True)
    age_estimate_min = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=120)
    age_estimate_max = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=120)
    age_disputed = serializers.BooleanField(required=False)
    citizenship = serializers.CharField(max_length=2, required=False, allow_blank=True)
    other_citizenships = serializers.ListField(
        child=serializers.CharField(max_length=2), required=False, max_length=10
    )
    languages = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=10
    )
    interpreter_needed = serializers.BooleanField(required=False)
    disability = serializers.ChoiceField(choices=Disability.choices, required=False)


class SuspectSerializer(Serializer):
    # The API's field names shadow attributes of DRF's Field (a serializer is a field); the wire name wins.
    label = serializers.CharField(max_length=60)  # type: ignore[assignment]
    role_in_process = serializers.ChoiceField(choices=IncidentSuspect.ProcessRole.choices, required=False)
    is_legal_person = serializers.BooleanField(required=False)


class IncidentInSerializer(Serializer):
    title = serializers.CharField(max_length=200)
    started_on = serializers.DateField(required=False, allow_null=True)
    ended_on = serializers.DateField(required=False, allow_null=True)
    municipality = serializers.CharField(max_length=120, required=False, allow_blank=True)
    country_of_exploitation = serializers.CharField(max_length=2, required=False)
    transnational = serializers.BooleanField(required=False)
    forms = serializers.ListField(
        child=serializers.ChoiceField(choices=ExploitationForm.choices), required=False, max_length=11
    )
    suspects = SuspectSerializer(many=True, required=False)


class IncidentOutSerializer(Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    started_on = serializers.DateField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True)
    municipality = serializers.CharField()
    country_of_exploitation = serializers.CharField()
    transnational = serializers.BooleanField()
    forms = serializers.ListField(child=serializers.CharField())
    version = serializers.IntegerField()
    suspects = SuspectSerializer(many=True)


class CaseCreateSerializer(Serializer):
    person = PersonAttributesSerializer(required=False)
    identity = IdentitySerializer(required=False)
    incident_code = serializers.CharField(max_length=32, required=False)
    incident = IncidentInSerializer(required=False)
    referral_source = serializers.ChoiceField(choices=ReferralSource.choices)
    summary = serializers.CharField(max_length=4000, required=False, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("incident_code") and not attrs.get("incident"):
            raise serializers.ValidationError(
                {"incident": [_("Describe the incident, or give an existing incident code.")]}, code="rule"
            )
        return attrs


class CaseFilterSerializer(Query):
    q = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Case, person or incident code; a name, birth date or document number for roles "
        "that may search identities",
    )
    status = serializers.ChoiceField(choices=CaseStatus.choices, required=False)
    year = serializers.IntegerField(
        min_value=2000, max_value=2100, required=False, help_text="Year the case was opened"
    )
    child = serializers.BooleanField(required=False, help_text="Only children (true) or only adults (false)")


class CaseOutSerializer(Serializer):
    code = serializers.CharField()
    person = serializers.CharField(source="person.code")
    incident = serializers.CharField(source="incident.code")
    status = serializers.CharField()
    status_changed_at = serializers.DateTimeField()
    opened_at = serializers.DateTimeField()
    opened_by_organisation = serializers.CharField(source="opened_by_organisation.code")
    referral_source = serializers.CharField()
    is_child = serializers.BooleanField()
    closed_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()


class CaseUpdateSerializer(Serializer):
    version = serializers.IntegerField()
    referral_source = serializers.ChoiceField(choices=ReferralSource.choices, required=False)
    is_child = serializers.BooleanField(required=False)


class StatusSerializer(Serializer):
    version = serializers.IntegerField()
    status = serializers.ChoiceField(choices=CaseStatus.choices)


class InvolvementOutSerializer(Serializer):
    id = serializers.IntegerField()
    organisation = serializers.SerializerMethodField(help_text="null when withheld (a shelter at high risk)")
    organisation_name = serializers.SerializerMethodField()
    withheld = serializers.SerializerMethodField()

    def get_organisation(self, obj: Any) -> str | None:
        return None if getattr(obj, "withheld", False) else obj.organisation.code

    def get_organisation_name(self, obj: Any) -> str | None:
        return None if getattr(obj, "withheld", False) else obj.organisation.name

    def get_withheld(self, obj: Any) -> bool:
        return bool(getattr(obj, "withheld", False))

    role = serializers.CharField()
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    end_reason = serializers.CharField()
    version = serializers.IntegerField()


class InvolvementInSerializer(Serializer):
    organisation = serializers.SlugRelatedField(slug_field="code", queryset=Organisation.objects.all())
    role = serializers.ChoiceField(choices=InvolvementRole.choices)


class InvolvementEndSerializer(Serializer):
    version = serializers.IntegerField()
    reason = serializers.CharField(max_length=300)


class NoteInSerializer(Serializer):
    sensitivity = serializers.ChoiceField(choices=Sensitivity.choices)
    text = serializers.CharField(max_length=20000)


class NoteOutSerializer(Serializer):
    id = serializers.IntegerField()
    sensitivity = serializers.CharField()
    text = serializers.CharField()
    author = serializers.CharField()
    organisation = serializers.CharField()
    created_at = serializers.DateTimeField()


class TimelineOutSerializer(Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    text = serializers.CharField()
    actor = serializers.CharField(allow_null=True)
    organisation = serializers.CharField(allow_null=True)


class PersonOutSerializer(Serializer):
    code = serializers.CharField()
    sex = serializers.CharField()
    birth_year = serializers.IntegerField(allow_null=True)
    age_estimate_min = serializers.IntegerField(allow_null=True)
    age_estimate_max = serializers.IntegerField(allow_null=True)
    age_disputed = serializers.BooleanField()
    citizenship = serializers.CharField()
    other_citizenships = serializers.ListField(child=serializers.CharField())
    languages = serializers.ListField(child=serializers.CharField())
    interpreter_needed = serializers.BooleanField()
    disability = serializers.CharField()
    version = serializers.IntegerField()
    identity = IdentitySerializer(required=False, allow_null=True)


class PersonUpdateSerializer(Serializer):
    version = serializers.IntegerField()
    attributes = PersonAttributesSerializer(required=False)
    identity = IdentitySerializer(required=False)


def _audited(request: Request, object_type: str, serialise: Any) -> Any:
    """Serialise a page of a list and record which records were read (one audit entry per page)."""

    def run(page: list) -> Any:
        audit_record(
            actor=request.user,
            action="read",
            object_type=object_type,
            detail={"codes": [getattr(row, "code", row.pk) for row in page]},
        )
        return serialise(page)

    return run


def _audit_case_part(request: Request, case: Any, part: str) -> None:
    audit_record(
        actor=request.user,
        action="read",
        object_type="case",
        object_id=case.code,
        case_code=case.code,
        detail={"part": part},
    )


def _incident_out(incident: Incident) -> dict[str, Any]:
    data = IncidentOutSerializer(incident).data
    data["forms"] = incident.forms
    data["suspects"] = SuspectSerializer(incident.suspects.all(), many=True).data
    return data


def _identity_in(data: dict[str, Any] | None) -> dict[str, Any]:
    data = dict(data or {})
    if data.get("birth_date"):
        data["birth_date"] = data["birth_date"].isoformat()
    return data


# ---- views ---------------------------------------------------------------------------------------


class CaseListApi(PolicyAPIView):
    pagination_class = Pagination
    access = Access(
        scope="perm", perm=Perm.CASE_VIEW, methods=("GET", "POST"), method_perms=(("POST", Perm.CASE_CREATE),)
    )
    audit_object_type = "case"

    @extend_schema(
        responses=CaseOutSerializer(many=True),
        summary="Cases visible to you",
        parameters=[CaseFilterSerializer],
    )
    def get(self, request: Request) -> Response:
        ser = CaseFilterSerializer(data=request.query_params)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        filters = selectors.CaseFilters(
            q=d.get("q", ""), status=d.get("status", ""), year=d.get("year"), child=d.get("child")
        )
        qs = selectors.case_list(user=request.user, filters=filters)
        return paginate(
            request, self, qs, _audited(request, "case", lambda page: CaseOutSerializer(page, many=True).data)
        )

    @extend_schema(
        request=CaseCreateSerializer,
        responses={201: CaseOutSerializer},
        summary="Register a person and open a case",
    )
    def post(self, request: Request) -> Response:
        ser = CaseCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        incident = None
        if d.get("incident_code"):
            try:
                incident = services.incident_for_user(user=request.user, code=d["incident_code"])
            except NotFound:
                raise DomainError(
                    _("No incident with this code is known to your organisation."), field="incident_code"
                ) from None
        incident_data = dict(d.get("incident") or {})
        case = services.intake_register(
            user=request.user,
            person_attributes=dict(d.get("person") or {}),
            identity=_identity_in(d.get("identity")),
            referral_source=d["referral_source"],
            incident=incident,
            incident_data=incident_data,
            summary=d.get("summary", ""),
        )
        return Response(CaseOutSerializer(case).data, status=status.HTTP_201_CREATED)


class CaseDetailApi(PolicyAPIView):
    access = Access(
        scope="case", perm=Perm.CASE_VIEW, methods=("GET", "PATCH"), method_perms=(("PATCH", Perm.CASE_EDIT),)
    )
    audit_object_type = "case"

    @extend_schema(responses=CaseOutSerializer, summary="One case")
    def get(self, request: Request, code: str) -> Response:
        case = self.case
        audit_record(
            actor=request.user, action="read", object_type="case", object_id=case.code, case_code=case.code
        )
        return Response(CaseOutSerializer(case).data)

    @extend_schema(
        request=CaseUpdateSerializer,
        responses=CaseOutSerializer,
        summary="Edit a case (send the version you read)",
    )
    def patch(self, request: Request, code: str) -> Response:
        case = self.case
        ser = CaseUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = dict(ser.validated_data)
        version = d.pop("version")
        services.case_update(user=request.user, case=case, expected_version=version, data=d)
        return Response(CaseOutSerializer(selectors.case_get(user=request.user, code=code)).data)


class CaseStatusApi(PolicyAPIView):
    access = Access(scope="case", perm=Perm.CASE_EDIT, methods=("POST",))
    audit_object_type = "case"

    @extend_schema(request=StatusSerializer, responses=CaseOutSerializer, summary="Change a case's status")
    def post(self, request: Request, code: str) -> Response:
        case = self.case
        ser = StatusSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.case_status_change(
            user=request.user,
            case=case,
            expected_version=ser.validated_data["version"],
            status=ser.validated_data["status"],
        )
        return Response(CaseOutSerializer(selectors.case_get(user=request.user, code=code)).data)


class CaseTimelineApi(PolicyAPIView):
    access = Access(scope="case", perm=Perm.CASE_VIEW)

    @extend_schema(
        responses=TimelineOutSerializer(many=True), summary="What happened in a case and who did it"
    )
    def get(self, request: Request, code: str) -> Response:
        case = self.case
        events = selectors.case_timeline(user=request.user, case=case)
        _audit_case_part(request, case, "timeline")
        data = [
            {
                "at": e.at,
                "kind": e.kind,
                "text": describe(e),
                "actor": str(e.actor or ""),
                "organisation": e.organisation.code if e.organisation else "",
            }
            for e in events
        ]
        return Response(TimelineOutSerializer(data, many=True).data)


class CaseInvolvementsApi(PolicyAPIView):
    access = Access(
        scope="case",
        perm=Perm.CASE_VIEW,
        methods=("GET", "POST"),
        method_perms=(("POST", Perm.INVOLVEMENT_MANAGE),),
    )
    audit_object_type = "involvement"

    @extend_schema(responses=InvolvementOutSerializer(many=True), summary="Organisations involved in a case")
    def get(self, request: Request, code: str) -> Response:
        case = self.case
        _audit_case_part(request, case, "involvements")
        return Response(
            InvolvementOutSerializer(
                selectors.case_involvements(user=request.user, case=case), many=True
            ).data
        )

    @extend_schema(
        request=InvolvementInSerializer,
        responses={201: InvolvementOutSerializer},
        summary="Involve an organisation",
    )
    def post(self, request: Request, code: str) -> Response:
        case = self.case
        ser = InvolvementInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        inv = services.involvement_add(
            user=request.user,
            case=case,
            organisation=ser.validated_data["organisation"],
            role=ser.validated_data["role"],
        )
        return Response(InvolvementOutSerializer(inv).data, status=status.HTTP_201_CREATED)


class InvolvementEndApi(PolicyAPIView):
    access = Access(scope="case", perm=Perm.INVOLVEMENT_MANAGE, methods=("POST",))
    audit_object_type = "involvement"

    @extend_schema(
        request=InvolvementEndSerializer, responses=InvolvementOutSerializer, summary="End an involvement"
    )
    def post(self, request: Request, code: str, pk: int) -> Response:
        case = self.case
        inv = selectors.involvement_get(user=request.user, case=case, pk=pk)
        ser = InvolvementEndSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.involvement_end(
            user=request.user,
            involvement=inv,
            reason=ser.validated_data["reason"],
            expected_version=ser.validated_data["version"],
        )
        return Response(InvolvementOutSerializer(inv).data)


class CaseNotesApi(PolicyAPIView):
    access = Access(
        scope="case", perm=Perm.CASE_VIEW, methods=("GET", "POST"), method_perms=(("POST", Perm.NOTE_ADD),)
    )
    audit_object_type = "note"

    @extend_schema(responses=NoteOutSerializer(many=True), summary="Notes you may read")
    def get(self, request: Request, code: str) -> Response:
        case = self.case
        return Response(NoteOutSerializer(selectors.case_notes(user=request.user, case=case), many=True).data)

    @extend_schema(request=NoteInSerializer, responses={201: NoteOutSerializer}, summary="Add a note")
    def post(self, request: Request, code: str) -> Response:
        case = self.case
        ser = NoteInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        note = services.note_add(user=request.user, case=case, **ser.validated_data)
        data = {
            "id": note.pk,
            "sensitivity": note.sensitivity,
            "text": ser.validated_data["text"],
            "author": str(request.user),
            "organisation": note.organisation.name,
            "created_at": note.created_at,
        }
        return Response(NoteOutSerializer(data).data, status=status.HTTP_201_CREATED)


class IncidentListApi(PolicyAPIView):
    pagination_class = Pagination
    access = Access(
        scope="perm", perm=Perm.CASE_VIEW, methods=("GET", "POST"), method_perms=(("POST", Perm.CASE_CREATE),)
    )
    audit_object_type = "incident"

    @extend_schema(responses=IncidentOutSerializer(many=True), summary="Incidents known to your organisation")
    def get(self, request: Request) -> Response:
        qs = (
            selectors.incidents_visible(user=request.user)
            .prefetch_related("exploitation_forms")
            .order_by("-id")
        )
        return paginate(
            request, self, qs, _audited(request, "incident", lambda page: [_incident_out(i) for i in page])
        )

    @extend_schema(
        request=IncidentInSerializer, responses={201: IncidentOutSerializer}, summary="Report an incident"
    )
    def post(self, request: Request) -> Response:
        ser = IncidentInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        incident = services.incident_create(user=request.user, data=dict(ser.validated_data))
        return Response(_incident_out(incident), status=status.HTTP_201_CREATED)


class IncidentDetailApi(PolicyAPIView):
    access = Access(scope="incident", perm=Perm.CASE_VIEW)

    @extend_schema(responses=IncidentOutSerializer, summary="One incident")
    def get(self, request: Request, code: str) -> Response:
        incident = self.incident
        audit_record(actor=request.user, action="read", object_type="incident", object_id=incident.code)
        return Response(_incident_out(incident))


class PersonListApi(PolicyAPIView):
    pagination_class = Pagination
    access = Access(scope="perm", perm=Perm.CASE_VIEW)
    audit_object_type = "person"

    @extend_schema(
        responses=PersonOutSerializer(many=True), summary="Persons in your organisation's cases (no identity)"
    )
    def get(self, request: Request) -> Response:
        qs = policy.visible_persons(request.user).order_by("-id")
        return paginate(
            request,
            self,
            qs,
            _audited(request, "person", lambda page: PersonOutSerializer(page, many=True).data),
        )


class PersonDetailApi(PolicyAPIView):
    access = Access(
        scope="person",
        perm=Perm.CASE_VIEW,
        methods=("GET", "PATCH"),
        method_perms=(("PATCH", Perm.IDENTITY_EDIT),),
    )
    audit_object_type = "person"

    @extend_schema(
        responses=PersonOutSerializer, summary="One person, with identity if your role may read it"
    )
    def get(self, request: Request, code: str) -> Response:
        person = self.person
        data = PersonOutSerializer(person).data
        data["identity"] = None
        if policy.can(request.user, Perm.IDENTITY_VIEW, person):
            data["identity"] = people_selectors.identity_read(user=request.user, person=person, purpose="api")
        return Response(data)

    @extend_schema(
        request=PersonUpdateSerializer,
        responses=PersonOutSerializer,
        summary="Edit a person (send the version you read)",
    )
    def patch(self, request: Request, code: str) -> Response:
        person = self.person
        ser = PersonUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        identity = None
        if "identity" in d:
            # A PATCH of identity replaces the given identity fields and keeps the others.
            current = (
                people_selectors.identity_read(user=request.user, person=person, purpose="api update") or {}
            )
            identity = {**current, **_identity_in(d["identity"])}
        services.person_update(
            user=request.user,
            person=person,
            expected_version=d["version"],
            attributes=dict(d.get("attributes") or {}),
            identity=identity,
        )
        return self.get(request, code)
