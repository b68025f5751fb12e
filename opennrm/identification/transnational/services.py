"""Transnational cases (CETS 197 Art. 16), the person's consents, and contacts with embassies.

A citizen identified as a victim abroad is referred by the foreign authority (or an international
organisation); the case then carries the steps of a safe return and reintegration. A foreign victim's
embassy is contacted only on the strength of a recorded, unwithdrawn consent: the person may fear
their own authorities, and contacting them is a transfer of personal data abroad (ZZPL Arts 63-70).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, overload

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opennrm import policy
from opennrm.accounts.models import Organisation, OrganisationType
from opennrm.accounts.roles import Perm
from opennrm.audit.services import audit_record
from opennrm.cases import services as case_services
from opennrm.cases import sheet
from opennrm.cases.models import (
    Case,
    CaseTask,
    Involvement,
    InvolvementRole,
    ReferralSource,
    TimelineEvent,
)
from opennrm.core.locking import update_versioned
from opennrm.identification.models import (
    Consent,
    ConsentHow,
    ConsentPurpose,
    EmbassyContact,
    TransnationalReferral,
)
from opennrm.lib import clock
from opennrm.lib.clean import clean_choice
from opennrm.lib.errors import DomainError
from opennrm.lib.scripts import in_active_script as script
from opennrm.people.models import is_foreign_national

FOREIGN_AUTHORITY_TYPES = {OrganisationType.FOREIGN_AUTHORITY, OrganisationType.INTERNATIONAL_ORGANISATION}
EMBASSY_TYPES = {OrganisationType.FOREIGN_AUTHORITY}

# The return and reintegration steps of a citizen coming home (CETS 197 Art. 16(1), (5)): stored as
# source text, translated when shown. Days from registration.
RETURN_STEPS: tuple[tuple[str, int], ...] = (
    (gettext_noop("Plan the safe return with the foreign authority"), 7),
    (gettext_noop("Receive the person on return"), 14),
    (gettext_noop("Agree a reintegration plan with the centre for social work"), 30),
)
# CETS 197 Art. 16(7): a child is not returned if a risk and security assessment says it is not in
# the child's best interests; for a child that assessment comes first.
CHILD_RETURN_STEP = (gettext_noop("Assess the risks of return and the child's best interests"), 7)

TIMELINE_KINDS = ("transnational_registered", "consent_recorded", "consent_withdrawn", "embassy_contacted")


@overload
def _date(value: Any, field: str, *, default: dt.date) -> dt.date: ...


@overload
def _date(value: Any, field: str, *, default: None = None) -> dt.date | None: ...


def _date(value: Any, field: str, *, default: dt.date | None = None) -> dt.date | None:
    if value in (None, ""):
        return default
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value))
        except ValueError:
            raise DomainError(_("Enter a real date as YYYY-MM-DD."), field=field) from None
    if value > clock.today():
        raise DomainError(_("The date cannot be in the future."), field=field)
    return value


def _yes_no(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise DomainError(_("Choose yes or no."), field=field)
    return value


def _country(value: Any) -> str:
    country = str(value or "").strip().upper()
    if len(country) != 2 or not country.isalpha() or not country.isascii():
        raise DomainError(_("Enter a two-letter ISO country code."), field="country")
    if country == settings.COUNTRY_CODE:
        raise DomainError(_("Name the other country."), field="country")
    return country


# --- Reads ---------------------------------------------------------------------------------------


def transnational_get(*, case: Case) -> TransnationalReferral | None:
    rows = sheet.rows(
        case,
        "transnational_referrals",
        lambda: TransnationalReferral.objects.select_related("foreign_authority").filter(case=case)[:1],
    )
    return rows[0] if rows else None


def consents(*, case: Case) -> list[Consent]:
    return sheet.rows(case, "consents", lambda: case.consents.select_related("organisation"))


def embassy_contacts(*, case: Case) -> list[EmbassyContact]:
    return sheet.rows(
        case,
        "embassy_contacts",
        lambda: case.embassy_contacts.select_related("embassy", "organisation", "consent"),
    )


def current_consent(*, case: Case, purpose: str, lock: bool = False) -> Consent | None:
    """The person's latest answer for ``purpose``: a later refusal replaces an earlier consent."""
    qs = Consent.objects.filter(case=case, purpose=purpose)
    if lock:
        qs = qs.select_for_update()
    return qs.order_by("-recorded_on", "-id").first()


def has_valid_consent(*, case: Case, purpose: str) -> bool:
    consent = current_consent(case=case, purpose=purpose)
    return consent is not None and consent.is_valid


def valid_consent_in(consents: list[Consent], *, purpose: str) -> bool:
    """``has_valid_consent`` over the case's consents already read (the latest answer decides)."""
    answers = sorted((c for c in consents if c.purpose == purpose), key=lambda c: (c.recorded_on, c.pk))
    return bool(answers) and answers[-1].is_valid


# --- Transnational registration ------------------------------------------------------------------


def _readers_in(organisation: Organisation) -> bool:
    """Does the organisation have accounts that could open a case once it is involved?"""
    return any(
        u.role is not None and Perm.CASE_VIEW in (u.role.permissions or [])
        for u in organisation.users.filter(is_active=True, role__isnull=False).select_related("role")
    )


@transaction.atomic
def transnational_register(
    *,
    user: Any,
    case: Case,
    foreign_authority: Organisation,
    country: str,
    identified_abroad: bool,
    identified_on: Any = None,
    plan_return: bool = True,
) -> TransnationalReferral:
    """Record that the case came from abroad: the foreign authority is the referring organisation
    (involved in the case), and for a citizen coming home the return and reintegration steps are
    planned as tasks of the user's organisation."""
    policy.require(user, Perm.INVOLVEMENT_MANAGE, case)
    if getattr(foreign_authority, "type", None) not in FOREIGN_AUTHORITY_TYPES:
        raise DomainError(
            _("Choose a foreign authority, an embassy or an international organisation."),
            field="foreign_authority",
        )
    if not foreign_authority.is_active:
        raise DomainError(_("This organisation is not active."), field="foreign_authority")
    country = _country(country)
    identified_abroad = _yes_no(identified_abroad, "identified_abroad")
    plan_return = _yes_no(plan_return, "plan_return")
    identified_on = _date(identified_on, "identified_on")
    if identified_on is not None and not identified_abroad:
        raise DomainError(
            _("A date of identification abroad needs the person to have been identified abroad."),
            field="identified_on",
        )
    if TransnationalReferral.objects.filter(case=case).exists():
        raise DomainError(_("This case is already registered as transnational."), field="case")
    if plan_return and is_foreign_national(case):
        # These steps bring a citizen home. A foreign national's return is removal from this country:
        # barred during identification and the reflection period, and referred for separately.
        raise DomainError(
            _(
                "Return home is planned here for citizens. For a foreign national, refer the case for "
                "return and reintegration when the identification and the reflection period allow it."
            ),
            field="plan_return",
        )
    # The involvement is the only source of need-to-know: if the foreign authority has accounts here,
    # involving it opens the file to them, which is a transfer of personal data abroad.
    if _readers_in(foreign_authority) and not has_valid_consent(
        case=case, purpose=ConsentPurpose.DATA_SHARING_FOREIGN_AUTHORITY
    ):
        raise DomainError(
            _(
                "This foreign authority has user accounts that would see the case. Record the person's "
                "consent to sharing data with a foreign authority first."
            ),
            field="foreign_authority",
        )
    referral = TransnationalReferral.objects.create(
        case=case,
        foreign_authority=foreign_authority,
        country=country,
        identified_abroad=identified_abroad,
        identified_on=identified_on,
        return_planned=plan_return,
        created_by=user,
        updated_by=user,
    )
    if (
        not Involvement.objects.active()
        .filter(case=case, organisation=foreign_authority, role=InvolvementRole.FOREIGN_AUTHORITY)
        .exists()
    ):
        case_services.involvement_add(
            user=user, case=case, organisation=foreign_authority, role=InvolvementRole.FOREIGN_AUTHORITY
        )
    case.refresh_from_db(fields=["version", "referral_source"])
    if case.referral_source != ReferralSource.FOREIGN_AUTHORITY:
        update_versioned(
            case,
            expected_version=case.version,
            user=user,
            fields={"referral_source": ReferralSource.FOREIGN_AUTHORITY},
        )
    incident = case.incident
    if identified_abroad and not incident.transnational:
        incident.refresh_from_db(fields=["version"])
        update_versioned(
            incident, expected_version=incident.version, user=user, fields={"transnational": True}
        )
    if plan_return:
        steps = [CHILD_RETURN_STEP, *RETURN_STEPS] if case.is_child else list(RETURN_STEPS)
        now = clock.now()
        for title, days in steps:
            CaseTask.objects.create(
                case=case,
                title=title,
                due_at=now + dt.timedelta(days=days),
                organisation_id=user.organisation_id,
                created_by=user,
                updated_by=user,
            )
            case_services.timeline_add(case=case, user=user, kind="task_added", params={"title": title})
    case_services.timeline_add(
        case=case,
        user=user,
        kind="transnational_registered",
        params={"org": foreign_authority.name, "country": country},
    )
    audit_record(
        actor=user,
        action="create",
        object_type="transnational_referral",
        object_id=referral.pk,
        case_code=case.code,
        detail={
            "foreign_authority": foreign_authority.code,
            "country": country,
            "identified_abroad": identified_abroad,
            "return_planned": plan_return,
        },
    )
    return referral


# --- Consent -------------------------------------------------------------------------------------


@transaction.atomic
def consent_record(
    *, user: Any, case: Case, purpose: str, given: bool, how: str, recorded_on: Any = None
) -> Consent:
    """Record the person's consent or refusal for one purpose. It never conditions assistance."""
    policy.require(user, Perm.CASE_EDIT, case)
    clean_choice(purpose, ConsentPurpose, "purpose")
    given = _yes_no(given, "given")
    clean_choice(how, ConsentHow, "how")
    consent = Consent.objects.create(
        case=case,
        purpose=purpose,
        given=given,
        how=how,
        recorded_on=_date(recorded_on, "recorded_on", default=clock.today()),
        organisation_id=user.organisation_id,
        created_by=user,
        updated_by=user,
    )
    case_services.timeline_add(
        case=case, user=user, kind="consent_recorded", params={"purpose": purpose, "given": given}
    )
    audit_record(
        actor=user,
        action="create",
        object_type="consent",
        object_id=consent.pk,
        case_code=case.code,
        detail={"purpose": purpose, "given": given, "how": how},
    )
    return consent


@transaction.atomic
def consent_withdraw(*, user: Any, consent: Consent, withdrawn_on: Any = None) -> Consent:
    case = consent.case
    policy.require(user, Perm.CASE_EDIT, case)
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if not consent.given:
        raise DomainError(_("A refusal cannot be withdrawn: record a new consent instead."), field="consent")
    if consent.withdrawn_on is not None:
        raise DomainError(_("This consent has already been withdrawn."), field="consent")
    withdrawn_on = _date(withdrawn_on, "withdrawn_on", default=clock.today())
    assert withdrawn_on is not None
    if withdrawn_on < consent.recorded_on:
        raise DomainError(_("A consent cannot be withdrawn before it was given."), field="withdrawn_on")
    update_versioned(
        consent, expected_version=consent.version, user=user, fields={"withdrawn_on": withdrawn_on}
    )
    case_services.timeline_add(
        case=case, user=user, kind="consent_withdrawn", params={"purpose": consent.purpose}
    )
    audit_record(
        actor=user,
        action="update",
        object_type="consent",
        object_id=consent.pk,
        case_code=case.code,
        detail={"purpose": consent.purpose, "withdrawn": True},
    )
    return consent


# --- Embassy contacts ----------------------------------------------------------------------------


@transaction.atomic
def embassy_contact_record(
    *, user: Any, case: Case, embassy: Organisation, contacted_on: Any = None, purpose: str
) -> EmbassyContact:
    """Record a contact with the person's embassy. Refused unless the person's current answer on
    contacting the embassy is a consent that has not been withdrawn."""
    policy.require(user, Perm.CASE_EDIT, case)
    if getattr(embassy, "type", None) not in EMBASSY_TYPES:
        raise DomainError(_("Choose an embassy or another foreign authority."), field="embassy")
    if not isinstance(purpose, str) or not purpose.strip():
        raise DomainError(_("This field is required."), field="purpose")
    purpose = purpose.strip()
    if len(purpose) > 200:
        raise DomainError(_("At most %(n)d characters.") % {"n": 200}, field="purpose")
    contacted_on = _date(contacted_on, "contacted_on", default=clock.today())
    assert contacted_on is not None
    # Locked, so that a withdrawal being saved at the same moment cannot slip past.
    consent = current_consent(case=case, purpose=ConsentPurpose.EMBASSY_CONTACT, lock=True)
    if consent is None or not consent.is_valid:
        raise DomainError(_("The person has not consented to contacting the embassy."), field="consent")
    if contacted_on < consent.recorded_on:
        raise DomainError(
            _("The embassy cannot have been contacted before the person consented."), field="contacted_on"
        )
    contact = EmbassyContact.objects.create(
        case=case,
        embassy=embassy,
        contacted_on=contacted_on,
        consent=consent,
        purpose=purpose,
        organisation_id=user.organisation_id,
        created_by=user,
        updated_by=user,
    )
    case_services.timeline_add(case=case, user=user, kind="embassy_contacted", params={"org": embassy.name})
    audit_record(
        actor=user,
        action="create",
        object_type="embassy_contact",
        object_id=contact.pk,
        case_code=case.code,
        detail={"embassy": embassy.code, "consent": consent.pk},
    )
    return contact


# --- Timeline ------------------------------------------------------------------------------------


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def describe(event: TimelineEvent) -> str:
    p = dict(event.params or {})
    k = event.kind
    if k == "transnational_registered":
        return _("Registered as a transnational case referred by %(org)s (%(country)s).") % {
            "org": script(p.get("org", "")),
            "country": p.get("country", ""),
        }
    if k == "consent_recorded":
        purpose = _label(ConsentPurpose, p.get("purpose", ""))
        if p.get("given"):
            return _("The person consented to %(purpose)s.") % {"purpose": purpose}
        return _("The person refused %(purpose)s.") % {"purpose": purpose}
    if k == "consent_withdrawn":
        return _("The person withdrew their consent to %(purpose)s.") % {
            "purpose": _label(ConsentPurpose, p.get("purpose", ""))
        }
    if k == "embassy_contacted":
        return _("%(org)s was contacted with the person's consent.") % {"org": script(p.get("org", ""))}
    return k
