"""REST API of reintegration follow-up, closure review and reopening: the same services and rules."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from opennrm import policy
from opennrm.accounts.models import Organisation
from opennrm.accounts.roles import Perm
from opennrm.api.base import PolicyAPIView
from opennrm.api.serializers import Serializer
from opennrm.assistance import closure
from opennrm.assistance.models import (
    CaseClosure,
    ClosureReason,
    FollowUp,
    FollowUpMethod,
    FollowUpOutcome,
    ReintegrationPlan,
)
from opennrm.core.http import Access
from opennrm.lib.errors import NotFound


class FollowUpOutSerializer(Serializer):
    id = serializers.IntegerField()
    due_on = serializers.DateField()
    done_on = serializers.DateField(allow_null=True)
    method = serializers.CharField()
    outcome = serializers.CharField()
    version = serializers.IntegerField()


class ReintegrationOutSerializer(Serializer):
    started_on = serializers.DateField()
    until_on = serializers.DateField()
    interval_days = serializers.IntegerField()
    follow_up_by = serializers.CharField(source="follow_up_by.code")
    follow_ups = FollowUpOutSerializer(many=True, source="follow_ups.all")


class ReintegrationInSerializer(Serializer):
    follow_up_by = serializers.SlugRelatedField(slug_field="code", queryset=Organisation.objects.all())
    interval_days = serializers.IntegerField()
    months = serializers.IntegerField()
    started_on = serializers.DateField(required=False)


class FollowUpInSerializer(Serializer):
    version = serializers.IntegerField(min_value=1)
    outcome = serializers.ChoiceField(choices=FollowUpOutcome.choices)
    method = serializers.ChoiceField(choices=FollowUpMethod.choices)
    done_on = serializers.DateField(required=False)


class ClosureOutSerializer(Serializer):
    id = serializers.IntegerField()
    reason = serializers.CharField()
    explanation = serializers.CharField()
    status = serializers.CharField()
    previous_status = serializers.CharField()
    requested_at = serializers.DateTimeField(source="created_at")
    reviewed_at = serializers.DateTimeField(allow_null=True)
    review_note = serializers.CharField()
    reopened_at = serializers.DateTimeField(allow_null=True)
    reopen_reason = serializers.CharField()
    version = serializers.IntegerField()


class ClosureInSerializer(Serializer):
    reason = serializers.ChoiceField(choices=ClosureReason.choices)
    explanation = serializers.CharField(max_length=1000)


class ClosureReviewInSerializer(Serializer):
    version = serializers.IntegerField(min_value=1)
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReopenInSerializer(Serializer):
    reason = serializers.CharField(max_length=500)


ReopenOutSerializer = inline_serializer(name="CaseReopened", fields={"status": serializers.CharField()})


class CaseReintegrationApi(PolicyAPIView):
    access = Access(
        scope="case",
        perm=Perm.CASE_VIEW,
        methods=("GET", "POST"),
        method_perms=(("POST", policy.PLAN_MANAGE),),
    )
    audit_object_type = "reintegration_plan"
    audit_reads = True

    @extend_schema(responses=ReintegrationOutSerializer, summary="The reintegration plan and its follow-ups")
    def get(self, request: Request, code: str) -> Response:
        case = self.case
        plan = ReintegrationPlan.objects.filter(case=case).select_related("follow_up_by").first()
        if plan is None:
            raise NotFound()
        return Response(ReintegrationOutSerializer(plan).data)

    @extend_schema(
        request=ReintegrationInSerializer,
        responses={201: ReintegrationOutSerializer},
        summary="Plan follow-up contacts at set intervals",
    )
    def post(self, request: Request, code: str) -> Response:
        case = self.case
        ser = ReintegrationInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        plan = closure.reintegration_start(user=request.user, case=case, **ser.validated_data)
        return Response(ReintegrationOutSerializer(plan).data, status=status.HTTP_201_CREATED)


class FollowUpApi(PolicyAPIView):
    access = Access(scope="case", perm=policy.FOLLOW_UP_RECORD, methods=("POST",))
    audit_object_type = "follow_up"

    @extend_schema(
        request=FollowUpInSerializer, responses=FollowUpOutSerializer, summary="Record a follow-up contact"
    )
    def post(self, request: Request, code: str, pk: int) -> Response:
        case = self.case
        row = FollowUp.objects.filter(case=case, pk=pk).select_related("case", "plan").first()
        if row is None:
            raise NotFound()
        ser = FollowUpInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        row = closure.follow_up_record(
            user=request.user,
            follow_up=row,
            outcome=d["outcome"],
            method=d["method"],
            expected_version=d["version"],
            done_on=d.get("done_on"),
        )
        return Response(FollowUpOutSerializer(row).data)


class CaseClosuresApi(PolicyAPIView):
    access = Access(
        scope="case",
        perm=Perm.CASE_VIEW,
        methods=("GET", "POST"),
        method_perms=(("POST", policy.CLOSURE_REQUEST),),
    )
    audit_object_type = "case_closure"
    audit_reads = True

    @extend_schema(
        responses=ClosureOutSerializer(many=True),
        summary="Closure requests, reviews and reopenings (the written reasons for roles that edit cases)",
    )
    def get(self, request: Request, code: str) -> Response:
        case = self.case
        rows = ClosureOutSerializer(CaseClosure.objects.filter(case=case), many=True).data
        if not policy.can(request.user, Perm.CASE_EDIT, case):
            # The explanation may say what happened to the person; others learn the outcome only.
            for row in rows:
                row["explanation"] = row["review_note"] = row["reopen_reason"] = ""
        return Response(rows)

    @extend_schema(
        request=ClosureInSerializer,
        responses={201: ClosureOutSerializer},
        summary="Ask for the case to be closed (a supervisor reviews it)",
    )
    def post(self, request: Request, code: str) -> Response:
        case = self.case
        ser = ClosureInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        row = closure.closure_request(user=request.user, case=case, **ser.validated_data)
        return Response(ClosureOutSerializer(row).data, status=status.HTTP_201_CREATED)


class ClosureReviewApi(PolicyAPIView):
    access = Access(scope="case", perm=policy.CLOSURE_REVIEW, methods=("POST",))
    audit_object_type = "case_closure"

    @extend_schema(
        request=ClosureReviewInSerializer,
        responses=ClosureOutSerializer,
        summary="Approve (the case closes) or refuse with a note; not by the person who asked",
    )
    def post(self, request: Request, code: str, pk: int) -> Response:
        case = self.case
        row = CaseClosure.objects.filter(case=case, pk=pk).select_related("case").first()
        if row is None:
            raise NotFound()
        ser = ClosureReviewInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        row = closure.closure_review(
            user=request.user,
            closure=row,
            approve=d["approve"],
            expected_version=d["version"],
            note=d["note"],
        )
        return Response(ClosureOutSerializer(row).data)


class CaseReopenApi(PolicyAPIView):
    access = Access(scope="case", perm=policy.CLOSURE_REQUEST, methods=("POST",))
    audit_object_type = "case"

    @extend_schema(request=ReopenInSerializer, responses=ReopenOutSerializer, summary="Reopen a closed case")
    def post(self, request: Request, code: str) -> Response:
        case = self.case
        ser = ReopenInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        closure.case_reopen(user=request.user, case=case, reason=ser.validated_data["reason"])
        case.refresh_from_db(fields=["status"])
        return Response({"status": case.status})
