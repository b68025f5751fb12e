"""REST API of transnational cases, consents and embassy contacts: the same services and access rules
as the pages."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from opennrm.accounts.models import Organisation
from opennrm.accounts.roles import Perm
from opennrm.api.base import PolicyAPIView
from opennrm.api.serializers import Serializer
from opennrm.core.http import Access
from opennrm.identification import transnational
from opennrm.identification.models import ConsentHow, ConsentPurpose
from opennrm.lib.errors import DomainError

# ---- serializers ---------------------------------------------------------------------------------


class TransnationalInSerializer(Serializer):
    foreign_authority = serializers.SlugRelatedField(slug_field="code", queryset=Organisation.objects.all())
    # Two letters (ISO 3166), as the form asks: documented as the pattern, so that no client sends what
    # the server would trim below two characters.
    country = serializers.RegexField(r"^[A-Za-z]{2}$", max_length=2, min_length=2)
    identified_abroad = serializers.BooleanField()
    identified_on = serializers.DateField(required=False, allow_null=True)
    plan_return = serializers.BooleanField(required=False, default=True)


class TransnationalOutSerializer(Serializer):
    case = serializers.CharField(source="case.code")
    foreign_authority = serializers.CharField(source="foreign_authority.code")
    country = serializers.CharField()
    identified_abroad = serializers.BooleanField()
    identified_on = serializers.DateField(allow_null=True)
    return_planned = serializers.BooleanField()
    referral_source = serializers.CharField(source="case.referral_source")


class ConsentInSerializer(Serializer):
    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    given = serializers.BooleanField(help_text="false records a refusal")
    how = serializers.ChoiceField(choices=ConsentHow.choices)
    recorded_on = serializers.DateField(required=False)


class ConsentWithdrawInSerializer(Serializer):
    consent = serializers.IntegerField(min_value=1)
    withdrawn_on = serializers.DateField(required=False)


class ConsentOutSerializer(Serializer):
    id = serializers.IntegerField()
    purpose = serializers.CharField()
    given = serializers.BooleanField()
    how = serializers.CharField()
    recorded_on = serializers.DateField()
    withdrawn_on = serializers.DateField(allow_null=True)
    valid = serializers.BooleanField(source="is_valid")
    organisation = serializers.CharField(source="organisation.code")


class EmbassyContactInSerializer(Serializer):
    embassy = serializers.SlugRelatedField(slug_field="code", queryset=Organisation.objects.all())
    contacted_on = serializers.DateField(required=False)
    purpose = serializers.CharField(max_length=200)


class EmbassyContactOutSerializer(Serializer):
    id = serializers.IntegerField()
    embassy = serializers.CharField(source="embassy.code")
    contacted_on = serializers.DateField()
    consent = serializers.IntegerField(source="consent_id")
    purpose = serializers.CharField()
    organisation = serializers.CharField(source="organisation.code")


# ---- views ---------------------------------------------------------------------------------------


class CaseTransnationalApi(PolicyAPIView):
    access = Access(scope="case", perm=Perm.INVOLVEMENT_MANAGE, methods=("POST",))
    audit_object_type = "transnational_referral"

    @extend_schema(
        request=TransnationalInSerializer,
        responses={201: TransnationalOutSerializer},
        summary="Register a case as referred from abroad (involves the foreign authority; plans the return)",
    )
    def post(self, request: Request, code: str) -> Response:
        case = self.case
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
        case = self.case
        return Response(ConsentOutSerializer(transnational.consents(case=case), many=True).data)

    @extend_schema(
        request=ConsentInSerializer,
        responses={201: ConsentOutSerializer},
        summary="Record the person's consent or refusal for one purpose",
    )
    def post(self, request: Request, code: str) -> Response:
        case = self.case
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
        case = self.case
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
        case = self.case
        ser = EmbassyContactInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        contact = transnational.embassy_contact_record(user=request.user, case=case, **ser.validated_data)
        return Response(EmbassyContactOutSerializer(contact).data, status=status.HTTP_201_CREATED)
