"""REST API of needs assessments, the assistance plan, its services and the providers' inbox: the
same services and access rules as the pages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from opennrm import policy
from opennrm.accounts.models import Organisation
from opennrm.accounts.roles import Perm, Sensitivity
from opennrm.api.base import PolicyAPIView
from opennrm.api.pagination import Pagination, paginate
from opennrm.api.serializers import Serializer
from opennrm.assistance import selectors, services
from opennrm.assistance.models import (
    ConsentHow,
    CooperationStance,
    DataConsent,
    DeclineReason,
    NeedPriority,
    ServiceStatus,
    ServiceType,
)
from opennrm.core.http import Access
from opennrm.lib.errors import DomainError, NotFound

# ---- serializers ---------------------------------------------------------------------------------


class NeedSerializer(Serializer):
    service_type = serializers.ChoiceField(choices=ServiceType.choices)
    priority = serializers.ChoiceField(choices=NeedPriority.choices, default=NeedPriority.NORMAL)


class NeedsAssessmentInSerializer(Serializer):
    needs = NeedSerializer(many=True, allow_empty=False)
    assessed_on = serializers.DateField(required=False)
    with_person = serializers.BooleanField(required=False, default=True)
    interpreter_language = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class NeedsAssessmentOutSerializer(Serializer):
    id = serializers.IntegerField()
    assessed_on = serializers.DateField()
    organisation = serializers.CharField(source="organisation.code")
    with_person = serializers.BooleanField()
    interpreter_language = serializers.CharField()
    needs = NeedSerializer(many=True, source="visible_needs", help_text="the needs your role may read")


class ServiceOutSerializer(Serializer):
    id = serializers.IntegerField()
    case = serializers.CharField(source="case.code")
    service_type = serializers.CharField()
    provider = serializers.SerializerMethodField(
        help_text="null when withheld (safe accommodation at high risk)"
    )
    status = serializers.CharField()
    urgent = serializers.BooleanField()
    requested_on = serializers.DateField()
    planned_from = serializers.DateField()
    planned_until = serializers.DateField(allow_null=True)
    accepted_on = serializers.DateField(allow_null=True)
    started_on = serializers.DateField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True)
    data_consent = serializers.CharField()
    consent_how = serializers.CharField()
    consent_on = serializers.DateField()
    consent_withdrawn_on = serializers.DateField(allow_null=True)
    interpreter_language = serializers.CharField()
    decline_reason = serializers.CharField()
    reason = serializers.CharField()
    non_cooperation_flag = serializers.BooleanField()
    next_statuses = serializers.ListField(child=serializers.CharField())
    version = serializers.IntegerField()

    def get_provider(self, obj: Any) -> str | None:
        return None if getattr(obj, "provider_withheld", False) else obj.provider.code


class PlanOutSerializer(Serializer):
    case = serializers.CharField(source="case.code")
    organisation = serializers.CharField(source="organisation.code")
    opened_on = serializers.DateField()
    agreed_with_person_on = serializers.DateField(allow_null=True)
    review_due_on = serializers.DateField(allow_null=True)
    guardian_approval_required = serializers.BooleanField(source="case.is_child")
    guardian_approval_current = serializers.BooleanField()
    guardian_approved_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()


PlanWithServicesSerializer = inline_serializer(
    name="AssistancePlanWithServices",
    fields={
        "plan": PlanOutSerializer(allow_null=True),
        "services": ServiceOutSerializer(many=True),
    },
)


class PlanInSerializer(Serializer):
    version = serializers.IntegerField(required=False, min_value=1, help_text="required once the plan exists")
    agreed_with_person_on = serializers.DateField(required=False, allow_null=True)
    review_due_on = serializers.DateField(required=False, allow_null=True)


class VersionInSerializer(Serializer):
    version = serializers.IntegerField(min_value=1)


class ServiceRequestInSerializer(Serializer):
    service_type = serializers.ChoiceField(choices=ServiceType.choices)
    provider = serializers.SlugRelatedField(slug_field="code", queryset=Organisation.objects.all())
    planned_from = serializers.DateField()
    planned_until = serializers.DateField(required=False, allow_null=True)
    urgent = serializers.BooleanField(required=False, default=False)
    data_consent = serializers.ChoiceField(choices=DataConsent.choices)
    consent_how = serializers.ChoiceField(choices=ConsentHow.choices)
    consent_on = serializers.DateField(required=False)
    interpreter_language = serializers.CharField(
        max_length=20, required=False, allow_null=True, help_text="default: the person's languages if needed"
    )


class ServiceStepInSerializer(Serializer):
    status = serializers.ChoiceField(choices=ServiceStatus.choices)
    version = serializers.IntegerField(min_value=1)
    on = serializers.DateField(required=False)
    decline_reason = serializers.ChoiceField(
        choices=DeclineReason.choices, required=False, allow_blank=True, default=""
    )
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ServiceConsentWithdrawInSerializer(Serializer):
    version = serializers.IntegerField(min_value=1)
    withdrawn_on = serializers.DateField(required=False)


class CooperationInSerializer(Serializer):
    stance = serializers.ChoiceField(choices=CooperationStance.choices)
    recorded_on = serializers.DateField(required=False)


class CooperationOutSerializer(Serializer):
    id = serializers.IntegerField()
    stance = serializers.CharField()
    recorded_on = serializers.DateField()
    organisation = serializers.CharField(source="organisation.code")


StatisticsSerializer = inline_serializer(
    name="AssistanceStatistics",
    fields={
        "conditioned_total": serializers.IntegerField(),
        "conditioned_by_provider": serializers.ListField(child=serializers.DictField()),
        "by_service_type": serializers.ListField(child=serializers.DictField()),
    },
)


def _plan_payload(user: Any, case: Any) -> dict[str, Any]:
    plan = selectors.plan_for(case)
    return {
        "plan": PlanOutSerializer(plan).data if plan else None,
        "services": ServiceOutSerializer(selectors.services_visible(user, case), many=True).data,
    }


# ---- views ---------------------------------------------------------------------------------------


class CaseNeedsAssessmentsApi(PolicyAPIView):
    access = Access(
        scope="case",
        perm=Perm.CASE_VIEW,
        methods=("GET", "POST"),
        method_perms=(("POST", policy.PLAN_MANAGE),),
    )
    audit_object_type = "needs_assessment"
    audit_reads = True

    @extend_schema(responses=NeedsAssessmentOutSerializer(many=True), summary="Needs assessments of a case")
    def get(self, request: Request, code: str) -> Response:
        case = self.case
        return Response(
            NeedsAssessmentOutSerializer(selectors.needs_visible(request.user, case), many=True).data
        )

    @extend_schema(
        request=NeedsAssessmentInSerializer,
        responses={201: NeedsAssessmentOutSerializer},
        summary="Record a needs assessment (the coordinating organisation)",
    )
    def post(self, request: Request, code: str) -> Response:
        case = self.case
        ser = NeedsAssessmentInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        needs: dict[str, str] = {}
        for n in d["needs"]:
            if n["service_type"] in needs:
                raise DomainError(_("Each need may be listed once."), field="needs")
            needs[n["service_type"]] = n["priority"]
        assessment = services.needs_assess(
            user=request.user,
            case=case,
            needs=needs,
            assessed_on=d.get("assessed_on"),
            with_person=d["with_person"],
            interpreter_language=d["interpreter_language"],
        )
        assessment.visible_needs = list(assessment.needs.all())  # the coordinator reads every class
        return Response(NeedsAssessmentOutSerializer(assessment).data, status=status.HTTP_201_CREATED)


class CaseAssistancePlanApi(PolicyAPIView):
    access = Access(
        scope="case",
        perm=Perm.CASE_VIEW,
        methods=("GET", "POST"),
        method_perms=(("POST", policy.PLAN_MANAGE),),
    )
    audit_object_type = "assistance_plan"
    audit_reads = True

    @extend_schema(
        responses=PlanWithServicesSerializer,
        summary="The assistance plan and the services the user's role may see",
    )
    def get(self, request: Request, code: str) -> Response:
        case = self.case
        return Response(_plan_payload(request.user, case))

    @extend_schema(
        request=PlanInSerializer,
        # 201 when this opens the plan, 200 when it updates the open one.
        responses={200: PlanWithServicesSerializer, 201: PlanWithServicesSerializer},
        summary="Open the plan, or record its agreement with the person and next review (version needed)",
    )
    def post(self, request: Request, code: str) -> Response:
        case = self.case
        ser = PlanInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        plan = selectors.plan_for(case)
        if plan is None:
            services.plan_open(
                user=request.user,
                case=case,
                agreed_with_person_on=d.get("agreed_with_person_on"),
                review_due_on=d.get("review_due_on"),
            )
            return Response(_plan_payload(request.user, case), status=status.HTTP_201_CREATED)
        if "version" not in d:
            raise DomainError(_("This field is required."), field="version")
        services.plan_update(
            user=request.user,
            plan=plan,
            expected_version=d["version"],
            agreed_with_person_on=d.get("agreed_with_person_on"),
            review_due_on=d.get("review_due_on"),
        )
        return Response(_plan_payload(request.user, case))


class PlanApproveApi(PolicyAPIView):
    access = Access(scope="case", perm=policy.PLAN_APPROVE, methods=("POST",))
    audit_object_type = "assistance_plan"

    @extend_schema(
        request=VersionInSerializer,
        responses=PlanOutSerializer,
        summary="The child's guardian approves this version of the plan",
    )
    def post(self, request: Request, code: str) -> Response:
        case = self.case
        ser = VersionInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        plan = selectors.plan_for(case)
        if plan is None:
            raise DomainError(_("There is no plan to approve yet."), field="plan")
        plan = services.plan_approve(
            user=request.user, plan=plan, expected_version=ser.validated_data["version"]
        )
        return Response(PlanOutSerializer(plan).data)


class CaseServicesApi(PolicyAPIView):
    access = Access(scope="case", perm=policy.PLAN_MANAGE, methods=("POST",))
    audit_object_type = "assistance_service"

    @extend_schema(
        request=ServiceRequestInSerializer,
        responses={201: ServiceOutSerializer},
        summary="Request a service from a provider, with the person's consent to what it receives",
    )
    def post(self, request: Request, code: str) -> Response:
        case = self.case
        ser = ServiceRequestInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        service = services.service_request(user=request.user, case=case, **ser.validated_data)
        return Response(ServiceOutSerializer(service).data, status=status.HTTP_201_CREATED)


def _step(request: Request, service: Any) -> Any:
    """One step on a service from the request body (the callers have checked who may take it)."""
    ser = ServiceStepInSerializer(data=request.data)
    ser.is_valid(raise_exception=True)
    d = ser.validated_data
    return services.service_update_status(
        user=request.user,
        service=service,
        status=d["status"],
        expected_version=d["version"],
        on=d.get("on"),
        decline_reason=d["decline_reason"],
        reason=d["reason"],
    )


def _case_service(user: Any, case: Any, pk: int) -> Any:
    service = next((s for s in selectors.services_visible(user, case) if s.pk == pk), None)
    if service is None:
        raise NotFound()
    return service


class ServiceStepApi(PolicyAPIView):
    access = Access(scope="case", perm=policy.SERVICE_STEP, methods=("POST",))
    audit_object_type = "assistance_service"

    @extend_schema(
        request=ServiceStepInSerializer,
        responses=ServiceOutSerializer,
        summary="Move a service on (the provider: accept, start, complete, decline; the coordinator: refused)",
    )
    def post(self, request: Request, code: str, pk: int) -> Response:
        # Who may move it on is decided before the body is read (the access declaration).
        service = _case_service(request.user, self.case, pk)
        service = _step(request, service)
        return Response(ServiceOutSerializer(service).data)


class ServiceConsentWithdrawApi(PolicyAPIView):
    access = Access(scope="case", perm=policy.PLAN_MANAGE, methods=("POST",))
    audit_object_type = "assistance_service"

    @extend_schema(
        request=ServiceConsentWithdrawInSerializer,
        responses=ServiceOutSerializer,
        summary="The person withdrew consent to share the case file with the provider",
    )
    def post(self, request: Request, code: str, pk: int) -> Response:
        service = _case_service(request.user, self.case, pk)
        ser = ServiceConsentWithdrawInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        service = services.service_consent_withdraw(
            user=request.user,
            service=service,
            expected_version=ser.validated_data["version"],
            withdrawn_on=ser.validated_data.get("withdrawn_on"),
        )
        return Response(ServiceOutSerializer(service).data)


class ServiceRequestOutSerializer(Serializer):
    """What a provider receives: the request alone, under the case code (no consent details, no
    reasons written by others)."""

    id = serializers.IntegerField()
    case = serializers.CharField(source="case.code")
    service_type = serializers.CharField()
    status = serializers.CharField()
    urgent = serializers.BooleanField()
    requested_on = serializers.DateField()
    planned_from = serializers.DateField()
    planned_until = serializers.DateField(allow_null=True)
    interpreter_language = serializers.CharField()
    next_statuses = serializers.ListField(child=serializers.CharField())
    version = serializers.IntegerField()


class ServiceInboxApi(PolicyAPIView):
    access = Access(scope="perm", perm=Perm.CASE_VIEW)
    pagination_class = Pagination
    audit_object_type = "assistance_service"
    audit_reads = True

    @extend_schema(
        responses=ServiceRequestOutSerializer(many=True),
        summary="Open service requests to the user's organisation (the request only, under the case code)",
    )
    def get(self, request: Request) -> Response:
        return paginate(
            request,
            self,
            selectors.provider_inbox(request.user),
            lambda page: ServiceRequestOutSerializer(page, many=True).data,
        )


class ServiceInboxStepApi(PolicyAPIView):
    access = Access(scope="organisation", perm=Perm.CASE_VIEW, methods=("POST",))
    audit_object_type = "assistance_service"

    @extend_schema(
        request=ServiceStepInSerializer,
        responses=ServiceRequestOutSerializer,
        summary="The provider moves its own service on, without needing to see the case",
    )
    def post(self, request: Request, pk: int) -> Response:
        service = services.service_for_provider(user=request.user, pk=pk)
        service = _step(request, service)
        return Response(ServiceRequestOutSerializer(service).data)


class CaseCooperationApi(PolicyAPIView):
    access = Access(
        scope="case",
        perm=Perm.CASE_VIEW,
        methods=("GET", "POST"),
        method_perms=(("POST", policy.COOPERATION_RECORD),),
    )
    audit_object_type = "cooperation_record"
    audit_reads = True

    @extend_schema(
        responses=CooperationOutSerializer(many=True),
        summary="The person's stance towards the authorities (roles reading legal content only)",
    )
    def get(self, request: Request, code: str) -> Response:
        case = self.case
        if Sensitivity.LEGAL not in policy.readable_sensitivities(request.user):
            return Response([])
        return Response(CooperationOutSerializer(selectors.cooperation_records(case), many=True).data)

    @extend_schema(
        request=CooperationInSerializer,
        responses={201: CooperationOutSerializer},
        summary="Record the stance; it changes nothing in the assistance",
    )
    def post(self, request: Request, code: str) -> Response:
        case = self.case
        ser = CooperationInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        record = services.cooperation_record(user=request.user, case=case, **ser.validated_data)
        return Response(CooperationOutSerializer(record).data, status=status.HTTP_201_CREATED)


class AssistanceStatisticsApi(PolicyAPIView):
    access = Access(scope="perm", perm=Perm.STATS_VIEW)
    touches_personal_data = False

    @extend_schema(
        responses=StatisticsSerializer,
        summary="Services by type and services conditioned on cooperation (counts, no cases)",
    )
    def get(self, request: Request) -> Response:
        conditioned = selectors.conditioned_refusals()
        return Response(
            {
                "conditioned_total": conditioned["total"],
                "conditioned_by_provider": conditioned["by_provider"],
                "by_service_type": selectors.service_statistics(),
            }
        )
