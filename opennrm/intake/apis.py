"""REST API of the anonymous reports of the public and the Centre's triage queue: the same services and
access rules as the pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from opennrm.accounts.roles import Perm
from opennrm.api.base import PolicyAPIView
from opennrm.api.pagination import Pagination, paginate
from opennrm.api.serializers import Serializer
from opennrm.core.http import Access
from opennrm.core.middleware import client_ip
from opennrm.intake import public_reports
from opennrm.intake.models import PublicReportHint

# ---- serializers ---------------------------------------------------------------------------------


class PublicReportInSerializer(Serializer):
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


class PublicReportOutSerializer(Serializer):
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


# ---- views ---------------------------------------------------------------------------------------


class PublicReportSubmitApi(PolicyAPIView):
    """Anyone, without an account: the API twin of the public page."""

    documents_throttle = True  # documents the 429 (opennrm.api.schema)
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
    pagination_class = Pagination
    audit_object_type = "public_report"

    @extend_schema(
        responses=PublicReportOutSerializer(many=True),
        summary="The Centre's queue of public reports, new first (empty outside the Centre; no content)",
    )
    def get(self, request: Request) -> Response:
        return paginate(
            request,
            self,
            public_reports.public_reports_queryset(user=request.user),
            lambda page: PublicReportOutSerializer(page, many=True).data,
        )
