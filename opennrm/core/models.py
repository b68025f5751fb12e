"""Base model shared by every record a person edits."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

_LABELS: dict[models.Field, dict[Any, Any]] = {}


class ChoiceLabels(models.Model):
    """``get_FOO_display()`` that translates only the label it shows.

    Django builds ``dict(make_hashable(field.flatchoices))`` at every call, and hashing a lazy label
    translates it: a field of twenty choices costs twenty translations per label shown (about 1,200 on
    a home page). Here each field's labels are kept once, by value, and stay lazy until shown."""

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field: models.Field) -> Any:
        labels = _LABELS.get(field)
        if labels is None:
            labels = _LABELS[field] = dict(field.flatchoices)  # values are plain strings and numbers
        value = getattr(self, field.attname)
        return force_str(labels.get(value, value), strings_only=True)


class TrackedModel(ChoiceLabels):
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


class DeadlineUnit(models.TextChoices):
    HOURS = "hours", _("hours")
    DAYS = "days", _("days")


class DeadlineRule(ChoiceLabels):
    """Every time limit of the mechanism in one table, per country, with its legal basis.

    A rule that says "within 24 hours" or "90 days" is configured here, never hard-coded where it is
    used, because it differs between countries and changes with the law.
    """

    country = models.CharField(_("country"), max_length=2)
    code = models.SlugField(_("code"), max_length=40)
    amount = models.PositiveIntegerField(_("length"))
    unit = models.CharField(_("unit"), max_length=8, choices=DeadlineUnit.choices)
    # A floor set by a treaty: the reflection period can never be configured below CETS 197's 30 days.
    minimum = models.PositiveIntegerField(_("minimum"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["country", "code"]
        constraints = [
            models.UniqueConstraint(fields=["country", "code"], name="deadline_rule_unique"),
            models.CheckConstraint(
                condition=models.Q(minimum__isnull=True) | models.Q(amount__gte=models.F("minimum")),
                name="deadline_rule_not_below_minimum",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country} {self.code}: {self.amount} {self.unit}"
