"""Foreign victims: temporary residence permits (CETS 197 Art. 14; Law on Foreigners 2018) and the
entitlement to free health care.

The residence ground is legal content and says "victim of trafficking" in all but name: it is read
only by roles that read the legal class, and it never appears on anything printed or exported
(CETS 197 Art. 11; the Equality Commissioner's 2024 recommendation on residence documents). Nothing
in the assistance reads it: assistance does not depend on the ground, nor on cooperation with the
authorities (CETS 197 Art. 12(6)).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from opennrm.accounts.models import Organisation
from opennrm.cases.models import Case
from opennrm.core.models import TrackedModel


class ResidenceGround(models.TextChoices):
    """The temporary-residence grounds of the Law on Foreigners that concern trafficked persons.

    Serbia grants the victim ground without requiring cooperation with the authorities (CETS 197
    Art. 14(1)(a), the person's situation); a permit "for cooperation" (Art. 14(1)(b)) is a separate
    legal ground, recorded as "other" if it is ever used. Asylum is kept apart (Art. 14(5))."""

    PRESUMED_VICTIM = "presumed_victim", _("presumed victim of trafficking")
    VICTIM = "victim", _("victim of trafficking")
    HUMANITARIAN = "humanitarian", _("humanitarian grounds")
    ASYLUM = "asylum", _("asylum")
    OTHER = "other", _("other ground")


class PermitDecision(models.TextChoices):
    PENDING = "pending", _("pending")
    GRANTED = "granted", _("granted")
    REFUSED = "refused", _("refused")


class ResidencePermit(TrackedModel):
    """One application for temporary residence and its decision. A renewal is a new row pointing at
    the permit it renews, so the history of the person's stay stays readable."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="residence_permits")
    # Legal sensitivity: never on a printable output, never in an export.
    ground = models.CharField(_("ground"), max_length=16, choices=ResidenceGround.choices)
    applied_on = models.DateField(_("applied on"))
    # The police administration's name; no officer's name or other personal data.
    issuing_authority = models.CharField(_("issuing authority"), max_length=120, blank=True)
    decision = models.CharField(
        _("decision"), max_length=8, choices=PermitDecision.choices, default=PermitDecision.PENDING
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    renewal_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewals",
        verbose_name=_("renewal of"),
    )
    # The renewal reminder goes out once per permit.
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-applied_on", "-id"]
        indexes = [
            models.Index(fields=["decision", "valid_until"], name="residence_permit_expiry_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="residence_permit_validity_ordered",
            ),
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=F("applied_on")),
                name="residence_permit_decided_after_applied",
            ),
            models.CheckConstraint(
                condition=~Q(decision="granted") | Q(valid_from__isnull=False, valid_until__isnull=False),
                name="residence_permit_granted_has_validity",
            ),
            # A decision has a date, a pending application has none.
            models.CheckConstraint(
                condition=Q(decision="pending", decided_on__isnull=True)
                | (~Q(decision="pending") & Q(decided_on__isnull=False)),
                name="residence_permit_decision_dated",
            ),
            # One open application per case, and a permit is renewed once (a refused renewal may be
            # applied for again). The database keeps this true when two people click at once.
            models.UniqueConstraint(
                fields=["case"], condition=Q(decision="pending"), name="residence_permit_one_pending"
            ),
            models.UniqueConstraint(
                fields=["renewal_of"],
                condition=Q(decision__in=["pending", "granted"]),
                name="residence_permit_renewed_once",
            ),
        ]

    def __str__(self) -> str:
        return f"residence permit {self.pk} of {self.case_id} ({self.decision})"


class HealthCoverageBasis(models.TextChoices):
    # Verify the article of the Law on Health Insurance (Sl. glasnik RS 25/2019) in the official text.
    HEALTH_INSURANCE_VICTIMS = "insurance_victims", _("health insurance law: victims of trafficking")
    SOCIAL_PROTECTION = "social_protection", _("social protection")
    INTERNATIONAL_ORGANISATION = "international_org", _("international organisation")
    OTHER = "other", _("other")


class HealthCoverage(TrackedModel):
    """Whether the person is entitled to free health care, on what basis and for which period
    (CETS 197 Art. 12(1)(b), 12(3)). Medical sensitivity: a school or the police do not need it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="health_coverages")
    entitled = models.BooleanField(_("entitled to free health care"))
    basis = models.CharField(_("basis"), max_length=20, choices=HealthCoverageBasis.choices, blank=True)
    from_on = models.DateField(_("from"))
    until_on = models.DateField(_("until"), null=True, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        ordering = ["-from_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until_on__isnull=True) | Q(until_on__gte=F("from_on")),
                name="health_coverage_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(entitled=False) | ~Q(basis=""), name="health_coverage_entitlement_has_basis"
            ),
        ]

    def __str__(self) -> str:
        return f"health coverage of {self.case_id} from {self.from_on}"
