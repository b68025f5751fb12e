"""REST API of residence permits and health coverage: the same services and access rules as the page.

The residence ground is legal content. It is returned only to roles that read the legal class, and
even then it must never be printed or exported by a client (CETS 197 Art. 11): the field says so.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from opennrm import policy
from opennrm.accounts.roles import Perm
from opennrm.api.base import PolicyAPIView
from opennrm.api.serializers import Serializer
from opennrm.core.http import Access
from opennrm.residence import selectors, services
from opennrm.residence.models import HealthCoverageBasis, PermitDecision, ResidenceGround

GROUND_HELP = (
    "LEGAL SENSITIVITY. Null unless your role reads legal content. Never print it, show it to third "
    "parties or export it (CETS 197 Art. 11; residence documents must not reveal victim status)."
)

# ---- serializers ---------------------------------------------------------------------------------


class PermitOutSerializer(Serializer):
    id = serializers.IntegerField()
    case = serializers.CharField(source="case.code")
    withheld = serializers.SerializerMethodField(
        help_text="true when your role does not read legal content: only the validity is given"
    )
    ground = serializers.ChoiceField(choices=ResidenceGround.choices, allow_null=True, help_text=GROUND_HELP)
    applied_on = serializers.DateField(allow_null=True)
    issuing_authority = serializers.CharField(allow_null=True)
    decision = serializers.ChoiceField(choices=PermitDecision.choices)
    decided_on = serializers.DateField(allow_null=True)
    valid_from = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True)
    renewal_of = serializers.IntegerField(source="renewal_of_id", allow_null=True)
    reminder_sent_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()

    # Everything but the validity is legal content.
    WITHHELD = ("ground", "applied_on", "issuing_authority", "decided_on", "renewal_of", "reminder_sent_at")

    def _reads_ground(self) -> bool:
        return bool(self.context.get("reads_ground"))

    def get_withheld(self, obj: Any) -> bool:
        return not self._reads_ground()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self._reads_ground():
            for name in self.WITHHELD:
                data[name] = None
        return data


class PermitApplyInSerializer(Serializer):
    ground = serializers.ChoiceField(choices=ResidenceGround.choices, help_text=GROUND_HELP)
    applied_on = serializers.DateField()
    issuing_authority = serializers.CharField(
        max_length=services.MAX_AUTHORITY,
        required=False,
        allow_blank=True,
        default="",
        help_text="The police administration's name; no officer's name",
    )


class PermitDecisionInSerializer(Serializer):
    decision = serializers.ChoiceField(choices=[PermitDecision.GRANTED, PermitDecision.REFUSED])
    decided_on = serializers.DateField()
    valid_from = serializers.DateField(required=False, allow_null=True, help_text="required when granted")
    valid_until = serializers.DateField(required=False, allow_null=True, help_text="required when granted")
    version = serializers.IntegerField(min_value=1, help_text="the version you read (409 if it changed)")


class PermitRenewalInSerializer(Serializer):
    applied_on = serializers.DateField()
    ground = serializers.ChoiceField(
        choices=ResidenceGround.choices,
        required=False,
        allow_null=True,
        help_text=GROUND_HELP + " Left out: the ground of the permit renewed.",
    )
    issuing_authority = serializers.CharField(
        max_length=services.MAX_AUTHORITY,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="Left out: the authority of the permit renewed",
    )


class HealthCoverageInSerializer(Serializer):
    entitled = serializers.BooleanField()
    basis = serializers.ChoiceField(
        choices=HealthCoverageBasis.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="required when entitled, empty otherwise",
    )
    from_on = serializers.DateField()
    until_on = serializers.DateField(required=False, allow_null=True)


class HealthCoverageOutSerializer(Serializer):
    id = serializers.IntegerField()
    case = serializers.CharField(source="case.code")
    entitled = serializers.BooleanField()
    basis = serializers.CharField()
    from_on = serializers.DateField()
    until_on = serializers.DateField(allow_null=True)
    organisation = serializers.CharField(source="organisation.code")


def _permit_out(request: Request, permit: Any, **kw: Any) -> Any:
    return PermitOutSerializer(
        permit, context={"reads_ground": policy.can(request.user, policy.RESIDENCE_GROUND_READ)}, **kw
    ).data


# ---- views ---------------------------------------------------------------------------------------


class CaseResidencePermitsApi(PolicyAPIView):
    access = Access(
        scope="case",
        perm=Perm.CASE_VIEW,
        methods=("GET", "POST"),
        method_perms=(("POST", policy.PLAN_MANAGE),),
    )
    audit_object_type = "residence_permit"
    audit_reads = True

    @extend_schema(
        responses=PermitOutSerializer(many=True),
        summary="Residence permits of a case: the history for roles that read legal content, otherwise "
        "only the permit in force with its validity",
    )
    def get(self, request: Request, code: str) -> Response:
        case = self.case
        return Response(_permit_out(request, selectors.permits_visible(request.user, case), many=True))

    @extend_schema(
        request=PermitApplyInSerializer,
        responses={201: PermitOutSerializer},
        summary="Record an application for temporary residence (foreign nationals only)",
    )
    def post(self, request: Request, code: str) -> Response:
        case = self.case
        ser = PermitApplyInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        permit = services.permit_apply(user=request.user, case=case, **ser.validated_data)
        return Response(_permit_out(request, permit), status=status.HTTP_201_CREATED)


class ResidencePermitDecisionApi(PolicyAPIView):
    access = Access(scope="case", perm=policy.PLAN_MANAGE, methods=("POST",))
    audit_object_type = "residence_permit"

    @extend_schema(
        request=PermitDecisionInSerializer,
        responses=PermitOutSerializer,
        summary="Record the decision on an application: granted with its validity, or refused",
    )
    def post(self, request: Request, code: str, pk: int) -> Response:
        case = self.case
        permit = selectors.permit_get(user=request.user, case=case, pk=pk)
        ser = PermitDecisionInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        permit = services.permit_decide(
            user=request.user,
            permit=permit,
            decision=d["decision"],
            decided_on=d["decided_on"],
            valid_from=d.get("valid_from"),
            valid_until=d.get("valid_until"),
            expected_version=d["version"],
        )
        return Response(_permit_out(request, permit))


class ResidencePermitRenewalApi(PolicyAPIView):
    access = Access(scope="case", perm=policy.PLAN_MANAGE, methods=("POST",))
    audit_object_type = "residence_permit"

    @extend_schema(
        request=PermitRenewalInSerializer,
        responses={201: PermitOutSerializer},
        summary="Record an application to renew a granted permit (a new application pointing at it)",
    )
    def post(self, request: Request, code: str, pk: int) -> Response:
        case = self.case
        permit = selectors.permit_get(user=request.user, case=case, pk=pk)
        ser = PermitRenewalInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        renewal = services.permit_renew(
            user=request.user,
            permit=permit,
            applied_on=d["applied_on"],
            ground=d.get("ground"),
            issuing_authority=d.get("issuing_authority"),
        )
        return Response(_permit_out(request, renewal), status=status.HTTP_201_CREATED)


class CaseHealthCoverageApi(PolicyAPIView):
    access = Access(
        scope="case",
        perm=Perm.CASE_VIEW,
        methods=("GET", "POST"),
        method_perms=(("POST", policy.PLAN_MANAGE),),
    )
    audit_object_type = "health_coverage"
    audit_reads = True

    @extend_schema(
        responses=HealthCoverageOutSerializer(many=True),
        summary="Entitlement to free health care, newest first (empty for roles that do not read "
        "medical content)",
    )
    def get(self, request: Request, code: str) -> Response:
        case = self.case
        rows = selectors.health_coverages(request.user, case)
        return Response(HealthCoverageOutSerializer(rows, many=True).data)

    @extend_schema(
        request=HealthCoverageInSerializer,
        responses={201: HealthCoverageOutSerializer},
        summary="Record whether the person is entitled to free health care, on what basis and when",
    )
    def post(self, request: Request, code: str) -> Response:
        case = self.case
        ser = HealthCoverageInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        coverage = services.health_coverage_record(user=request.user, case=case, **ser.validated_data)
        return Response(HealthCoverageOutSerializer(coverage).data, status=status.HTTP_201_CREATED)
