from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Self

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opennrm.accounts.roles import RoleCode
from opennrm.core.models import ChoiceLabels, TrackedModel
from opennrm.lib.country import home_country

if TYPE_CHECKING:
    from django_otp.models import Device


class OrganisationType(models.TextChoices):
    CENTRE = "centre", _("Centre for Protection of Victims of Trafficking")
    POLICE = "police", _("Police")
    PROSECUTION = "prosecution", _("Public prosecution")
    COURT = "court", _("Court")
    LABOUR_INSPECTORATE = "labour_inspectorate", _("Labour inspectorate")
    SOCIAL_WORK_CENTRE = "social_work_centre", _("Centre for social work")
    NGO = "ngo", _("Non-governmental organisation")
    SHELTER = "shelter", _("Shelter")
    HEALTH = "health", _("Health institution")
    SCHOOL = "school", _("School")
    HOTLINE = "hotline", _("Hotline")
    COORDINATION_OFFICE = "coordination_office", _("National coordination office")
    OVERSIGHT_BODY = "oversight_body", _("Oversight body")
    FOREIGN_AUTHORITY = "foreign_authority", _("Foreign authority or embassy")
    INTERNATIONAL_ORGANISATION = "international_organisation", _("International organisation")


class Organisation(TrackedModel):
    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=40, choices=OrganisationType.choices)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default=home_country)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="units")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["type"], name="org_type_idx")]

    def __str__(self) -> str:
        return self.name


class Role(ChoiceLabels):
    """A role is data: permissions and the sensitivity classes of case content it may read."""

    code = models.CharField(max_length=40, unique=True, choices=RoleCode.choices)
    permissions = models.JSONField(default=list)
    sensitivities = models.JSONField(default=list)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return str(self.get_code_display())

    @property
    def label(self) -> str:
        return str(self.get_code_display())


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    role = models.ForeignKey(Role, null=True, blank=True, on_delete=models.PROTECT, related_name="users")
    # Demo accounts log in only when the instance runs in demo mode.
    is_demo = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)

    objects: ClassVar[UserManager[Self]] = UserManager()

    if TYPE_CHECKING:
        # Installed on the request's user by django_otp.middleware.OTPMiddleware.
        otp_device: Device | None

        def is_verified(self) -> bool: ...

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 digest is stored; the token is shown once, at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user.username}:{self.prefix}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
