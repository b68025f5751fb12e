"""Base model shared by every record a person edits."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TrackedModel(models.Model):
    """created/updated by/at, and a version for optimistic locking.

    Services bump ``version`` with a conditional UPDATE (see ``opennrm.core.locking``), so two people
    editing the same record never silently overwrite each other.
    """

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class DataKey(models.Model):
    """A data-encryption key, stored wrapped (AES-GCM) by the master key from the environment."""

    wrapped = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"data key {self.pk}"


class CodeSequence(models.Model):
    """Gap-tolerant counters for pseudonymous codes (RS-2026-000123). Locked while incremented."""

    prefix = models.CharField(max_length=16)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="code_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"
