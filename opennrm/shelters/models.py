"""Facilities that accommodate victims (capacity, who they take, licence) and placements in them.

A facility's street address is never stored: where a victim sleeps is the most dangerous fact in the
system. The municipality is enough to plan a placement.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from opennrm.accounts.models import Organisation
from opennrm.cases.models import Case, ExploitationForm, Involvement
from opennrm.core.models import ChoiceLabels, TrackedModel


class FacilityKind(models.TextChoices):
    CENTRE_SHELTER = "centre_shelter", _("the Centre's shelter (urgent reception)")
    NGO_SHELTER = "ngo_shelter", _("NGO shelter")
    CSW_SHELTER = "csw_shelter", _("shelter of a centre for social work")
    ALTERNATIVE = "alternative_accommodation", _("alternative accommodation")


class AcceptsSex(models.TextChoices):
    WOMEN = "women", _("women and girls only")
    MEN = "men", _("men and boys only")
    ANY = "any", _("anyone")


class Facility(TrackedModel):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=FacilityKind.choices)
    operator = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="facilities", verbose_name=_("operated by")
    )
    municipality = models.CharField(_("municipality"), max_length=120)
    beds_adults = models.PositiveSmallIntegerField(_("beds for adults"), default=0)
    beds_children = models.PositiveSmallIntegerField(_("beds for children"), default=0)
    accepts_sex = models.CharField(
        _("takes"), max_length=8, choices=AcceptsSex.choices, default=AcceptsSex.ANY
    )
    takes_adults = models.BooleanField(_("takes adults"), default=True)
    # Unaccompanied children; children accompanying a parent only need children's beds.
    takes_children = models.BooleanField(_("takes unaccompanied children"), default=False)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    licence_number = models.CharField(_("licence number"), max_length=60, blank=True)
    licence_valid_from = models.DateField(_("licence valid from"), null=True, blank=True)
    licence_valid_until = models.DateField(_("licence valid until"), null=True, blank=True)
    is_open = models.BooleanField(_("open"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "facilities"
        constraints = [
            models.CheckConstraint(
                condition=Q(licence_valid_from__isnull=True)
                | Q(licence_valid_until__isnull=True)
                | Q(licence_valid_from__lte=F("licence_valid_until")),
                name="facility_licence_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True) | Q(max_age__isnull=True) | Q(min_age__lte=F("max_age")),
                name="facility_age_range_ordered",
            ),
        ]
        indexes = [models.Index(fields=["operator"], name="facility_operator_idx")]

    def __str__(self) -> str:
        return self.name


class FacilitySpecialisation(ChoiceLabels):
    """Forms of exploitation the facility's staff specialise in (used by the free-bed search)."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="specialisations")
    form = models.CharField(max_length=20, choices=ExploitationForm.choices)

    class Meta:
        ordering = ["form"]
        constraints = [
            models.UniqueConstraint(fields=["facility", "form"], name="facility_specialisation_unique")
        ]

    def __str__(self) -> str:
        return self.form


class PlacementStatus(models.TextChoices):
    WAITING = "waiting", _("on the waiting list")
    PLACED = "placed", _("placed")
    ENDED = "ended", _("ended")


class ExitDestination(models.TextChoices):
    OWN_HOME = "own_home", _("own home")
    FAMILY = "family", _("family")
    OTHER_FACILITY = "other_facility", _("another facility")
    INDEPENDENT_LIVING = "independent_living", _("independent living")
    RETURNED_ABROAD = "returned_abroad", _("returned abroad")
    LEFT_WITHOUT_NOTICE = "left_without_notice", _("left without notice")
    OTHER = "other", _("other")


class OverrideRule(models.TextChoices):
    """The rules a Centre head may set aside with written reasons (counted for the coordinator)."""

    FULL = "full", _("facility full")
    UNFIT = "unfit", _("facility does not fit the person")
    LICENCE = "licence", _("licence lapsed or missing")


class Placement(TrackedModel):
    """One person on a facility's waiting list, then placed in it, then gone (with a destination).

    Also the occupancy history: a placement's period is never deleted, so use over time is counted
    from these rows.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="placements")
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="placements")
    status = models.CharField(
        _("status"), max_length=10, choices=PlacementStatus.choices, default=PlacementStatus.WAITING
    )
    requested_on = models.DateField(_("requested on"))
    placed_on = models.DateField(_("placed on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    # Fixed at placement: which kind of bed the person takes, even if the case's age flag changes later.
    is_child = models.BooleanField(_("child"), default=False)
    accompanying_children = models.PositiveSmallIntegerField(_("accompanying children"), default=0)
    exit_destination = models.CharField(
        _("destination"), max_length=24, choices=ExitDestination.choices, blank=True
    )
    exit_note = models.CharField(_("note on the exit"), max_length=300, blank=True)
    moved_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="moved_from"
    )
    override = models.BooleanField(_("placed by override"), default=False)
    override_reason = models.TextField(_("reasons for the override"), blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    override_rules = models.JSONField(_("rules set aside"), default=list, blank=True)
    # The shelter involvement this placement granted (None when the operator was already involved).
    involvement = models.ForeignKey(
        Involvement, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-requested_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(placed_on__isnull=True)
                | Q(ended_on__isnull=True)
                | Q(ended_on__gte=F("placed_on")),
                name="placement_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(status=PlacementStatus.WAITING, placed_on__isnull=True, ended_on__isnull=True)
                | Q(status=PlacementStatus.PLACED, placed_on__isnull=False, ended_on__isnull=True)
                | Q(status=PlacementStatus.ENDED, ended_on__isnull=False),
                name="placement_status_dates",
            ),
            models.CheckConstraint(
                condition=Q(override=False) | ~Q(override_reason=""), name="placement_override_has_reason"
            ),
            # A person sleeps in one place: moving ends one placement and starts the next.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status=PlacementStatus.PLACED),
                name="placement_one_active_per_case",
            ),
            models.UniqueConstraint(
                fields=["case", "facility"],
                condition=Q(status=PlacementStatus.WAITING),
                name="placement_one_wait_per_facility",
            ),
        ]
        indexes = [
            models.Index(fields=["facility", "status"], name="placement_facility_status_idx"),
            models.Index(fields=["placed_on", "ended_on"], name="placement_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} in {self.facility_id} ({self.status})"

    @property
    def beds_children(self) -> int:
        return (1 if self.is_child else 0) + self.accompanying_children
