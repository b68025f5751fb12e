"""In-app notifications. A notification points at a case by its pseudonymous code only: the page and
the email never carry a name, and the case page does its own need-to-know check when followed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        # The composite indexes below start with the recipient; a separate one would only slow writes.
        db_index=False,
        verbose_name=_("recipient"),
    )
    # The organisation on whose behalf the recipient was told (users can move between organisations).
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    kind = models.CharField(_("kind"), max_length=40)
    # Pseudonymous case code only, never a name.
    case_code = models.CharField(_("case code"), max_length=32, blank=True)
    # Only codes, organisation names, dates and status values: NEVER personal data.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The unread badge on every page: recipient + read_at IS NULL.
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notif_recipient_unread_idx"),
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None
