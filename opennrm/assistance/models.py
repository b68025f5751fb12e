"""Needs assessments, the individual assistance plan and its services (CETS 197 Art. 12).

Assistance is unconditional (Art. 12(6)): nothing here refers to the person's cooperation with police
or prosecution, and no service step reads ``CooperationRecord``, which exists only so that the
person's stance can be recorded apart from the assistance (domain reference §1, Art. 12 system rules).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opennrm.accounts.models import Organisation
from opennrm.accounts.roles import Sensitivity
from opennrm.cases.models import Case, Involvement
from opennrm.core.models import ChoiceLabels, TrackedModel
from opennrm.identification.models import ConsentHow


class ServiceType(models.TextChoices):
    """The services of CETS 197 Art. 12(1)-(4) and the Centre's service plans."""

    SAFE_ACCOMMODATION = "safe_accommodation", _("safe accommodation")
    MEDICAL_CARE = "medical_care", _("medical care")
    PSYCHOLOGICAL_SUPPORT = "psychological_support", _("psychological support")
    PSYCHOSOCIAL_SUPPORT = "psychosocial_support", _("psychosocial support")
    LEGAL_COUNSELLING = "legal_counselling", _("legal counselling")
    LEGAL_AID = "legal_aid", _("legal aid and representation")
    INTERPRETATION = "interpretation", _("interpretation")
    MATERIAL_SUPPORT = "material_support", _("material and financial support")
    EDUCATION = "education", _("education and school continuation")
    VOCATIONAL_TRAINING = "vocational_training", _("vocational training")
    EMPLOYMENT = "employment", _("employment support")
    FAMILY_TRACING = "family_tracing", _("family tracing and reunification")
    SAFE_RETURN = "safe_return", _("safe return")


# What a service reveals about the person decides who may read it: a prosecutor does not learn that
# the person is in therapy, a school does not learn of medical care.
SERVICE_SENSITIVITY: dict[str, str] = {
    ServiceType.MEDICAL_CARE: Sensitivity.MEDICAL,
    ServiceType.PSYCHOLOGICAL_SUPPORT: Sensitivity.PSYCHOSOCIAL,
    ServiceType.PSYCHOSOCIAL_SUPPORT: Sensitivity.PSYCHOSOCIAL,
    ServiceType.LEGAL_COUNSELLING: Sensitivity.LEGAL,
    ServiceType.LEGAL_AID: Sensitivity.LEGAL,
}


def service_sensitivity(service_type: str) -> str:
    return SERVICE_SENSITIVITY.get(service_type, Sensitivity.GENERAL)


class NeedPriority(models.TextChoices):
    URGENT = "urgent", _("urgent")
    HIGH = "high", _("high")
    NORMAL = "normal", _("normal")


class NeedsAssessment(TrackedModel):
    """What the person needs, assessed with them (a new assessment is added, an old one is kept)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="needs_assessments")
    assessed_on = models.DateField(_("assessed on"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("assessed by")
    )
    with_person = models.BooleanField(_("assessed together with the person"), default=True)
    interpreter_language = models.CharField(
        _("interpreter used (language)"), max_length=20, blank=True, help_text=_("Empty if none was needed.")
    )

    if TYPE_CHECKING:
        # The needs the reader's role may read, set by ``selectors.needs_visible``.
        visible_needs: list[AssessedNeed]

    class Meta:
        ordering = ["-assessed_on", "-id"]

    def __str__(self) -> str:
        return f"needs of {self.case_id} on {self.assessed_on}"


class AssessedNeed(ChoiceLabels):
    assessment = models.ForeignKey(NeedsAssessment, on_delete=models.CASCADE, related_name="needs")
    service_type = models.CharField(_("need"), max_length=24, choices=ServiceType.choices)
    priority = models.CharField(
        _("priority"), max_length=8, choices=NeedPriority.choices, default=NeedPriority.NORMAL
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "service_type"], name="assessed_need_unique")
        ]

    def __str__(self) -> str:
        return self.service_type


class AssistancePlan(TrackedModel):
    """One individual plan per case. Every change to it raises its version; a child's guardian
    approves a version, so a plan changed after the approval is shown as awaiting approval again."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="assistance_plan")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("kept by")
    )
    opened_on = models.DateField(_("opened on"))
    # The plan is agreed with the person (services are consensual, CETS 197 Art. 12(7)).
    agreed_with_person_on = models.DateField(_("agreed with the person on"), null=True, blank=True)
    review_due_on = models.DateField(_("next review"), null=True, blank=True)
    guardian_approved_version = models.PositiveIntegerField(null=True, blank=True)
    guardian_approved_at = models.DateTimeField(_("approved by the guardian"), null=True, blank=True)
    guardian_approved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-opened_on", "-id"]

    def __str__(self) -> str:
        return f"plan of {self.case_id}"

    @property
    def guardian_approval_current(self) -> bool:
        return self.guardian_approved_version is not None and self.guardian_approved_version == self.version


class ServiceStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    ACCEPTED = "accepted", _("accepted")
    IN_PROGRESS = "in_progress", _("in progress")
    COMPLETED = "completed", _("completed")
    REFUSED_BY_PERSON = "refused_by_person", _("refused by the person")
    DECLINED_BY_PROVIDER = "declined_by_provider", _("declined by the provider")


OPEN_SERVICE_STATUSES = (ServiceStatus.REQUESTED, ServiceStatus.ACCEPTED, ServiceStatus.IN_PROGRESS)

# Which status may follow which; who may make each step is the service layer's.
SERVICE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ServiceStatus.REQUESTED: (
        ServiceStatus.ACCEPTED,
        ServiceStatus.DECLINED_BY_PROVIDER,
        ServiceStatus.REFUSED_BY_PERSON,
    ),
    ServiceStatus.ACCEPTED: (
        ServiceStatus.IN_PROGRESS,
        ServiceStatus.DECLINED_BY_PROVIDER,
        ServiceStatus.REFUSED_BY_PERSON,
    ),
    ServiceStatus.IN_PROGRESS: (
        ServiceStatus.COMPLETED,
        ServiceStatus.DECLINED_BY_PROVIDER,
        ServiceStatus.REFUSED_BY_PERSON,
    ),
}


class DeclineReason(models.TextChoices):
    """Why a provider declines or stops a service. NON_COOPERATION is offered so that it is said out
    loud and counted: conditioning assistance on cooperation is a violation (CETS 197 Art. 12(6))."""

    NO_CAPACITY = "no_capacity", _("no capacity now")
    NOT_IN_MANDATE = "not_in_mandate", _("not within our mandate")
    NOT_ELIGIBLE = "not_eligible", _("the person does not meet our admission criteria")
    SAFETY = "safety", _("safety of the person or staff")
    NON_COOPERATION = (
        "non_cooperation",
        _("the person does not cooperate with police or prosecution"),
    )
    OTHER = "other", _("other")


class DataConsent(models.TextChoices):
    """What the person agreed the provider may receive about them."""

    # The provider joins the case (an involvement) and reads what its role allows.
    CASE_FILE = "case_file", _("the case file, as the provider's role allows")
    # The provider receives only the request: case code, service, dates, language needs.
    REQUEST_ONLY = "request_only", _("only the service request, under the case code")


class AssistanceService(TrackedModel):
    """One service of the plan, from one provider, moving requested -> accepted -> in progress ->
    completed, or ending refused by the person / declined by the provider (with a reason)."""

    plan = models.ForeignKey(AssistancePlan, on_delete=models.CASCADE, related_name="services")
    # Denormalised from the plan: every access question starts from the case.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assistance_services")
    service_type = models.CharField(_("service"), max_length=24, choices=ServiceType.choices)
    sensitivity = models.CharField(max_length=16, choices=Sensitivity.choices, default=Sensitivity.GENERAL)
    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="services_provided", verbose_name=_("provider")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.REQUESTED
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    requested_on = models.DateField(_("requested on"))
    planned_from = models.DateField(_("planned from"))
    planned_until = models.DateField(_("planned until"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    data_consent = models.CharField(
        _("the person agreed to share"), max_length=16, choices=DataConsent.choices
    )
    consent_how = models.CharField(_("consent given"), max_length=20, choices=ConsentHow.choices)
    consent_on = models.DateField(_("consent date"))
    consent_withdrawn_on = models.DateField(_("consent withdrawn on"), null=True, blank=True)
    interpreter_language = models.CharField(_("interpreter needed (language)"), max_length=20, blank=True)
    decline_reason = models.CharField(
        _("reason category"), max_length=16, choices=DeclineReason.choices, blank=True
    )
    # Why it was refused or declined. No names: the coordinator and the provider both read it.
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    # A refusal or decline whose stated reason is the person's non-cooperation with the authorities.
    non_cooperation_flag = models.BooleanField(_("conditioned on cooperation"), default=False)
    # The involvement this service granted (CASE_FILE consent only).
    involvement = models.ForeignKey(
        Involvement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["planned_from", "id"]
        indexes = [
            models.Index(fields=["provider", "status", "planned_from"], name="service_provider_idx"),
            models.Index(fields=["case", "status"], name="service_case_idx"),
            # The provider's inbox in its order, open requests only: the home page and the inbox read
            # the first rows without sorting all of a provider's services.
            models.Index(
                fields=["provider", "-urgent", "planned_from", "id"],
                condition=Q(status__in=OPEN_SERVICE_STATUSES),
                name="service_provider_open_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_until__isnull=True) | Q(planned_until__gte=models.F("planned_from")),
                name="service_plan_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=models.F("started_on")),
                name="service_period_ordered",
            ),
            # A refusal or decline always carries its reason.
            models.CheckConstraint(
                condition=~Q(status__in=["refused_by_person", "declined_by_provider"]) | ~Q(reason=""),
                name="service_end_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_type} for {self.case_id} by {self.provider_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_SERVICE_STATUSES

    def next_statuses(self) -> tuple[str, ...]:
        return SERVICE_TRANSITIONS.get(self.status, ())

    def steps_for(self, *, provider: bool, coordinator: bool) -> tuple[str, ...]:
        """The next statuses this party may record: the person's refusal is the coordinator's, every
        other step the provider's."""
        return tuple(
            s
            for s in self.next_statuses()
            if (coordinator if s == ServiceStatus.REFUSED_BY_PERSON else provider)
        )

    def answerable_by(self, user: Any) -> bool:
        """The provider moves its own service on (case visibility is not needed for that)."""
        return self.is_open and self.provider_id == user.organisation_id


class CooperationStance(models.TextChoices):
    WILLING = "willing", _("willing to give a statement")
    UNDECIDED = "undecided", _("has not decided (reflection)")
    DECLINES = "declines", _("declines to give a statement")


class CooperationRecord(TrackedModel):
    """The person's stance towards cooperating with police or prosecution, recorded apart from the
    assistance. Nothing in the assistance reads it (CETS 197 Art. 12(6)); a test proves that."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="cooperation_records")
    stance = models.CharField(_("stance"), max_length=12, choices=CooperationStance.choices)
    recorded_on = models.DateField(_("date"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        ordering = ["-recorded_on", "-id"]

    def __str__(self) -> str:
        return f"{self.stance} in {self.case_id}"


# --- Reintegration, follow-up and closure -------------------------------------------------------


class ReintegrationPlan(TrackedModel):
    """Contacts with the person at set intervals after the intensive assistance, so that nobody is
    forgotten once the case goes quiet."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="reintegration_plan")
    started_on = models.DateField(_("from"))
    until_on = models.DateField(_("until"))
    interval_days = models.PositiveSmallIntegerField(_("contact every (days)"))
    follow_up_by = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("followed up by")
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(until_on__gt=models.F("started_on")), name="reintegration_period"
            ),
            models.CheckConstraint(
                condition=Q(interval_days__gte=7) & Q(interval_days__lte=180), name="reintegration_interval"
            ),
        ]

    def __str__(self) -> str:
        return f"reintegration of {self.case_id}"


class FollowUpOutcome(models.TextChoices):
    WELL = "well", _("reached: doing well")
    CONCERNS = "concerns", _("reached: concerns")
    NOT_REACHED = "not_reached", _("not reached")


class FollowUpMethod(models.TextChoices):
    VISIT = "visit", _("home visit")
    MEETING = "meeting", _("meeting")
    PHONE = "phone", _("phone call")
    OTHER = "other", _("other")


class FollowUp(TrackedModel):
    plan = models.ForeignKey(ReintegrationPlan, on_delete=models.CASCADE, related_name="follow_ups")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    due_on = models.DateField(_("due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    method = models.CharField(_("how"), max_length=8, choices=FollowUpMethod.choices, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=FollowUpOutcome.choices, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["done_on", "due_on"], name="follow_up_due_idx"),
            # Follow-ups not done, in due order: the overdue list reads its first rows.
            models.Index(
                fields=["due_on", "id"], condition=Q(done_on__isnull=True), name="follow_up_open_due_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"follow-up of {self.case_id} due {self.due_on}"

    @property
    def is_done(self) -> bool:
        return self.done_on is not None


class ClosureReason(models.TextChoices):
    REINTEGRATED = "reintegrated", _("reintegrated: the goals of the plan were reached")
    RETURNED = "returned", _("returned home and handed over to the services there")
    MOVED = "moved", _("moved away: followed by another mechanism")
    NOT_IDENTIFIED = "not_identified", _("not identified as a victim: referred to other services")
    NO_GROUNDS = "no_grounds", _("no grounds for identification")
    DECLINED_ASSISTANCE = "declined_assistance", _("the person declined further assistance")
    LOST_CONTACT = "lost_contact", _("contact lost despite follow-up")
    DIED = "died", _("the person died")
    OTHER = "other", _("other")


class ClosureStatus(models.TextChoices):
    REQUESTED = "requested", _("awaiting review")
    APPROVED = "approved", _("approved: case closed")
    REJECTED = "rejected", _("not approved")
    REOPENED = "reopened", _("closed, then reopened")


class CaseClosure(TrackedModel):
    """A request to close a case, reviewed by a supervisor (four eyes); its reopening, if any."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="closures")
    reason = models.CharField(_("reason"), max_length=20, choices=ClosureReason.choices)
    # Why, in words. No names: the reviewer and later readers of the case see it.
    explanation = models.CharField(_("explanation"), max_length=1000)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=ClosureStatus.choices, default=ClosureStatus.REQUESTED
    )
    # The status the case had when closure was requested: a reopened case goes back near it.
    previous_status = models.CharField(max_length=20)
    reviewed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.CharField(_("reviewer's note"), max_length=500, blank=True)
    reopened_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reopened_at = models.DateTimeField(_("reopened"), null=True, blank=True)
    reopen_reason = models.CharField(_("why it was reopened"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # The closures awaiting review, oldest first (the head's queue).
        indexes = [
            models.Index(
                fields=["created_at", "id"], condition=Q(status="requested"), name="closure_requested_idx"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="requested"), name="closure_one_pending_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"closure of {self.case_id}: {self.status}"

    def reviewable_by(self, user: Any) -> bool:
        """Four eyes: a pending closure is reviewed by someone other than who asked (the role and the
        case are the policy's, CLOSURE_REVIEW)."""
        return self.status == ClosureStatus.REQUESTED and self.created_by_id != user.pk
