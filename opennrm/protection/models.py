"""Security of the person: risk assessments, protection measures and the staff named to know where
the person is (CETS 197 Art. 12(2), 28; Law on the Protection Programme for Participants in Criminal
Proceedings). Nothing here stores a protected witness's new identity or location: the programme's
details stay with the police unit that runs it."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opennrm.accounts.models import Organisation
from opennrm.cases.models import Case
from opennrm.core.models import ChoiceLabels, TrackedModel


class RiskLevel(models.TextChoices):
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")
    CRITICAL = "critical", _("critical")


RISK_ORDER: dict[str, int] = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2, RiskLevel.CRITICAL: 3}
# From this level on, the person's whereabouts are for the named staff of the case only.
RESTRICTED_LEVELS = (RiskLevel.HIGH, RiskLevel.CRITICAL)


class RiskFactor(models.TextChoices):
    TRAFFICKER_THREATS = "trafficker_threats", _("the traffickers have threatened the person")
    TRAFFICKERS_KNOW_LOCATION = (
        "traffickers_know_location",
        _("the traffickers know, or could find out, where the person is"),
    )
    TRAFFICKERS_AT_LARGE = "traffickers_at_large", _("the traffickers are at large")
    ORGANISED_GROUP = "organised_group", _("an organised criminal group is involved")
    FAMILY_INVOLVED = "family_involved", _("family members took part in the trafficking")
    WITNESS_ROLE = "witness_role", _("the person is, or will be, a witness")
    RISK_TO_RELATIVES = "risk_to_relatives", _("the person's relatives are at risk")
    PREVIOUS_RETRAFFICKING = "previous_retrafficking", _("the person has been trafficked before")


class FactorAnswer(models.TextChoices):
    YES = "yes", _("yes")
    NO = "no", _("no")
    UNKNOWN = "unknown", _("not known")


class RiskAssessment(TrackedModel):
    """One assessment, never edited: a reassessment is a new row and the newest one counts."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="risk_assessments")
    assessed_on = models.DateField(_("assessed on"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("assessed by")
    )
    computed_level = models.CharField(_("level from the factors"), max_length=8, choices=RiskLevel.choices)
    level = models.CharField(_("level"), max_length=8, choices=RiskLevel.choices)
    # The assessor may raise the level above the computed one (never lower it), with reasons.
    raised_reason = models.CharField(_("why the level was raised"), max_length=500, blank=True)
    reassess_by = models.DateField(_("reassess by"))
    # The newest assessment of its case (by assessed_on, then id), kept by the services
    # (protection.services.current_assessment_refresh): the queue of reassessments due reads the
    # current rows through a partial index instead of finding the newest one per case at every request.
    is_current = models.BooleanField(_("current"), default=False, editable=False)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        indexes = [
            models.Index(fields=["case", "-assessed_on", "-id"], name="risk_case_latest_idx"),
            models.Index(
                fields=["reassess_by", "id"], condition=models.Q(is_current=True), name="risk_current_due_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level} risk in {self.case_id} on {self.assessed_on}"


class RiskAnswer(ChoiceLabels):
    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="answers")
    factor = models.CharField(max_length=32, choices=RiskFactor.choices)
    answer = models.CharField(max_length=8, choices=FactorAnswer.choices)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["assessment", "factor"], name="risk_answer_unique")]

    def __str__(self) -> str:
        return f"{self.factor}={self.answer}"


class MeasureKind(models.TextChoices):
    POLICE_PROTECTION = "police_protection", _("police protection")
    RELOCATION = "relocation", _("relocation")
    ADDRESS_CONFIDENTIALITY = "address_confidentiality", _("address confidentiality")
    # Only the fact of inclusion, its date and the authority: never the programme's details.
    WITNESS_PROTECTION = "witness_protection", _("witness protection programme")
    SAFE_COMMUNICATION = "safe_communication", _("safe communication")
    OTHER = "other", _("other measure")


class ProtectionMeasure(TrackedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="protection_measures")
    kind = models.CharField(_("measure"), max_length=24, choices=MeasureKind.choices)
    responsible = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible")
    )
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=300, blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="measure_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} in {self.case_id}"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class NamedStaff(TrackedModel):
    """A user named to know where the person is while the risk is high or critical."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="named_staff")
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user"], condition=Q(ended_at__isnull=True), name="named_staff_active_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} named in {self.case_id}"


class FamilyOutcome(models.TextChoices):
    RETURN_SAFE = "return_safe", _("return to the family is in the child's best interests")
    RETURN_WITH_CONDITIONS = "return_with_conditions", _("return with conditions and close follow-up")
    RETURN_NOT_SAFE = "return_not_safe", _("return to the family is not in the child's best interests")


# Outcomes that let a child go back to the family (CETS 197 Art. 16(7)).
FAMILY_RETURN_OUTCOMES = (FamilyOutcome.RETURN_SAFE, FamilyOutcome.RETURN_WITH_CONDITIONS)


class FamilyAssessment(TrackedModel):
    """The centre for social work's assessment of the family before a child returns to it; the newest
    one counts. Families take part in the trafficking of children often enough that no child goes
    back without one."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="family_assessments")
    assessed_on = models.DateField(_("assessed on"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("assessed by")
    )
    outcome = models.CharField(_("outcome"), max_length=24, choices=FamilyOutcome.choices)

    class Meta:
        ordering = ["-assessed_on", "-id"]

    def __str__(self) -> str:
        return f"family assessment of {self.case_id}: {self.outcome}"
