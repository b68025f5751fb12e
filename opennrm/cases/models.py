"""Incidents, cases, involvements (the one source of need-to-know), notes, documents, timeline, tasks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opennrm.accounts.models import Organisation
from opennrm.accounts.roles import Sensitivity
from opennrm.core.models import ChoiceLabels, DataKey, TrackedModel
from opennrm.lib.country import home_country
from opennrm.people.models import Person


class ExploitationForm(models.TextChoices):
    """Criminal Code Art. 388(1) purposes, plus forced marriage as recorded in Serbian practice."""

    SEXUAL = "sexual", _("prostitution or other sexual exploitation")
    LABOUR = "labour", _("labour exploitation")
    FORCED_LABOUR = "forced_labour", _("forced labour")
    CRIMINALITY = "criminality", _("forced criminality")
    BEGGING = "begging", _("begging")
    PORNOGRAPHY = "pornography", _("pornography")
    SLAVERY = "slavery", _("slavery or similar relationship")
    ORGANS = "organs", _("removal of organs")
    ARMED_CONFLICT = "armed_conflict", _("use in armed conflict")
    FORCED_MARRIAGE = "forced_marriage", _("forced marriage")
    UNKNOWN = "unknown", _("not yet known")


class Incident(TrackedModel):
    """A trafficking situation. One incident may concern many persons (a group case)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    title = models.CharField(
        _("short description"),
        max_length=200,
        help_text=_("No names: this is shown wherever the incident is listed."),
    )
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(_("to"), null=True, blank=True)
    municipality = models.CharField(_("place"), max_length=120, blank=True)
    country_of_exploitation = models.CharField(
        _("country of exploitation"), max_length=2, default=home_country
    )
    transnational = models.BooleanField(_("transnational"), default=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by")
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(started_on__isnull=True)
                | Q(ended_on__isnull=True)
                | Q(started_on__lte=models.F("ended_on")),
                name="incident_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def forms(self) -> list[str]:
        return [f.form for f in self.exploitation_forms.all()]


class IncidentForm(ChoiceLabels):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="exploitation_forms")
    form = models.CharField(max_length=20, choices=ExploitationForm.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "form"], name="incident_form_unique")]

    def __str__(self) -> str:
        return self.form


class IncidentSuspect(TrackedModel):
    """A suspect under a label (Suspect A), not a name: justice proceedings hold the identities."""

    class ProcessRole(models.TextChoices):
        RECRUITER = "recruiter", _("recruiter")
        TRANSPORTER = "transporter", _("transporter")
        EXPLOITER = "exploiter", _("exploiter")
        USER = "user", _("user of services")
        OTHER = "other", _("other")
        UNKNOWN = "unknown", _("unknown")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="suspects")
    label = models.CharField(_("label"), max_length=60)
    role_in_process = models.CharField(
        _("role"), max_length=20, choices=ProcessRole.choices, default=ProcessRole.UNKNOWN
    )
    is_legal_person = models.BooleanField(_("company or other legal person"), default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.label


class CaseStatus(models.TextChoices):
    """reported -> screening -> referred -> presumed victim -> identified / not identified -> assisted -> closed."""

    REPORTED = "reported", _("reported")
    SCREENING = "screening", _("screening")
    REFERRED = "referred", _("referred")
    PRESUMED_VICTIM = "presumed_victim", _("presumed victim")
    IDENTIFIED = "identified", _("identified as a victim")
    NOT_IDENTIFIED = "not_identified", _("not identified")
    ASSISTED = "assisted", _("assisted")
    CLOSED = "closed", _("closed")


class ReferralSource(models.TextChoices):
    """The US TIP report counts referrals by these institution types."""

    LAW_ENFORCEMENT = "law_enforcement", _("law enforcement")
    SOCIAL_WELFARE = "social_welfare", _("social welfare")
    OTHER_GOVERNMENT = "other_government", _("other government body")
    NGO_IO = "ngo_io", _("NGO or international organisation")
    SELF_REFERRAL = "self_referral", _("self-referral")
    PRIVATE_CITIZEN = "private_citizen", _("private citizen")
    FOREIGN_AUTHORITY = "foreign_authority", _("foreign authority")


class Case(TrackedModel):
    """One person's path through the NRM for one incident."""

    code = models.CharField(_("case code"), max_length=32, unique=True)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.REPORTED
    )
    status_changed_at = models.DateTimeField(_("status since"), default=timezone.now)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    opened_by_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    referral_source = models.CharField(_("referral source"), max_length=20, choices=ReferralSource.choices)
    # Age at registration is a real column because the child workflow and statistics depend on it.
    is_child = models.BooleanField(_("child"), default=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    if TYPE_CHECKING:
        # The parts read by ``sheet.load`` in this request; absent when the sheet was not read.
        _sheet: dict[str, list[models.Model]]

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "incident"], name="case_person_incident_unique")
        ]
        indexes = [
            models.Index(fields=["status", "-opened_at"], name="case_status_opened_idx"),
            models.Index(fields=["-opened_at", "-id"], name="case_opened_idx"),
        ]

    def __str__(self) -> str:
        return self.code


class InvolvementRole(models.TextChoices):
    REPORTER = "reporter", _("reporting organisation")
    IDENTIFYING_BODY = "identifying_body", _("identifying body")
    CASE_COORDINATION = "case_coordination", _("case coordination")
    GUARDIAN = "guardian", _("guardian")
    SERVICE_PROVIDER = "service_provider", _("service provider")
    SHELTER = "shelter", _("shelter")
    INVESTIGATING_POLICE = "investigating_police", _("investigating police")
    PROSECUTOR = "prosecutor", _("prosecutor")
    COURT = "court", _("court")
    LABOUR_INSPECTION = "labour_inspection", _("labour inspection")
    HEALTH = "health", _("health care")
    FOREIGN_AUTHORITY = "foreign_authority", _("foreign authority")


class InvolvementQuerySet(models.QuerySet):
    def active(self, at=None):
        at = at or timezone.now()
        return self.filter(Q(started_at__lte=at), Q(ended_at__isnull=True) | Q(ended_at__gt=at))


class Involvement(TrackedModel):
    """Organisation X has role R in case C from A to B: the only source of need-to-know."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="involvements")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="involvements")
    role = models.CharField(_("role"), max_length=24, choices=InvolvementRole.choices)
    started_at = models.DateTimeField(_("from"), default=timezone.now)
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=300, blank=True)
    # What the involvement itself tells: a psychiatric clinic providing therapy tells of therapy. Readers
    # of the case who may not read that class do not see the involvement listed.
    sensitivity = models.CharField(max_length=16, choices=Sensitivity.choices, default=Sensitivity.GENERAL)

    objects = InvolvementQuerySet.as_manager()

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [
            # Covering the active window: every access probe (is the organisation involved in this
            # case now?) and the open-case count read the index alone, never the table.
            models.Index(
                fields=["organisation", "case"],
                include=["started_at", "ended_at"],
                name="involvement_org_active_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="involvement_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} as {self.role} in {self.case}"

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.started_at <= now and (self.ended_at is None or self.ended_at > now)


def note_aad(case_code: str) -> str:
    """Binds a note's ciphertext to its case: it cannot be moved to another case undetected."""
    return f"note:{case_code}"


def document_aad(case_code: str) -> str:
    return f"document:{case_code}"


class CaseNote(TrackedModel):
    """A note with a sensitivity class. The text is encrypted at rest like identity data."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    sensitivity = models.CharField(
        _("sensitivity"), max_length=16, choices=Sensitivity.choices, default=Sensitivity.GENERAL
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    ciphertext = models.BinaryField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["case", "sensitivity"], name="note_case_sensitivity_idx")]

    def __str__(self) -> str:
        return f"note {self.pk} ({self.sensitivity})"


class CaseDocument(TrackedModel):
    """An uploaded document, encrypted in the database (no plaintext file on disk)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    sensitivity = models.CharField(
        _("sensitivity"), max_length=16, choices=Sensitivity.choices, default=Sensitivity.GENERAL
    )
    title = models.CharField(_("title"), max_length=200)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    ciphertext = models.BinaryField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


# A timeline parameter that marks an event naming where the person is (the shelter's operator): the
# organisation is shown as withheld to users who may not know the whereabouts.
WHEREABOUTS_PARAM = "whereabouts"


class TimelineEvent(ChoiceLabels):
    """What happened in a case and who did it. Written by services, never edited."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=40)
    # Parameters for the translated sentence; never free text with personal data.
    params = models.JSONField(default=dict, blank=True)
    # An event about content of a sensitivity class is shown only to roles that may read that class.
    sensitivity = models.CharField(max_length=16, choices=Sensitivity.choices, default=Sensitivity.GENERAL)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["case", "-at"], name="timeline_case_at_idx"),
            models.Index(fields=["-at", "-id"], name="timeline_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class CaseTask(TrackedModel):
    """A task due in a case, for an organisation (and optionally a named user of it)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=200)
    due_at = models.DateTimeField(_("due"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="tasks")
    assignee = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["organisation", "done_at", "due_at"], name="task_org_due_idx"),
            # The organisation's open tasks in the home page's order (due, then id): read in order, no sort.
            models.Index(
                fields=["organisation", "due_at", "id"],
                condition=Q(done_at__isnull=True),
                name="task_org_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_at < timezone.now()

    def completable_by(self, user: Any) -> bool:
        """A task is done by the organisation it was given to (case visibility is checked by the caller)."""
        return self.done_at is None and self.organisation_id == user.organisation_id
