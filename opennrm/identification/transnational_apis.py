"""REST API of anonymous public reports, the Centre's triage queue, transnational cases, consents and
embassy contacts: the same services and access rules as the pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from opennrm.accounts.models import Organisation
from opennrm.accounts.roles import Perm
from opennrm.api.base import PolicyAPIView, require
from opennrm.cases import selectors as case_selectors
from opennrm.core.http import Access
from opennrm.core.middleware import client_ip
from opennrm.identification import public_reports, transnational
from opennrm.identification.models import (
    ConsentHow,
    ConsentPurpose,
    PublicReportHint,
)
from opennrm.lib.errors import DomainError

# ---- serializers ---------------------------------------------------------------------------------


class PublicReportInSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=public_reports.MAX_TEXT, trim_whitespace=True)
    exploitation_hint = serializers.ChoiceField(
        choices=PublicReportHint.choices, required=False, default=PublicReportHint.UNKNOWN
    )
    municipality = serializers.CharField(
        max_length=public_reports.MAX_MUNICIPALITY, required=False, allow_blank=True, default=""
    )
    contact = serializers.CharField(
        max_length=public_reports.MAX_CONTACT,
        required=False,
        allow_blank=True,
        default="",
        help_text="Only if the reporter wants to be contacted",
    )
    language = serializers.ChoiceField(
        choices=[code for code, _name in settings.LANGUAGES],
        required=False,
        help_text="The reporter's language; the request's language when left out",
    )


PublicReportReceivedSerializer = inline_serializer(
    name="PublicReportReceived", fields={"received": serializers.BooleanField()}
)


class PublicReportOutSerializer(serializers.Serializer):
    code = serializers.CharField()
    received_at = serializers.DateTimeField()
    language = serializers.CharField()
    exploitation_hint = serializers.CharField()
    municipality = serializers.CharField()
    has_contact = serializers.BooleanField()
    status = serializers.CharField()
    reviewed_at = serializers.DateTimeField(allow_null=True)
    outcome_note = serializers.CharField()
    case = serializers.CharField(source="case.code", allow_null=True, default=None)
    version = serializers.IntegerField()


class TransnationalInSerializer(serializers.Serializer):
    foreign_authority = serializers.SlugRelatedField(slug_field="code", queryset=Organisation.objects.all())
    country = serializers.CharField(max_length=2, min_length=2)
    identified_abroad = serializers.BooleanField()
    identified_on = serializers.DateField(required=False, allow_null=True)
    plan_return = serializers.BooleanField(required=False, default=True)


class TransnationalOutSerializer(serializers.Serializer):
    case = serializers.CharField(source="case.code")
    foreign_authority = serializers.CharField(source="foreign_authority.code")
    country = serializers.CharField()
    identified_abroad = serializers.BooleanField()
    identified_on = serializers.DateField(allow_null=True)
    return_planned = serializers.BooleanField()
    referral_source = serializers.CharField(source="case.referral_source")


class ConsentInSerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    given = serializers.BooleanField(help_text="false records a refusal")
    how = serializers.ChoiceField(choices=ConsentHow.choices)
    recorded_on = serializers.DateField(required=False)


class ConsentWithdrawInSerializer(serializers.Serializer):
    consent = serializers.IntegerField(min_value=1)
    withdrawn_on = serializers.DateField(required=False)


class ConsentOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    purpose = serializers.CharField()
    given = serializers.BooleanField()
    how = serializers.CharField()
    recorded_on = serializers.DateField()
    withdrawn_on = serializers.DateField(allow_null=True)
    valid = serializers.BooleanField(source="is_valid")
    organisation = serializers.CharField(source="organisation.code")


class EmbassyContactInSerializer(serializers.Serializer):
    embassy = serializers.SlugRelatedField(slug_field="code", queryset=Organisation.objects.all())
    contacted_on = serializers.DateField(required=False)
    purpose = serializers.CharField(max_length=200)


class EmbassyContactOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    embassy = serializers.CharField(source="embassy.code")
    contacted_on = serializers.DateField()
    consent = serializers.IntegerField(source="consent_id")
    purpose = serializers.CharField()
    organisation = serializers.CharField(source="organisation.code")


# ---- views ---------------------------------------------------------------------------------------


class PublicReportSubmitApi(PolicyAPIView):
    """Anyone, without an account: the API twin of the public page."""

    access = Access(scope="public", methods=("POST",))
    # No authentication at all: a logged-in session or a token must not tie a report to a person.
    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]
    touches_personal_data = False

    @extend_schema(
        request=PublicReportInSerializer,
        responses={202: PublicReportReceivedSerializer},
        auth=[],
        summary="Send an anonymous report to the Centre (throttled; nothing about it is returned)",
    )
    def post(self, request: Request) -> Response:
        if not public_reports.throttle_allows(client_ip(request)):
            return Response(
                {"message": _("Too many reports from here. Please try again in an hour."), "extra": {}},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        ser = PublicReportInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        public_reports.public_report_submit(
            text=d["text"],
            contact=d["contact"],
            exploitation_hint=d["exploitation_hint"],
            municipality=d["municipality"],
            language=d.get("language") or get_language() or "",
        )
        public_reports.throttle_count(client_ip(request))
        return Response({"received": True}, status=status.HTTP_202_ACCEPTED)


class TriageQueueApi(PolicyAPIView):
    access = Access(scope="perm", perm=Perm.REPORT_TRIAGE)
    audit_object_type = "public_report"

    @extend_schema(
        responses=PublicReportOutSerializer(many=True),
        summary="The Centre's queue of public reports, new first (empty outside the Centre; no content)",
    )
    def get(self, request: Request) -> Response:
        return Response(
            PublicReportOutSerializer(public_reports.public_reports_queue(user=request.user), many=True).data
        )


class CaseTransnationalApi(PolicyAPIView):
    access = Access(scope="case", perm=Perm.INVOLVEMENT_MANAGE, methods=("POST",))
    audit_object_type = "transnational_referral"

    @extend_schema(
        request=TransnationalInSerializer,
        responses={201: TransnationalOutSerializer},
        summary="Register a case as referred from abroad (involves the foreign authority; plans the return)",
    )
    def post(self, request: Request, code: str) -> Response:
        case = case_selectors.case_get(user=request.user, code=code)
        require(request.user, Perm.INVOLVEMENT_MANAGE, case)
        ser = TransnationalInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        referral = transnational.transnational_register(user=request.user, case=case, **ser.validated_data)
        return Response(TransnationalOutSerializer(referral).data, status=status.HTTP_201_CREATED)


class CaseConsentsApi(PolicyAPIView):
    access = Access(
        scope="case",
        perm=Perm.CASE_VIEW,
        methods=("GET", "POST"),
        method_perms=(("POST", Perm.CASE_EDIT),),
    )
    audit_object_type = "consent"

    @extend_schema(responses=ConsentOutSerializer(many=True), summary="Consents and refusals in a case")
    def get(self, request: Request, code: str) -> Response:
        case = case_selectors.case_get(user=request.user, code=code)
        return Response(ConsentOutSerializer(transnational.consents(case=case), many=True).data)

    @extend_schema(
        request=ConsentInSerializer,
        responses={201: ConsentOutSerializer},
        summary="Record the person's consent or refusal for one purpose",
    )
    def post(self, request: Request, code: str) -> Response:
        case = case_selectors.case_get(user=request.user, code=code)
        require(request.user, Perm.CASE_EDIT, case)
        ser = ConsentInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        consent = transnational.consent_record(user=request.user, case=case, **ser.validated_data)
        return Response(ConsentOutSerializer(consent).data, status=status.HTTP_201_CREATED)


class ConsentWithdrawApi(PolicyAPIView):
    access = Access(scope="case", perm=Perm.CASE_EDIT, methods=("POST",))
    audit_object_type = "consent"

    @extend_schema(
        request=ConsentWithdrawInSerializer,
        responses=ConsentOutSerializer,
        summary="Record that the person withdrew a consent",
    )
    def post(self, request: Request, code: str) -> Response:
        case = case_selectors.case_get(user=request.user, code=code)
        require(request.user, Perm.CASE_EDIT, case)
        ser = ConsentWithdrawInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        consent = case.consents.filter(pk=ser.validated_data["consent"]).first()
        if consent is None:
            raise DomainError(_("There is no such consent in this case."), field="consent")
        consent = transnational.consent_withdraw(
            user=request.user, consent=consent, withdrawn_on=ser.validated_data.get("withdrawn_on")
        )
        return Response(ConsentOutSerializer(consent).data)


class CaseEmbassyContactsApi(PolicyAPIView):
    access = Access(scope="case", perm=Perm.CASE_EDIT, methods=("POST",))
    audit_object_type = "embassy_contact"

    @extend_schema(
        request=EmbassyContactInSerializer,
        responses={201: EmbassyContactOutSerializer},
        summary="Record a contact with the person's embassy (refused without a valid consent)",
    )
    def post(self, request: Request, code: str) -> Response:
        case = case_selectors.case_get(user=request.user, code=code)
        require(request.user, Perm.CASE_EDIT, case)
        ser = EmbassyContactInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        contact = transnational.embassy_contact_record(user=request.user, case=case, **ser.validated_data)
        return Response(EmbassyContactOutSerializer(contact).data, status=status.HTTP_201_CREATED)
