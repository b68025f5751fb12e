"""REST API of facilities, occupancy and placements: the same services and access rules as the pages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from opennrm import policy
from opennrm.accounts.models import Organisation
from opennrm.accounts.roles import Perm
from opennrm.api.base import PolicyAPIView
from opennrm.api.serializers import Query, Serializer
from opennrm.audit.services import audit_record
from opennrm.cases.models import ExploitationForm
from opennrm.core.http import Access
from opennrm.lib import clock
from opennrm.lib.errors import DomainError
from opennrm.shelters import rules, selectors, services
from opennrm.shelters.models import AcceptsSex, ExitDestination, FacilityKind, Placement

# ---- serializers ---------------------------------------------------------------------------------


class FacilityOutSerializer(Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    operator = serializers.CharField(source="operator.code")
    municipality = serializers.CharField()
    beds_adults = serializers.IntegerField()
    beds_children = serializers.IntegerField()
    accepts_sex = serializers.CharField()
    takes_adults = serializers.BooleanField()
    takes_children = serializers.BooleanField()
    min_age = serializers.IntegerField(allow_null=True)
    max_age = serializers.IntegerField(allow_null=True)
    specialisations = serializers.SerializerMethodField()
    licence_number = serializers.CharField()
    licence_valid_from = serializers.DateField(allow_null=True)
    licence_valid_until = serializers.DateField(allow_null=True)
    licence_valid = serializers.SerializerMethodField()
    is_open = serializers.BooleanField()
    adults_placed = serializers.IntegerField()
    children_placed = serializers.IntegerField(help_text="Unaccompanied children and accompanying children")
    waiting = serializers.IntegerField()
    free_adults = serializers.SerializerMethodField()
    free_children = serializers.SerializerMethodField()
    version = serializers.IntegerField()

    def get_specialisations(self, obj: Any) -> list[str]:
        return [s.form for s in obj.specialisations.all()]

    def get_licence_valid(self, obj: Any) -> bool:
        return rules.licence_valid(obj, clock.today())

    def get_free_adults(self, obj: Any) -> int:
        return max(obj.free_adults, 0)

    def get_free_children(self, obj: Any) -> int:
        return max(obj.free_children, 0)


class _FacilityFieldsSerializer(Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=FacilityKind.choices)
    municipality = serializers.CharField(max_length=120, help_text="Never a street address")
    beds_adults = serializers.IntegerField(min_value=0, max_value=services.MAX_BEDS)
    beds_children = serializers.IntegerField(min_value=0, max_value=services.MAX_BEDS)
    accepts_sex = serializers.ChoiceField(choices=AcceptsSex.choices, required=False)
    takes_adults = serializers.BooleanField(required=False)
    takes_children = serializers.BooleanField(required=False)
    min_age = serializers.IntegerField(min_value=0, max_value=120, required=False, allow_null=True)
    max_age = serializers.IntegerField(min_value=0, max_value=120, required=False, allow_null=True)
    specialisations = serializers.ListField(
        child=serializers.ChoiceField(choices=ExploitationForm.choices), required=False
    )
    licence_number = serializers.CharField(max_length=60, required=False, allow_blank=True)
    licence_valid_from = serializers.DateField(required=False, allow_null=True)
    licence_valid_until = serializers.DateField(required=False, allow_null=True)
    is_open = serializers.BooleanField(required=False)


class FacilityInSerializer(_FacilityFieldsSerializer):
    code = serializers.SlugField(max_length=60)
    operator = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Organisation.objects.all(),
        required=False,
        help_text="Only for administrators of organisations; defaults to your organisation",
    )


class FacilityPatchSerializer(_FacilityFieldsSerializer):
    version = serializers.IntegerField(help_text="The version you loaded; 409 if it changed since")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "version":
                field.required = False


class OccupancyRowSerializer(Serializer):
    facility = serializers.CharField()
    period = serializers.DateField()
    days = serializers.IntegerField()
    adult_bed_days = serializers.IntegerField()
    child_bed_days = serializers.IntegerField()
    capacity_bed_days = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


OccupancyOutSerializer = inline_serializer(
    name="Occupancy",
    fields={
        "date_from": serializers.DateField(),
        "date_to": serializers.DateField(),
        "by": serializers.CharField(),
        "overrides": serializers.DictField(child=serializers.IntegerField()),
        "rows": OccupancyRowSerializer(many=True),
    },
)


class OccupancyQuerySerializer(Query):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    by = serializers.ChoiceField(choices=["day", "month"], required=False, default="month")
    facility = serializers.CharField(required=False)


class FreeBedQuerySerializer(Query):
    sex = serializers.ChoiceField(choices=["female", "male", "other", "unknown"], required=False)
    child = serializers.BooleanField(required=False, default=False)
    children = serializers.IntegerField(
        min_value=0, max_value=services.MAX_ACCOMPANYING, required=False, default=0
    )
    specialisation = serializers.ChoiceField(choices=ExploitationForm.choices, required=False)
    age = serializers.IntegerField(min_value=0, max_value=120, required=False)


class WhereaboutsSerializer(Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    municipality = serializers.CharField()


class PlacementOutSerializer(Serializer):
    id = serializers.IntegerField()
    facility = serializers.SerializerMethodField(help_text="Null where the person's whereabouts are withheld")
    status = serializers.CharField()
    requested_on = serializers.DateField()
    placed_on = serializers.DateField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True)
    is_child = serializers.BooleanField()
    accompanying_children = serializers.IntegerField()
    exit_destination = serializers.CharField()
    exit_note = serializers.SerializerMethodField(help_text="empty where the whereabouts are withheld")
    moved_to = serializers.IntegerField(source="moved_to_id", allow_null=True)
    override = serializers.BooleanField()
    override_rules = serializers.ListField(child=serializers.CharField())
    version = serializers.IntegerField()
    whereabouts_withheld = serializers.SerializerMethodField(
        help_text="true when the facility is withheld from this user (high risk, not named staff)"
    )

    def get_exit_note(self, obj: Placement) -> str:
        # Free text about where the person went: withheld like the facility.
        return (
            obj.exit_note if selectors.placement_whereabouts(user=self.context["user"], placement=obj) else ""
        )

    def get_whereabouts_withheld(self, obj: Placement) -> bool:
        return selectors.placement_whereabouts(user=self.context["user"], placement=obj) is None

    @extend_schema_field(WhereaboutsSerializer(allow_null=True))
    def get_facility(self, obj: Placement) -> dict[str, str] | None:
        where = selectors.placement_whereabouts(user=self.context["user"], placement=obj)
        return (
            None
            if where is None
            else {"code": where.code, "name": where.name, "municipality": where.municipality}
        )


class PlacementInSerializer(Serializer):
    facility = serializers.CharField(help_text="The facility's code")
    placed_on = serializers.DateField(
        required=False, help_text="Today when left out; the waiting date with wait"
    )
    accompanying_children = serializers.IntegerField(
        min_value=0, max_value=services.MAX_ACCOMPANYING, required=False, default=0
    )
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=services.MAX_OVERRIDE_REASON,
        help_text="Written reasons to place despite a refusal (Centre head only)",
    )
    wait = serializers.BooleanField(
        required=False, default=False, help_text="Put on the waiting list instead"
    )


class MoveInSerializer(Serializer):
    version = serializers.IntegerField()
    facility = serializers.CharField(help_text="The code of the facility to move to")
    moved_on = serializers.DateField(required=False)
    accompanying_children = serializers.IntegerField(
        min_value=0, max_value=services.MAX_ACCOMPANYING, required=False
    )
    override_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=services.MAX_OVERRIDE_REASON
    )


class ExitInSerializer(Serializer):
    version = serializers.IntegerField()
    destination = serializers.ChoiceField(choices=ExitDestination.choices)
    ended_on = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class PlacementVersionInSerializer(Serializer):
    version = serializers.IntegerField()


# ---- facilities ----------------------------------------------------------------------------------


class FacilitiesApi(PolicyAPIView):
    access = Access(
        scope="authenticated",
        methods=("GET", "POST"),
        method_perms=(("POST", Perm.FACILITY_MANAGE),),
    )
    audit_object_type = "facility"
    touches_personal_data = False

    @extend_schema(
        parameters=[FreeBedQuerySerializer],
        responses=FacilityOutSerializer(many=True),
        summary="Facilities with live occupancy and free beds; with search parameters, only those that "
        "would take such a person now (empty for roles that do not place or run facilities)",
    )
    def get(self, request: Request) -> Response:
        keys = set(FreeBedQuerySerializer().fields)
        if keys & set(request.query_params):
            q = FreeBedQuerySerializer(data=request.query_params)
            q.is_valid(raise_exception=True)
            facilities = selectors.free_beds_search(user=request.user, **q.validated_data)
        else:
            facilities = selectors.facility_list(user=request.user)
        return Response(FacilityOutSerializer(facilities.prefetch_related("specialisations"), many=True).data)

    @extend_schema(
        request=FacilityInSerializer,
        responses={201: FacilityOutSerializer},
        summary="Register a facility of your organisation",
    )
    def post(self, request: Request) -> Response:
        ser = FacilityInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        code = data.pop("code")
        operator = data.pop("operator", None)
        facility = services.facility_create(user=request.user, code=code, data=data, operator=operator)
        return Response(
            FacilityOutSerializer(selectors.facility_get(user=request.user, code=facility.code)).data,
            status=status.HTTP_201_CREATED,
        )


class FacilityDetailApi(PolicyAPIView):
    access = Access(
        scope="authenticated",
        methods=("GET", "PATCH"),
        method_perms=(("PATCH", Perm.FACILITY_MANAGE),),
    )
    audit_object_type = "facility"
    touches_personal_data = False

    @extend_schema(
        responses=FacilityOutSerializer, summary="One facility with live occupancy (404 outside yours)"
    )
    def get(self, request: Request, facility_code: str) -> Response:
        return Response(
            FacilityOutSerializer(selectors.facility_get(user=request.user, code=facility_code)).data
        )

    @extend_schema(
        request=FacilityPatchSerializer,
        responses=FacilityOutSerializer,
        summary="Change a facility's register (its operator only; 409 if it changed since your version)",
    )
    def patch(self, request: Request, facility_code: str) -> Response:
        facility = selectors.facility_get(user=request.user, code=facility_code)
        ser = FacilityPatchSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        version = data.pop("version", None)
        if version is None:
            raise DomainError(_("This field is required."), field="version")
        services.facility_update(user=request.user, facility=facility, expected_version=version, data=data)
        return Response(
            FacilityOutSerializer(selectors.facility_get(user=request.user, code=facility_code)).data
        )


class OccupancyApi(PolicyAPIView):
    access = Access(scope="perm", perm=Perm.STATS_VIEW)
    audit_object_type = "occupancy"
    touches_personal_data = False

    @extend_schema(
        parameters=[OccupancyQuerySerializer],
        responses=OccupancyOutSerializer,
        summary="Occupied bed-days and occupancy rate per facility and month (or day), and overrides; "
        "counts only",
    )
    def get(self, request: Request) -> Response:
        q = OccupancyQuerySerializer(data=request.query_params)
        q.is_valid(raise_exception=True)
        d = q.validated_data
        default_from, default_to = selectors.default_history_range()
        date_from, date_to = d.get("date_from") or default_from, d.get("date_to") or default_to
        if date_to < date_from:
            raise DomainError(_("The end cannot be before the start."), field="date_to")
        if (date_to - date_from).days > 3 * 366:
            raise DomainError(_("Choose a period of at most three years."), field="date_to")
        facilities = selectors.visible_facilities(request.user).order_by("name", "id")
        if d.get("facility"):
            facilities = facilities.filter(code=d["facility"])
        rows = selectors.occupancy_history(
            date_from=date_from, date_to=date_to, facilities=list(facilities), by=d["by"]
        )
        audit_record(
            actor=request.user,
            action="read",
            object_type="occupancy",
            detail={"from": date_from.isoformat(), "to": date_to.isoformat()},
        )
        return Response(
            {
                "date_from": date_from,
                "date_to": date_to,
                "by": d["by"],
                "overrides": selectors.override_count(date_from=date_from, date_to=date_to),
                "rows": OccupancyRowSerializer(rows, many=True).data,
            }
        )


# ---- placements ----------------------------------------------------------------------------------


def _placements_out(user: Any, placements: Any, *, many: bool = False) -> Any:
    return PlacementOutSerializer(placements, many=many, context={"user": user}).data


class CasePlacementsApi(PolicyAPIView):
    access = Access(
        scope="case",
        perm=Perm.CASE_VIEW,
        methods=("GET", "POST"),
        method_perms=(("POST", policy.PLACEMENT_MANAGE),),
    )
    audit_object_type = "placement"
    audit_reads = True

    @extend_schema(
        responses=PlacementOutSerializer(many=True), summary="Placements and waiting lists of a case"
    )
    def get(self, request: Request, code: str) -> Response:
        case = self.case
        return Response(_placements_out(request.user, selectors.case_placements(case=case), many=True))

    @extend_schema(
        request=PlacementInSerializer,
        responses={201: PlacementOutSerializer},
        summary="Place the person in a facility (400 with every reason if it refuses), or with wait: "
        "true put them on its waiting list",
    )
    def post(self, request: Request, code: str) -> Response:
        case = self.case
        ser = PlacementInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        facility = services.facility_for_placement(code=d["facility"])
        if d["wait"]:
            placement = services.placement_wait(
                user=request.user,
                case=case,
                facility=facility,
                requested_on=d.get("placed_on"),
                accompanying_children=d["accompanying_children"],
            )
        else:
            placement = services.placement_place(
                user=request.user,
                case=case,
                facility=facility,
                placed_on=d.get("placed_on"),
                accompanying_children=d["accompanying_children"],
                override_reason=d.get("override_reason") or None,
            )
        return Response(_placements_out(request.user, placement), status=status.HTTP_201_CREATED)


class PlacementMoveApi(PolicyAPIView):
    access = Access(scope="case", perm=policy.PLACEMENT_MANAGE, methods=("POST",))
    audit_object_type = "placement"

    @extend_schema(
        request=MoveInSerializer,
        responses={201: PlacementOutSerializer},
        summary="Move the person to another facility (ends this placement and starts the next at once)",
    )
    def post(self, request: Request, code: str, pk: int) -> Response:
        case = self.case
        placement = selectors.placement_get(case=case, pk=pk)
        ser = MoveInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        new = services.placement_move(
            user=request.user,
            placement=placement,
            to_facility=services.facility_for_placement(code=d["facility"]),
            expected_version=d["version"],
            moved_on=d.get("moved_on"),
            accompanying_children=d.get("accompanying_children"),
            override_reason=d.get("override_reason") or None,
        )
        return Response(_placements_out(request.user, new), status=status.HTTP_201_CREATED)


class PlacementExitApi(PolicyAPIView):
    access = Access(scope="case", perm=policy.PLACEMENT_EXIT, methods=("POST",))
    audit_object_type = "placement"

    @extend_schema(
        request=ExitInSerializer,
        responses=PlacementOutSerializer,
        summary="Record that the person left, and where to (ends the shelter's involvement it granted)",
    )
    def post(self, request: Request, code: str, pk: int) -> Response:
        case = self.case
        placement = selectors.placement_get(case=case, pk=pk)
        ser = ExitInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        placement = services.placement_exit(
            user=request.user,
            placement=placement,
            expected_version=d["version"],
            destination=d["destination"],
            ended_on=d.get("ended_on"),
            note=d["note"],
        )
        # The output is the user's last look at the placement: their access may just have ended.
        return Response(_placements_out(request.user, placement))


class PlacementWithdrawApi(PolicyAPIView):
    access = Access(scope="case", perm=policy.PLACEMENT_MANAGE, methods=("POST",))
    audit_object_type = "placement"

    @extend_schema(
        request=PlacementVersionInSerializer,
        responses=PlacementOutSerializer,
        summary="Take the person off a waiting list",
    )
    def post(self, request: Request, code: str, pk: int) -> Response:
        case = self.case
        placement = selectors.placement_get(case=case, pk=pk)
        ser = PlacementVersionInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        placement = services.placement_withdraw(
            user=request.user, placement=placement, expected_version=ser.validated_data["version"]
        )
        return Response(_placements_out(request.user, placement))
