from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from opennrm.accounts import services
from opennrm.accounts.models import Organisation, OrganisationType
from opennrm.accounts.roles import Perm
from opennrm.api.base import PolicyAPIView
from opennrm.api.pagination import Pagination, paginate
from opennrm.api.serializers import Serializer
from opennrm.core.http import Access
from opennrm.lib.errors import NotFound


class OrganisationOutSerializer(Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    type = serializers.CharField()
    city = serializers.CharField()
    country = serializers.CharField()
    is_active = serializers.BooleanField()
    version = serializers.IntegerField()


class OrganisationInSerializer(Serializer):
    code = serializers.SlugField(max_length=60)
    name = serializers.CharField(max_length=200)
    type = serializers.ChoiceField(choices=OrganisationType.choices)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    country = serializers.RegexField(r"^[A-Za-z]{2}$", required=False)


class MeSerializer(Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField(source="get_full_name")
    organisation = serializers.CharField(source="organisation.code", allow_null=True)
    role = serializers.CharField(source="role.code", allow_null=True)
    permissions = serializers.ListField(child=serializers.CharField(), source="role.permissions")
    sensitivities = serializers.ListField(child=serializers.CharField(), source="role.sensitivities")


class OrganisationListApi(PolicyAPIView):
    """Organisations are not personal data: every user may list them (to involve one in a case)."""

    pagination_class = Pagination

    access = Access(
        scope="authenticated", methods=("GET", "POST"), method_perms=(("POST", Perm.ADMIN_ORGANISATIONS),)
    )
    touches_personal_data = False

    @extend_schema(responses=OrganisationOutSerializer(many=True), summary="Organisations")
    def get(self, request: Request) -> Response:
        qs = Organisation.objects.order_by("type", "name")
        if request.query_params.get("type"):
            qs = qs.filter(type=request.query_params["type"])
        return paginate(request, self, qs, lambda page: OrganisationOutSerializer(page, many=True).data)

    @extend_schema(
        request=OrganisationInSerializer,
        responses={201: OrganisationOutSerializer},
        summary="Add an organisation",
    )
    def post(self, request: Request) -> Response:
        ser = OrganisationInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        org = services.organisation_create(actor=request.user, **ser.validated_data)
        return Response(OrganisationOutSerializer(org).data, status=status.HTTP_201_CREATED)


class OrganisationDetailApi(PolicyAPIView):
    access = Access(scope="authenticated")
    touches_personal_data = False

    @extend_schema(responses=OrganisationOutSerializer, summary="One organisation")
    def get(self, request: Request, pk: int) -> Response:
        org = Organisation.objects.filter(pk=pk).first()
        if org is None:
            raise NotFound()
        return Response(OrganisationOutSerializer(org).data)


class MeApi(PolicyAPIView):
    access = Access(scope="authenticated")
    touches_personal_data = False

    @extend_schema(responses=MeSerializer, summary="Who you are, your role and what it allows")
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)
