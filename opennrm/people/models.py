"""A person of concern, under a pseudonymous code. Identity lives apart, encrypted (the vault)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opennrm.core.models import ChoiceLabels, DataKey, TrackedModel


class Sex(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")
    OTHER = "other", _("other")
    UNKNOWN = "unknown", _("unknown")


class Disability(models.TextChoices):
    NONE = "none", _("none known")
    PHYSICAL = "physical", _("physical")
    SENSORY = "sensory", _("sensory")
    INTELLECTUAL = "intellectual", _("intellectual")
    PSYCHOSOCIAL = "psychosocial", _("psychosocial")
    MULTIPLE = "multiple", _("multiple")
    UNKNOWN = "unknown", _("unknown")


class Person(TrackedModel):
    """Non-identifying attributes only: statistics read these columns and never the vault."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    gender_identity = models.CharField(_("gender identity"), max_length=60, blank=True)
    # Year of birth when known; otherwise an estimated age range at registration.
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    age_estimate_min = models.PositiveSmallIntegerField(_("estimated age from"), null=True, blank=True)
    age_estimate_max = models.PositiveSmallIntegerField(_("estimated age to"), null=True, blank=True)
    age_disputed = models.BooleanField(_("age uncertain"), default=False)
    citizenship = models.CharField(_("citizenship"), max_length=2, blank=True, help_text=_("ISO 3166 code"))
    other_citizenships = models.JSONField(_("other citizenships"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    interpreter_needed = models.BooleanField(_("interpreter needed"), default=False)
    disability = models.CharField(
        _("disability"), max_length=20, choices=Disability.choices, default=Disability.UNKNOWN
    )
    # True while the newest risk assessment of any of the person's cases is high or critical: then only
    # the staff named in such a case may know where the person is. Kept by the protection services
    # (protection.services.whereabouts_restriction_refresh) so that the whereabouts gate costs no query
    # for the many persons never at such a risk.
    whereabouts_restricted = models.BooleanField(_("whereabouts restricted"), default=False, editable=False)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["citizenship"], name="person_citizenship_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(age_estimate_min__isnull=True)
                | models.Q(age_estimate_max__isnull=True)
                | models.Q(age_estimate_min__lte=models.F("age_estimate_max")),
                name="person_age_range_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_foreign_national(self) -> bool:
        """A citizen of another country than the one this instance serves (settings.COUNTRY_CODE)."""
        citizenship = (self.citizenship or "").upper()
        return bool(citizenship) and citizenship != settings.COUNTRY_CODE


def is_foreign_national(case: Any) -> bool:
    """The person of ``case`` is a foreign national (reflection period, residence permits, return)."""
    return case.person.is_foreign_national


def identity_aad(person_code: str) -> str:
    """The associated data binding an identity ciphertext to its person (used to encrypt, decrypt, rotate)."""
    return person_code


class PersonIdentity(models.Model):
    """The identity vault: names in any script, aliases, birth date, documents, addresses, contacts.

    One AES-GCM ciphertext, bound to the person's code. Read only through people.selectors, which
    asks the policy and writes an audit entry.
    """

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="identity")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    ciphertext = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"identity of {self.person_id}"


class LookupKind(models.TextChoices):
    NAME = "name", _("name")
    FULL_NAME = "full_name", _("full name")
    BIRTH_DATE = "birth_date", _("date of birth")
    DOCUMENT = "document", _("document number")
    CONTACT = "contact", _("contact")


class PersonLookup(ChoiceLabels):
    """Keyed hashes of normalised identity values, for exact-match search without decrypting."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="lookups")
    kind = models.CharField(max_length=16, choices=LookupKind.choices)
    digest = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["digest"], name="person_lookup_digest_idx")]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "digest"], name="person_lookup_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.person_id}"
