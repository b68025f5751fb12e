"""Screening, referrals, the identification procedure and its decisions, and the safeguards they trigger.

Real columns for everything the rules and the statistics read (recommendation, referral status and
deadline, decision outcome and forms, reflection period dates); encrypted blobs for free text about a
person (procedure records, decision reasons).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opennrm.accounts.models import Organisation
from opennrm.accounts.roles import Sensitivity
from opennrm.cases.models import Case, ExploitationForm, Involvement
from opennrm.core.models import ChoiceLabels, DataKey, TrackedModel


class Recommendation(models.TextChoices):
    REFER = "refer", _("refer now")
    GATHER_MORE = "gather_more", _("gather more information")
    NO_INDICATION = "no_indication", _("no indication of trafficking")


class ScreeningSetting(models.TextChoices):
    INTERVIEW = "interview", _("interview")
    WORKPLACE_INSPECTION = "workplace_inspection", _("workplace inspection")
    FIELD_VISIT = "field_visit", _("field or outreach visit")
    BORDER = "border", _("border or migration procedure")
    HOTLINE = "hotline", _("hotline call")
    SCHOOL = "school", _("school")
    HEALTH = "health", _("health care")
    DOCUMENT_REVIEW = "document_review", _("documents only")
    OTHER = "other", _("other")


class Answer(models.TextChoices):
    YES = "yes", _("yes")
    NO = "no", _("no")
    # "Unknown" is not "no": an indicator nobody asked about is not evidence of its absence.
    UNKNOWN = "unknown", _("not known")


class Screening(TrackedModel):
    """One run of an indicator checklist for one case, against one version of one indicator set."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="screenings")
    indicator_set = models.CharField(_("indicator set"), max_length=40)
    indicator_version = models.CharField(_("version"), max_length=20)
    setting = models.CharField(_("setting"), max_length=24, choices=ScreeningSetting.choices)
    screened_on = models.DateField(_("date"))
    interpreter_used = models.BooleanField(_("interpreter used"), default=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # Evaluated at the time of the screening with the child rule or the adult rule.
    as_child = models.BooleanField(_("screened as a child"), default=False)
    recommendation = models.CharField(_("recommendation"), max_length=16, choices=Recommendation.choices)
    # The evaluation as computed (met indicators, positive dimensions, reasons), kept as it was.
    result = models.JSONField(default=dict)

    class Meta:
        ordering = ["-screened_on", "-id"]
        indexes = [models.Index(fields=["case", "-screened_on"], name="screening_case_idx")]

    def __str__(self) -> str:
        return f"{self.indicator_set}@{self.indicator_version} for {self.case_id}"


class ScreeningAnswer(ChoiceLabels):
    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="answers")
    indicator = models.CharField(max_length=20)
    answer = models.CharField(max_length=8, choices=Answer.choices)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["screening", "indicator"], name="screening_answer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.indicator}={self.answer}"


class ReferralPurpose(models.TextChoices):
    IDENTIFICATION = "identification", _("identification")
    INVESTIGATION = "investigation", _("criminal investigation")
    PROSECUTION = "prosecution", _("prosecution")
    GUARDIANSHIP = "guardianship", _("guardianship and child protection")
    ASSISTANCE = "assistance", _("assistance and support")
    SHELTER = "shelter", _("accommodation")
    HEALTH = "health", _("health care")
    RETURN = "return", _("return and reintegration")


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("awaiting response")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Referral(TrackedModel):
    """Organisation A asks organisation B to take a part in a case, by a deadline.

    The receiving organisation is involved from the moment of referral (it must see the case to
    decide); declining or withdrawal ends the involvement that the referral granted.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    from_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_made", verbose_name=_("from")
    )
    to_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_received", verbose_name=_("to")
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=ReferralPurpose.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.PENDING
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    due_at = models.DateTimeField(_("response due"))
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)
    responded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Why it was declined or withdrawn. No names: the referring organisation reads this.
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    # The involvement this referral granted (None when the organisation was already involved).
    involvement = models.ForeignKey(
        Involvement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Persons referred together (a group case) share a batch code.
    batch = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["to_organisation", "status", "due_at"], name="referral_inbox_idx"),
            models.Index(fields=["status", "due_at"], name="referral_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_organisation=models.F("to_organisation")), name="referral_not_to_self"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.purpose} to {self.to_organisation_id}"

    @property
    def is_overdue(self) -> bool:
        return self.status == ReferralStatus.PENDING and self.due_at < timezone.now()

    def respondable_by(self, user: Any) -> bool:
        """Only the organisation the referral was sent to answers it, once (case visibility is the caller's)."""
        return self.status == ReferralStatus.PENDING and self.to_organisation_id == user.organisation_id

    def withdrawable_by(self, user: Any) -> bool:
        return self.status == ReferralStatus.PENDING and self.from_organisation_id == user.organisation_id


def procedure_record_aad(case_code: str) -> str:
    return f"procedure:{case_code}"


def decision_aad(case_code: str) -> str:
    return f"decision:{case_code}"


class ProcedureRecordKind(models.TextChoices):
    INTERVIEW = "interview", _("interview")
    DOCUMENT = "document", _("documents examined")
    INDICATORS = "indicators", _("indicators relied on")
    OPINION = "opinion", _("opinion of another organisation")
    OTHER = "other", _("other step")


class IdentificationProcedure(TrackedModel):
    """The Centre's identification procedure in one case. While it runs the person is a presumed victim
    (reasonable grounds, CETS 197 Art. 10(2)) with every assistance right and no removal."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="procedures")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    # The reasonable-grounds date: safeguards run from here.
    reasonable_grounds_at = models.DateTimeField(_("reasonable grounds from"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(closed_at__isnull=True), name="one_open_procedure_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"procedure {self.pk} in {self.case_id}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class ProcedureRecord(TrackedModel):
    """A step of the procedure: an interview, documents, indicators relied on, another body's opinion."""

    procedure = models.ForeignKey(IdentificationProcedure, on_delete=models.CASCADE, related_name="records")
    kind = models.CharField(_("kind"), max_length=12, choices=ProcedureRecordKind.choices)
    happened_on = models.DateField(_("date"))
    # Whose opinion (for opinions) or who took part; must be involved in the case.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    screening = models.ForeignKey(
        Screening, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sensitivity = models.CharField(
        _("sensitivity"), max_length=16, choices=Sensitivity.choices, default=Sensitivity.GENERAL
    )
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    ciphertext = models.BinaryField()

    class Meta:
        ordering = ["happened_on", "id"]

    def __str__(self) -> str:
        return f"{self.kind} in procedure {self.procedure_id}"


class DecisionOutcome(models.TextChoices):
    IDENTIFIED = "identified", _("identified as a victim")
    NOT_IDENTIFIED = "not_identified", _("not identified")


class DecisionKind(models.TextChoices):
    INITIAL = "initial", _("first decision")
    REVIEW = "review", _("review")
    APPEAL = "appeal", _("decision on appeal")


class IdentificationDecision(ChoiceLabels):
    """A formal, reasoned identification decision. Never edited: a database trigger refuses UPDATE and
    DELETE. A review or appeal decision supersedes it; the history stays."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    procedure = models.ForeignKey(
        IdentificationProcedure, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=DecisionKind.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=DecisionOutcome.choices)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)
    decided_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    # The written reasons, encrypted: they describe what happened to the person.
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    ciphertext = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["outcome", "decided_at"], name="decision_outcome_idx")]

    def __str__(self) -> str:
        return f"{self.outcome} ({self.kind}) in {self.case_id}"


class DecisionForm(ChoiceLabels):
    """The forms of exploitation a decision found (Criminal Code Art. 388(1)); statistics count these."""

    decision = models.ForeignKey(IdentificationDecision, on_delete=models.PROTECT, related_name="forms")
    form = models.CharField(max_length=20, choices=ExploitationForm.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["decision", "form"], name="decision_form_unique")]

    def __str__(self) -> str:
        return self.form


class ReflectionPeriod(TrackedModel):
    """Recovery and reflection period of a foreign presumed victim (CETS 197 Art. 13): no removal while
    it runs."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="reflection_period")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("last day"))
    days = models.PositiveIntegerField(_("days"))
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    alert_sent_at = models.DateTimeField(null=True, blank=True)
    ended_early_on = models.DateField(_("ended early on"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending early"), max_length=300, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="reflection_ordered")
        ]

    def __str__(self) -> str:
        return f"{self.starts_on}..{self.ends_on} in {self.case_id}"


class AgeOutcome(models.TextChoices):
    CHILD = "child", _("under 18")
    ADULT = "adult", _("18 or over")
    UNDETERMINED = "undetermined", _("could not be determined")


class AgeAssessment(TrackedModel):
    """CETS 197 Art. 10(3): a person who may be a child is treated as one until this says otherwise.
    An undetermined outcome keeps the presumption."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="age_assessments")
    assessed_on = models.DateField(_("date"))
    method = models.CharField(_("method"), max_length=200)
    outcome = models.CharField(_("outcome"), max_length=12, choices=AgeOutcome.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-assessed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.outcome} on {self.assessed_on}"


class GuardianAppointment(TrackedModel):
    """The centre for social work appointed a guardian for a child (CETS 197 Art. 10(4)).

    The guardian is a professional; only the appointing organisation and date are recorded here."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="guardian_appointments")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("centre for social work")
    )
    appointed_on = models.DateField(_("appointed on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        ordering = ["-appointed_on", "-id"]

    def __str__(self) -> str:
        return f"guardian from {self.appointed_on} in {self.case_id}"


# --- Anonymous public reports ------------------------------------------------------------------


# --- Transnational cases, consent, embassy contacts --------------------------------------------


class TransnationalReferral(TrackedModel):
    """A case referred from abroad: typically a citizen identified as a victim in another country
    (CETS 197 Art. 16) and referred by that country's authority or an international organisation."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="transnational")
    foreign_authority = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("foreign authority")
    )
    country = models.CharField(_("country"), max_length=2)
    identified_abroad = models.BooleanField(_("identified as a victim abroad"), default=False)
    identified_on = models.DateField(_("identified on"), null=True, blank=True)
    return_planned = models.BooleanField(_("return planned"), default=False)

    def __str__(self) -> str:
        return f"{self.case_id} from {self.country}"


class ConsentPurpose(models.TextChoices):
    EMBASSY_CONTACT = "embassy_contact", _("contacting the embassy")
    DATA_SHARING_FOREIGN_AUTHORITY = (
        "data_sharing_foreign_authority",
        _("sharing data with a foreign authority"),
    )
    FAMILY_TRACING = "family_tracing", _("family tracing")
    OTHER = "other", _("other")


class ConsentHow(models.TextChoices):
    WRITTEN = "written", _("in writing")
    ORAL_WITH_WITNESS = "oral_with_witness", _("orally, with a witness")
    THROUGH_GUARDIAN = "through_guardian", _("through the guardian")


class Consent(TrackedModel):
    """The person's answer for one purpose, given or refused (a refusal is recorded too), revocable.

    Assistance never depends on any of these (CETS 197 Art. 12(6))."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=32, choices=ConsentPurpose.choices)
    given = models.BooleanField(_("consent given"))
    recorded_on = models.DateField(_("date"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    how = models.CharField(_("how"), max_length=20, choices=ConsentHow.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        ordering = ["-recorded_on", "-id"]
        constraints = [
            # Only a consent that was given can be withdrawn, and not before it was given.
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True)
                | (Q(given=True) & Q(withdrawn_on__gte=models.F("recorded_on"))),
                name="consent_withdrawal_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose}={'yes' if self.given else 'no'} in {self.case_id}"

    @property
    def is_valid(self) -> bool:
        return self.given and self.withdrawn_on is None


class EmbassyContact(TrackedModel):
    """The embassy of a foreign victim was contacted, on the strength of a recorded consent."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="embassy_contacts")
    embassy = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("embassy")
    )
    contacted_on = models.DateField(_("contacted on"))
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="embassy_contacts")
    # What was asked (travel documents, verification of nationality). No names.
    purpose = models.CharField(_("purpose"), max_length=200)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("contacted by")
    )

    class Meta:
        ordering = ["-contacted_on", "-id"]

    def __str__(self) -> str:
        return f"{self.embassy_id} on {self.contacted_on} in {self.case_id}"
