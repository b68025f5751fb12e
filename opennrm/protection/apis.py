"""REST API of risk assessments, protection measures and named staff: the same services and rules."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from opennrm import policy
from opennrm.accounts.models import Organisation, User
from opennrm.accounts.roles import Perm, Sensitivity
from opennrm.api.base import PolicyAPIView
from opennrm.api.serializers import Serializer
from opennrm.core.http import Access
from opennrm.lib.errors import DomainError
from opennrm.protection import selectors, services
from opennrm.protection.models import (
    FactorAnswer,
    FamilyAssessment,
    FamilyOutcome,
    MeasureKind,
    NamedStaff,
    RiskFactor,
    RiskLevel,
)
from opennrm.protection.views import reasons_text


class RiskAssessmentInSerializer(Serializer):
    answers = serializers.DictField(
        child=serializers.ChoiceField(choices=FactorAnswer.choices),
        help_text="every factor: " + ", ".join(RiskFactor.values),
    )
    assessed_on = serializers.DateField(required=False)
    level = serializers.ChoiceField(choices=RiskLevel.choices, required=False, help_text="only to raise it")
    raised_reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class RiskAssessmentOutSerializer(Serializer):
    id = serializers.IntegerField()
    assessed_on = serializers.DateField()
    organisation = serializers.CharField(source="organisation.code")
    computed_level = serializers.CharField()
    level = serializers.CharField()
    raised_reason = serializers.CharField()
    reassess_by = serializers.DateField()
    answers = serializers.SerializerMethodField()
    reasons = serializers.SerializerMethodField()

    def get_answers(self, obj: Any) -> dict[str, str]:
        return {a.factor: a.answer for a in obj.answers.all()}

    def get_reasons(self, obj: Any) -> list[str]:
        return reasons_text(obj)


class MeasureInSerializer(Serializer):
    kind = serializers.ChoiceField(choices=MeasureKind.choices)
    responsible = serializers.SlugRelatedField(slug_field="code", queryset=Organisation.objects.all())
    started_on = serializers.DateField(required=False)


class MeasureEndInSerializer(Serializer):
    version = serializers.IntegerField(min_value=1)
    ended_on = serializers.DateField(required=False)
    reason = serializers.CharField(max_length=300)


class MeasureOutSerializer(Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    responsible = serializers.CharField(source="responsible.code")
    started_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)
    end_reason = serializers.CharField()
    version = serializers.IntegerField()


class NamedStaffEndInSerializer(Serializer):
    version = serializers.IntegerField(min_value=1)


class NamedInSerializer(Serializer):
    username = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.all(), source="user")


class NamedOutSerializer(Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField(source="user.username")
    organisation = serializers.CharField(source="user.organisation.code")
    started_at = serializers.DateTimeField()
    version = serializers.IntegerField()


class CaseRiskAssessmentsApi(PolicyAPIView):
    access = Access(
        scope="case",
        perm=Perm.CASE_VIEW,
        methods=("GET", "POST"),
        method_perms=(("POST", policy.RISK_MANAGE),),
    )
    audit_object_type = "risk_assessment"
    audit_reads = True

    @extend_schema(
        responses=RiskAssessmentOutSerializer(many=True),
        summary="Risk assessments, newest first (readers of security content; others get an empty list)",
    )
    def get(self, request: Request, code: str) -> Response:
        case = self.case
        if not policy.reads(request.user, Sensitivity.SECURITY):
            return Response([])
        rows = selectors.assessments(case)
        return Response(RiskAssessmentOutSerializer(rows, many=True).data)

    @extend_schema(
        request=RiskAssessmentInSerializer,
        responses={201: RiskAssessmentOutSerializer},
        summary="Assess the risk: every factor answered; the level follows and may only be raised",
    )
    def post(self, request: Request, code: str) -> Response:
        case = self.case
        ser = RiskAssessmentInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        a = services.risk_assess(user=request.user, case=case, **ser.validated_data)
        return Response(RiskAssessmentOutSerializer(a).data, status=status.HTTP_201_CREATED)


class CaseMeasuresApi(PolicyAPIView):
    access = Access(
        scope="case",
        perm=Perm.CASE_VIEW,
        methods=("GET", "POST"),
        method_perms=(("POST", policy.RISK_MANAGE),),
    )
    audit_object_type = "protection_measure"
    audit_reads = True

    @extend_schema(responses=MeasureOutSerializer(many=True), summary="Protection measures of a case")
    def get(self, request: Request, code: str) -> Response:
        case = self.case
        return Response(MeasureOutSerializer(selectors.measures_visible(request.user, case), many=True).data)

    @extend_schema(
        request=MeasureInSerializer, responses={201: MeasureOutSerializer}, summary="Record a measure"
    )
    def post(self, request: Request, code: str) -> Response:
        case = self.case
        ser = MeasureInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        m = services.measure_add(user=request.user, case=case, **ser.validated_data)
        return Response(MeasureOutSerializer(m).data, status=status.HTTP_201_CREATED)


class MeasureEndApi(PolicyAPIView):
    access = Access(scope="case", perm=policy.RISK_MANAGE, methods=("POST",))
    audit_object_type = "protection_measure"

    @extend_schema(request=MeasureEndInSerializer, responses=MeasureOutSerializer, summary="End a measure")
    def post(self, request: Request, code: str, pk: int) -> Response:
        case = self.case
        measure = services.measure_in_case(user=request.user, case=case, pk=pk)
        ser = MeasureEndInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        m = services.measure_end(
            user=request.user,
            measure=measure,
            expected_version=d["version"],
            ended_on=d.get("ended_on"),
            reason=d["reason"],
        )
        return Response(MeasureOutSerializer(m).data)


class CaseNamedStaffApi(PolicyAPIView):
    access = Access(
        scope="case",
        perm=Perm.CASE_VIEW,
        methods=("GET", "POST"),
        method_perms=(("POST", policy.STAFF_NAME),),
    )
    audit_object_type = "named_staff"
    audit_reads = True

    @extend_schema(responses=NamedOutSerializer(many=True), summary="Staff named to know where the person is")
    def get(self, request: Request, code: str) -> Response:
        case = self.case
        if not policy.reads(request.user, Sensitivity.SECURITY):
            return Response([])
        return Response(NamedOutSerializer(selectors.named_staff(case), many=True).data)

    @extend_schema(
        request=NamedInSerializer, responses={201: NamedOutSerializer}, summary="Name a staff member"
    )
    def post(self, request: Request, code: str) -> Response:
        case = self.case
        ser = NamedInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        row = services.staff_name(user=request.user, case=case, named=ser.validated_data["user"])
        return Response(NamedOutSerializer(row).data, status=status.HTTP_201_CREATED)


class NamedStaffEndApi(PolicyAPIView):
    access = Access(scope="case", perm=policy.STAFF_NAME, methods=("POST",))
    audit_object_type = "named_staff"

    @extend_schema(request=NamedStaffEndInSerializer, responses=NamedOutSerializer, summary="No longer named")
    def post(self, request: Request, code: str, pk: int) -> Response:
        case = self.case
        row = NamedStaff.objects.filter(case=case, pk=pk).select_related("case", "user").first()
        if row is None:
            raise DomainError(_("There is no such named person in this case."), field="named")
        ser = NamedStaffEndInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        row = services.staff_unname(
            user=request.user, row=row, expected_version=ser.validated_data["version"]
        )
        return Response(NamedOutSerializer(row).data)


class FamilyAssessmentInSerializer(Serializer):
    outcome = serializers.ChoiceField(choices=FamilyOutcome.choices)
    assessed_on = serializers.DateField(required=False)


class FamilyAssessmentOutSerializer(Serializer):
    id = serializers.IntegerField()
    assessed_on = serializers.DateField()
    organisation = serializers.CharField(source="organisation.code")
    outcome = serializers.CharField()


class CaseFamilyAssessmentsApi(PolicyAPIView):
    access = Access(
        scope="case",
        perm=Perm.CASE_VIEW,
        methods=("GET", "POST"),
        method_perms=(("POST", policy.FAMILY_ASSESS),),
    )
    audit_object_type = "family_assessment"
    audit_reads = True

    @extend_schema(
        responses=FamilyAssessmentOutSerializer(many=True),
        summary="A child's family assessments, newest first (care and safety roles; others get an empty list)",
    )
    def get(self, request: Request, code: str) -> Response:
        case = self.case
        if not policy.can(request.user, policy.FAMILY_READ):
            return Response([])
        rows = FamilyAssessment.objects.filter(case=case).select_related("organisation")
        return Response(FamilyAssessmentOutSerializer(rows, many=True).data)

    @extend_schema(
        request=FamilyAssessmentInSerializer,
        responses={201: FamilyAssessmentOutSerializer},
        summary="The centre for social work records whether the child may go back to the family",
    )
    def post(self, request: Request, code: str) -> Response:
        case = self.case
        ser = FamilyAssessmentInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        row = services.family_assess(user=request.user, case=case, **ser.validated_data)
        return Response(FamilyAssessmentOutSerializer(row).data, status=status.HTTP_201_CREATED)
