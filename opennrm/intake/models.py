"""Reports that enter the mechanism from outside it: the anonymous reports of the public.

(The first-line report and group registration create cases directly; see ``cases.services`` and
``intake.group``.)
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opennrm.cases.models import Case
from opennrm.core.models import DataKey, TrackedModel


def public_report_aad(code: str) -> str:
    """Binds a report's ciphertext to its code: it cannot be moved onto another report undetected."""
    return f"public_report:{code}"


class PublicReportHint(models.TextChoices):
    """What the member of the public thinks it is about, in plain words (not a legal qualification)."""

    SEXUAL = "sexual", _("sexual exploitation or forced prostitution")
    LABOUR = "labour", _("work under force, threats or without pay")
    BEGGING = "begging", _("forced begging")
    CRIMINALITY = "criminality", _("being forced to commit crimes")
    CHILD = "child", _("a child being exploited")
    OTHER = "other", _("something else")
    UNKNOWN = "unknown", _("I am not sure")


class PublicReportStatus(models.TextChoices):
    NEW = "new", _("new")
    IN_REVIEW = "in_review", _("in review")
    REGISTERED = "registered", _("registered as a case")
    NO_ACTION = "no_action", _("no action")


class PublicReport(TrackedModel):
    """An anonymous report filed by a member of the public on the public page, for the Centre's triage.

    Deliberately no IP address, user agent, session or account: the reporter is anonymous unless they
    choose to leave a contact, and a record that could identify them would put them at risk from the
    people they report. Throttling uses a keyed hash of the address held only in the cache for the
    throttle window, never in the database. The free text and the contact are encrypted like case notes.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    # The page's language when the report was sent: the Centre answers (if asked to) in it.
    language = models.CharField(_("language"), max_length=10)
    exploitation_hint = models.CharField(
        _("what it seems to be about"),
        max_length=12,
        choices=PublicReportHint.choices,
        default=PublicReportHint.UNKNOWN,
    )
    municipality = models.CharField(_("place"), max_length=120, blank=True)
    # Whether a contact was left (the contact itself is in the ciphertext): the queue shows it unread.
    has_contact = models.BooleanField(_("contact left"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=PublicReportStatus.choices, default=PublicReportStatus.NEW
    )
    reviewed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    # Why no action, or what was done. No names: it is shown in the queue.
    outcome_note = models.CharField(_("outcome"), max_length=300, blank=True)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="public_reports"
    )
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    ciphertext = models.BinaryField()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "-received_at"], name="public_report_queue_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="registered") | Q(case__isnull=False),
                name="public_report_registered_has_case",
            )
        ]

    def __str__(self) -> str:
        return self.code
