"""The append-only, hash-chained audit log.

Audit depends on no other OpenNRM app: actors and objects are stored by id and label, never by
foreign key, so that no delete elsewhere can cascade into history.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from opennrm.core.models import ChoiceLabels


class AuditAction(models.TextChoices):
    READ = "read", _("read")
    CREATE = "create", _("create")
    UPDATE = "update", _("update")
    DELETE = "delete", _("delete")
    EXPORT = "export", _("export")
    SEARCH = "search", _("search")
    LOGIN = "login", _("login")
    LOGIN_FAILED = "login_failed", _("login failed")
    LOGOUT = "logout", _("logout")
    PERMISSION_CHANGE = "permission_change", _("permission change")
    DENIED = "denied", _("access denied")
    REJECTED = "rejected", _("rejected input")
    KEY_ROTATION = "key_rotation", _("key rotation")
    APPROVE = "approve", _("approval")
    # A rule set aside on someone's written reasons (a placement into a full or unfit facility).
    OVERRIDE = "override", _("override of a rule")
    # A service refused because the person does not cooperate with the authorities (CETS 197 Art. 12(6)).
    ASSISTANCE_CONDITIONED = "assistance_conditioned", _("assistance conditioned on cooperation")


class AuditEvent(ChoiceLabels):
    # Entries form one chain per writer stream: (stream, seq) is gap-free and each entry carries the
    # MAC of the previous entry of its stream. Several streams let concurrent requests append without
    # queueing on a single lock.
    stream = models.PositiveSmallIntegerField()
    seq = models.PositiveBigIntegerField()
    at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_organisation_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    case_code = models.CharField(max_length=32, blank=True, db_index=True)
    channel = models.CharField(max_length=16, blank=True)
    ip = models.CharField(max_length=64, blank=True)
    # Field names, counts and reasons; never the personal data itself.
    detail = models.JSONField(default=dict, blank=True)
    prev_mac = models.CharField(max_length=64)
    mac = models.CharField(max_length=64)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["stream", "seq"], name="audit_stream_seq_unique")]
        indexes = [
            models.Index(fields=["actor_id", "-at"], name="audit_actor_at_idx"),
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """The last entry of each stream. Locked (SELECT ... FOR UPDATE) while appending."""

    stream = models.PositiveSmallIntegerField(primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    mac = models.CharField(max_length=64, default="")

    def __str__(self) -> str:
        return f"stream {self.stream} at {self.seq}"
