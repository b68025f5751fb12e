"""REST API for the user's own notifications. Thin: parse, call, serialise."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from opennrm.api.base import PolicyAPIView
from opennrm.api.pagination import Pagination, paginate
from opennrm.api.serializers import Query, Serializer
from opennrm.core.http import Access
from opennrm.notifications import selectors, services
from opennrm.notifications.kinds import render


class NotificationOutSerializer(Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.SerializerMethodField()
    case_code = serializers.CharField()
    params = serializers.DictField(child=serializers.JSONField())
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)

    def get_title(self, obj) -> str:
        return render(obj)


class MarkReadInSerializer(Serializer):
    # Shapes are checked by the service (one message for every bad input); declared here for the schema.
    ids = serializers.ListField(child=serializers.IntegerField(), required=False)
    all = serializers.BooleanField(required=False)


class NotificationQuerySerializer(Query):
    unread = serializers.BooleanField(required=False, help_text="Only unread notifications")


class MarkReadOutSerializer(Serializer):
    marked = serializers.IntegerField()


class NotificationListApi(PolicyAPIView):
    pagination_class = Pagination
    access = Access(scope="authenticated")
    # Codes and organisation names only, never a person's data.
    touches_personal_data = False

    @extend_schema(
        responses=NotificationOutSerializer(many=True),
        summary="Your notifications, newest first",
        parameters=[NotificationQuerySerializer],
    )
    def get(self, request: Request) -> Response:
        query = NotificationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        unread_only = query.validated_data.get("unread", False)
        qs = selectors.notification_list(user=self.user(request), unread_only=unread_only)
        return paginate(request, self, qs, lambda page: NotificationOutSerializer(page, many=True).data)


class NotificationReadApi(PolicyAPIView):
    access = Access(scope="authenticated", methods=("POST",))
    touches_personal_data = False

    @extend_schema(
        request=MarkReadInSerializer,
        responses=MarkReadOutSerializer,
        summary="Mark your notifications as read",
        description='Body {"ids": [1, 2]} for some, or {"all": true} for all of them.',
    )
    def post(self, request: Request) -> Response:
        data = request.data if isinstance(request.data, dict) else {}
        marked = services.mark_read(user=self.user(request), ids=data.get("ids"), all=data.get("all") is True)
        return Response(MarkReadOutSerializer({"marked": marked}).data)
