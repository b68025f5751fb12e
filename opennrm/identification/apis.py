"""REST API of the identification workflow: the same services and access rules as the pages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from opennrm import policy
from opennrm.accounts.models import Organisation
from opennrm.accounts.roles import Perm, Sensitivity
from opennrm.api.base import PolicyAPIView
from opennrm.api.pagination import Pagination, paginate
from opennrm.api.serializers import Serializer
from opennrm.audit.services import audit_record
from opennrm.cases import selectors as case_selectors
from opennrm.cases.models import ExploitationForm
from opennrm.core.http import Access
from opennrm.identification import indicators, selectors, services
from opennrm.identification.forms import text_in
from opennrm.identification.models import (
    AgeOutcome,
    Answer,
    DecisionKind,
    DecisionOutcome,
    ProcedureRecordKind,
    ReferralPurpose,
    ScreeningSetting,
)
from opennrm.lib.errors import DomainError, NotFound

# ---- serializers ---------------------------------------------------------------------------------


class IndicatorOutSerializer(Serializer):
    id = serializers.CharField()
    dimension = serializers.CharField(allow_blank=True)
    # The API's field names shadow attributes of DRF's Field (a serializer is a field); the wire name wins.
    label = serializers.CharField()  # type: ignore[assignment]
    strength = serializers.CharField(allow_null=True)
    child_strength = serializers.CharField(allow_null=True)


class IndicatorSetOutSerializer(Serializer):
    code = serializers.CharField()
    version = serializers.CharField()
    title = serializers.CharField()
    rule = serializers.CharField()
    applies_to = serializers.CharField()
    forms = serializers.ListField(child=serializers.CharField())
    source = serializers.CharField()  # type: ignore[assignment]  # shadows Field.source, as above
    verified = serializers.BooleanField()
    items = IndicatorOutSerializer(many=True, required=False)


def _set_data(iset: indicators.IndicatorSet, *, items: bool) -> dict[str, Any]:
    lang = get_language() or "sr"
    data: dict[str, Any] = {
        "code": iset.code,
        "version": iset.version,
        "title": text_in(iset.title, lang),
        "rule": iset.rule,
        "applies_to": iset.applies_to,
        "forms": list(iset.forms),
        "source": iset.source,
        "verified": iset.verified,
    }
    if items:
        data["items"] = [
            {
                "id": i.id,
                "dimension": i.dimension or "",
                "label": iset.item_label(i.id, lang),
                "strength": i.strength,
                "child_strength": i.child_strength,
            }
            for i in iset.items
        ]
    return data


class ScreeningInSerializer(Serializer):
    indicator_set = serializers.CharField(max_length=40)
    version = serializers.CharField(max_length=20)
    setting = serializers.ChoiceField(choices=ScreeningSetting.choices)
    screened_on = serializers.DateField(required=False)
    interpreter_used = serializers.BooleanField(required=False, default=False)
    answers = serializers.DictField(child=serializers.ChoiceField(choices=Answer.choices))


class ScreeningOutSerializer(Serializer):
    id = serializers.IntegerField()
    indicator_set = serializers.CharField()
    indicator_version = serializers.CharField()
    setting = serializers.CharField()
    screened_on = serializers.DateField()
    interpreter_used = serializers.BooleanField()
    organisation = serializers.CharField(source="organisation.code")
    as_child = serializers.BooleanField()
    recommendation = serializers.CharField()
    result = serializers.JSONField()
    explanation = serializers.SerializerMethodField()

    def get_explanation(self, obj: Any) -> list[str]:
        try:
            iset = indicators.get_set(obj.indicator_set, obj.indicator_version)
        except indicators.UnknownIndicatorSet:
            return []
        answers = {a.indicator: a.answer for a in obj.answers.all()}
        evaluation = indicators.evaluate(iset, answers, is_child=obj.as_child)
        return indicators.explain(evaluation, iset, get_language() or "sr")


class ReferralInSerializer(Serializer):
    to_organisation = serializers.SlugRelatedField(
        slug_field="code", queryset=Organisation.objects.filter(is_active=True)
    )
    purpose = serializers.ChoiceField(choices=ReferralPurpose.choices)
    urgent = serializers.BooleanField(required=False, default=False)


class ReferralOutSerializer(Serializer):
    id = serializers.IntegerField()
    case = serializers.CharField(source="case.code")
    from_organisation = serializers.CharField(source="from_organisation.code")
    to_organisation = serializers.SerializerMethodField(
        help_text="null when withheld (a shelter at high risk)"
    )
    purpose = serializers.CharField()
    status = serializers.CharField()
    urgent = serializers.BooleanField()
    due_at = serializers.DateTimeField()
    overdue = serializers.BooleanField(source="is_overdue")
    responded_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()
    version = serializers.IntegerField()

    def get_to_organisation(self, obj: Any) -> str | None:
        return None if getattr(obj, "withheld", False) else obj.to_organisation.code


class ReferralResponseSerializer(Serializer):
    accept = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    version = serializers.IntegerField()


class ReferralWithdrawSerializer(Serializer):
    reason = serializers.CharField(max_length=500)
    version = serializers.IntegerField()


class ProcedureRecordInSerializer(Serializer):
    kind = serializers.ChoiceField(choices=ProcedureRecordKind.choices)
    happened_on = serializers.DateField(required=False)
    organisation = serializers.SlugRelatedField(
        slug_field="code", queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    sensitivity = serializers.ChoiceField(choices=Sensitivity.choices, default=Sensitivity.GENERAL)
    text = serializers.CharField(max_length=20_000)
    screening = serializers.IntegerField(required=False, allow_null=True)


class ProcedureRecordOutSerializer(Serializer):
    id = serializers.IntegerField(source="record.pk")
    kind = serializers.CharField(source="record.kind")
    happened_on = serializers.DateField(source="record.happened_on")
    organisation = serializers.CharField(source="record.organisation.code")
    sensitivity = serializers.CharField(source="record.sensitivity")
    text = serializers.CharField()


class DecisionInSerializer(Serializer):
    outcome = serializers.ChoiceField(choices=DecisionOutcome.choices)
    reasons = serializers.CharField(max_length=20_000)
    forms = serializers.ListField(
        child=serializers.ChoiceField(choices=ExploitationForm.choices), required=False, default=list
    )
    legal_basis = serializers.CharField(max_length=300, default=services.DEFAULT_LEGAL_BASIS)
    kind = serializers.ChoiceField(choices=DecisionKind.choices, required=False, allow_null=True)


class DecisionOutSerializer(Serializer):
    id = serializers.IntegerField(source="decision.pk")
    kind = serializers.CharField(source="decision.kind")
    outcome = serializers.CharField(source="decision.outcome")
    forms = serializers.ListField(child=serializers.CharField())
    legal_basis = serializers.CharField(source="decision.legal_basis")
    decided_at = serializers.DateTimeField(source="decision.decided_at")
    organisation = serializers.CharField(source="decision.organisation.code")
    supersedes = serializers.IntegerField(source="decision.supersedes_id", allow_null=True)
    current = serializers.BooleanField()
    reasons = serializers.CharField(allow_null=True, help_text="Only for roles entitled to read them")


class SafeguardsOutSerializer(Serializer):
    status = serializers.CharField()
    is_child = serializers.BooleanField()
    removal_barred = serializers.BooleanField()
    removal_bar_grounds = serializers.ListField(child=serializers.CharField())
    removal_barred_until = serializers.DateField(allow_null=True)
    procedure_open = serializers.BooleanField()
    reasonable_grounds_at = serializers.DateTimeField(allow_null=True)
    reflection_starts_on = serializers.DateField(allow_null=True)
    reflection_ends_on = serializers.DateField(allow_null=True)
    guardian_required = serializers.BooleanField()
    guardian_due_at = serializers.DateTimeField(allow_null=True)
    guardian_appointed_on = serializers.DateField(allow_null=True)
    guardian_overdue = serializers.BooleanField()


class AgeAssessmentInSerializer(Serializer):
    assessed_on = serializers.DateField()
    method = serializers.CharField(max_length=200)
    outcome = serializers.ChoiceField(choices=AgeOutcome.choices)


class GuardianInSerializer(Serializer):
    appointed_on = serializers.DateField()


def _safeguards(user: Any, case: Any) -> dict[str, Any]:
    bar = selectors.removal_bar(case=case)
    child = selectors.child_protection(user=user, case=case)
    period = selectors.reflection_period(case=case)
    procedure = case.procedures.filter(closed_at__isnull=True).first()
    return {
        "status": case.status,
        "is_child": case.is_child,
        "removal_barred": bar.barred,
        "removal_bar_grounds": bar.grounds,
        "removal_barred_until": bar.until,
        "procedure_open": procedure is not None,
        "reasonable_grounds_at": procedure.reasonable_grounds_at if procedure else None,
        "reflection_starts_on": period.starts_on if period else None,
        "reflection_ends_on": period.ends_on if period else None,
        "guardian_required": child.required,
        "guardian_due_at": child.due_at,
        "guardian_appointed_on": child.appointment.appointed_on if child.appointment else None,
        "guardian_overdue": child.overdue,
    }


# ---- views ---------------------------------------------------------------------------------------


class IndicatorSetListApi(PolicyAPIView):
    access = Access(scope="authenticated")
    touches_personal_data = False

    @extend_schema(responses=IndicatorSetOutSerializer(many=True), summary="Indicator sets (latest versions)")
    def get(self, request: Request) -> Response:
        return Response([_set_data(s, items=False) for s in indicators.available()])


class IndicatorSetDetailApi(PolicyAPIView):
    access = Access(scope="authenticated")
    touches_personal_data = False

    @extend_schema(responses=IndicatorSetOutSerializer, summary="One version of an indicator set, with items")
    def get(self, request: Request, set_code: str, version: str) -> Response:
        try:
            iset = indicators.get_set(set_code, version)
        except indicators.UnknownIndicatorSet:
            raise NotFound() from None
        return Response(_set_data(iset, items=True))


class CaseScreeningsApi(PolicyAPIView):
    access = Access(
        scope="case",
        perm=Perm.CASE_VIEW,
        methods=("GET", "POST"),
        method_perms=(("POST", policy.SCREENING_RECORD),),
    )
    audit_object_type = "screening"

    @extend_schema(responses=ScreeningOutSerializer(many=True), summary="Screenings of a case")
    def get(self, request: Request, code: str) -> Response:
        case = self.case
        rows = selectors.screenings(user=request.user, case=case)
        audit_record(
            actor=request.user, action="read", object_type="screening", object_id="list", case_code=case.code
        )
        return Response(ScreeningOutSerializer(rows, many=True).data)

    @extend_schema(
        request=ScreeningInSerializer,
        responses={201: ScreeningOutSerializer},
        summary="Screen a case with an indicator set (answers: yes / no / unknown per indicator id)",
    )
    def post(self, request: Request, code: str) -> Response:
        case = self.case
        ser = ScreeningInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        screening = services.screening_record(
            user=request.user,
            case=case,
            indicator_set=d["indicator_set"],
            version=d["version"],
            answers=dict(d["answers"]),
            setting=d["setting"],
            screened_on=d.get("screened_on"),
            interpreter_used=d["interpreter_used"],
        )
        return Response(ScreeningOutSerializer(screening).data, status=status.HTTP_201_CREATED)


class CaseReferralsApi(PolicyAPIView):
    access = Access(
        scope="case",
        perm=Perm.CASE_VIEW,
        methods=("GET", "POST"),
        method_perms=(("POST", policy.REFERRAL_MAKE),),
    )
    audit_object_type = "referral"

    @extend_schema(responses=ReferralOutSerializer(many=True), summary="Referrals of a case")
    def get(self, request: Request, code: str) -> Response:
        case = self.case
        return Response(
            ReferralOutSerializer(selectors.referrals(user=request.user, case=case), many=True).data
        )

    @extend_schema(
        request=ReferralInSerializer,
        responses={201: ReferralOutSerializer},
        summary="Refer a case to an organisation (it is involved at once; the response is due by the deadline)",
    )
    def post(self, request: Request, code: str) -> Response:
        case = self.case
        ser = ReferralInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        referral = services.referral_create(user=request.user, case=case, **ser.validated_data)
        return Response(ReferralOutSerializer(referral).data, status=status.HTTP_201_CREATED)


class ReferralRespondApi(PolicyAPIView):
    access = Access(scope="case", perm=Perm.CASE_VIEW, methods=("POST",))
    audit_object_type = "referral"

    @extend_schema(
        request=ReferralResponseSerializer,
        responses=ReferralOutSerializer,
        summary="Accept or decline a referral sent to your organisation (a reason is required to decline)",
    )
    def post(self, request: Request, code: str, pk: int) -> Response:
        case = self.case
        referral = selectors.referral_get(user=request.user, case=case, pk=pk)
        ser = ReferralResponseSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        services.referral_respond(
            user=request.user,
            referral=referral,
            accept=d["accept"],
            reason=d["reason"],
            expected_version=d["version"],
        )
        return Response(ReferralOutSerializer(referral).data)


class ReferralWithdrawApi(PolicyAPIView):
    access = Access(scope="case", perm=Perm.CASE_VIEW, methods=("POST",))
    audit_object_type = "referral"

    @extend_schema(
        request=ReferralWithdrawSerializer, responses=ReferralOutSerializer, summary="Withdraw a referral"
    )
    def post(self, request: Request, code: str, pk: int) -> Response:
        case = self.case
        referral = selectors.referral_get(user=request.user, case=case, pk=pk)
        ser = ReferralWithdrawSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.referral_withdraw(
            user=request.user,
            referral=referral,
            reason=ser.validated_data["reason"],
            expected_version=ser.validated_data["version"],
        )
        return Response(ReferralOutSerializer(referral).data)


class ReferralInboxApi(PolicyAPIView):
    access = Access(scope="perm", perm=Perm.CASE_VIEW)
    pagination_class = Pagination
    audit_object_type = "referral"

    @extend_schema(
        responses=ReferralOutSerializer(many=True),
        summary="Referrals awaiting your organisation's response, oldest deadline first",
    )
    def get(self, request: Request) -> Response:
        return paginate(
            request,
            self,
            selectors.referral_inbox_queryset(user=request.user),
            lambda page: ReferralOutSerializer(selectors.with_names(list(page)), many=True).data,
        )


class CaseSafeguardsApi(PolicyAPIView):
    access = Access(scope="case", perm=Perm.CASE_VIEW)
    audit_object_type = "case"

    @extend_schema(
        responses=SafeguardsOutSerializer,
        summary="Identification status and safeguards: removal bar, reflection period, guardian",
    )
    def get(self, request: Request, code: str) -> Response:
        case = self.case
        return Response(SafeguardsOutSerializer(_safeguards(request.user, case)).data)


@extend_schema(deprecated=True)
class CaseProtectionsApi(CaseSafeguardsApi):
    """The former path of the safeguards ("protections" now names the security of the person only)."""


class ProcedureApi(PolicyAPIView):
    access = Access(scope="case", perm=policy.PROCEDURE_RUN, methods=("POST",))
    audit_object_type = "procedure"

    @extend_schema(
        request=None,
        responses={201: SafeguardsOutSerializer},
        summary="Start the identification procedure (the person becomes a presumed victim)",
    )
    def post(self, request: Request, code: str) -> Response:
        case = self.case
        services.procedure_start(user=request.user, case=case)
        case = case_selectors.case_get(user=request.user, code=code)
        return Response(SafeguardsOutSerializer(_safeguards(request.user, case)).data, status=201)


class ProcedureRecordsApi(PolicyAPIView):
    access = Access(
        scope="case",
        perm=policy.PROCEDURE_RUN,
        methods=("GET", "POST"),
        method_perms=(("POST", policy.PROCEDURE_CONTRIBUTE),),
    )
    audit_object_type = "procedure_record"

    @extend_schema(responses=ProcedureRecordOutSerializer(many=True), summary="Records of the procedure")
    def get(self, request: Request, code: str) -> Response:
        case = self.case
        return Response(
            ProcedureRecordOutSerializer(
                selectors.procedure_records(user=request.user, case=case), many=True
            ).data
        )

    @extend_schema(
        request=ProcedureRecordInSerializer,
        responses={201: ProcedureRecordOutSerializer},
        summary="Add an interview, documents, indicators relied on or an opinion "
        "(other organisations in the case: their own opinion only)",
    )
    def post(self, request: Request, code: str) -> Response:
        case = self.case
        ser = ProcedureRecordInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = dict(ser.validated_data)
        screening = None
        if d.get("screening"):
            screening = case.screenings.filter(pk=d["screening"]).first()
            if screening is None:
                raise DomainError("Choose a screening of this case.", field="screening")
        record = services.procedure_record_add(
            user=request.user,
            case=case,
            kind=d["kind"],
            happened_on=d.get("happened_on"),
            organisation=d.get("organisation"),
            text=d["text"],
            sensitivity=d["sensitivity"],
            screening=screening,
        )
        return Response(
            ProcedureRecordOutSerializer({"record": record, "text": d["text"]}).data,
            status=status.HTTP_201_CREATED,
        )


class CaseDecisionsApi(PolicyAPIView):
    access = Access(
        scope="case",
        perm=Perm.CASE_VIEW,
        methods=("GET", "POST"),
        method_perms=(("POST", policy.DECISION_ISSUE),),
    )
    audit_object_type = "decision"

    @extend_schema(
        responses=DecisionOutSerializer(many=True),
        summary="Identification decisions, newest first (reasons only for roles entitled to them)",
    )
    def get(self, request: Request, code: str) -> Response:
        case = self.case
        return Response(
            DecisionOutSerializer(selectors.decisions(user=request.user, case=case), many=True).data
        )

    @extend_schema(
        request=DecisionInSerializer,
        responses={201: DecisionOutSerializer},
        summary="Issue an identification decision (a review or appeal supersedes the current one)",
    )
    def post(self, request: Request, code: str) -> Response:
        case = self.case
        ser = DecisionInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        decision = services.decision_issue(
            user=request.user,
            case=case,
            outcome=d["outcome"],
            reasons=d["reasons"],
            forms=list(d.get("forms") or []),
            legal_basis=d["legal_basis"],
            kind=d.get("kind"),
        )
        row = next(
            r for r in selectors.decisions(user=request.user, case=case) if r["decision"].pk == decision.pk
        )
        return Response(DecisionOutSerializer(row).data, status=status.HTTP_201_CREATED)


class AgeAssessmentApi(PolicyAPIView):
    access = Access(scope="case", perm=policy.AGE_ASSESS, methods=("POST",))
    audit_object_type = "age_assessment"

    @extend_schema(
        request=AgeAssessmentInSerializer, responses={201: SafeguardsOutSerializer}, summary="Age assessment"
    )
    def post(self, request: Request, code: str) -> Response:
        case = self.case
        ser = AgeAssessmentInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.age_assessment_record(user=request.user, case=case, **ser.validated_data)
        case = case_selectors.case_get(user=request.user, code=code)
        return Response(SafeguardsOutSerializer(_safeguards(request.user, case)).data, status=201)


class GuardianApi(PolicyAPIView):
    access = Access(scope="case", perm=policy.GUARDIAN_APPOINT, methods=("POST",))
    audit_object_type = "guardian_appointment"

    @extend_schema(
        request=GuardianInSerializer,
        responses={201: SafeguardsOutSerializer},
        summary="Record a guardian appointment (centre for social work)",
    )
    def post(self, request: Request, code: str) -> Response:
        case = self.case
        ser = GuardianInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.guardian_appoint(
            user=request.user, case=case, appointed_on=ser.validated_data["appointed_on"]
        )
        return Response(SafeguardsOutSerializer(_safeguards(request.user, case)).data, status=201)
