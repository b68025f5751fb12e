"""Personas and small deterministic factories for tests (obviously fake personal data)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from opennrm.accounts import services as account_services
from opennrm.accounts.models import Organisation, OrganisationType, User
from opennrm.accounts.roles import RoleCode
from opennrm.cases import services as case_services
from opennrm.cases.models import Case, Involvement, InvolvementRole

PASSWORD = "correct-horse-battery-staple-42"  # noqa: S105 - test personas only

# Each role's persona works in an organisation of a fitting type, and that organisation takes this
# part in the persona's "own" case.
ROLE_SETUP: dict[str, tuple[str, str, str]] = {
    RoleCode.FIRST_LINE_REPORTER: ("school-ns", OrganisationType.SCHOOL, InvolvementRole.REPORTER),
    RoleCode.CENTRE_CASE_MANAGER: ("centre", OrganisationType.CENTRE, InvolvementRole.IDENTIFYING_BODY),
    RoleCode.CENTRE_HEAD: ("centre", OrganisationType.CENTRE, InvolvementRole.IDENTIFYING_BODY),
    RoleCode.SOCIAL_WORKER: ("csw-bg", OrganisationType.SOCIAL_WORK_CENTRE, InvolvementRole.GUARDIAN),
    RoleCode.POLICE_INVESTIGATOR: (
        "police-bg",
        OrganisationType.POLICE,
        InvolvementRole.INVESTIGATING_POLICE,
    ),
    RoleCode.PROSECUTOR: ("prosecution-bg", OrganisationType.PROSECUTION, InvolvementRole.PROSECUTOR),
    RoleCode.LABOUR_INSPECTOR: (
        "labour-insp",
        OrganisationType.LABOUR_INSPECTORATE,
        InvolvementRole.LABOUR_INSPECTION,
    ),
    RoleCode.NGO_CASE_WORKER: ("astra", OrganisationType.NGO, InvolvementRole.SERVICE_PROVIDER),
    RoleCode.SHELTER_STAFF: ("shelter", OrganisationType.SHELTER, InvolvementRole.SHELTER),
    RoleCode.NATIONAL_COORDINATOR: (
        "coordination",
        OrganisationType.COORDINATION_OFFICE,
        InvolvementRole.CASE_COORDINATION,
    ),
    RoleCode.OVERSIGHT_INSPECTOR: (
        "ombudsman",
        OrganisationType.OVERSIGHT_BODY,
        InvolvementRole.SERVICE_PROVIDER,
    ),
    RoleCode.SYSTEM_ADMIN: (
        "coordination",
        OrganisationType.COORDINATION_OFFICE,
        InvolvementRole.CASE_COORDINATION,
    ),
}


@dataclass
class World:
    orgs: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    own_case: Case | None = None
    other_case: Case | None = None
    outsider: User | None = None  # NGO worker of an organisation with no part in own_case


def org(code: str, type: str, name: str | None = None) -> Organisation:
    found = Organisation.objects.filter(code=code).first()
    return found or account_services.organisation_create(
        actor=None, code=code, name=name or code.replace("-", " ").title(), type=type
    )


def user(username: str, role: str, organisation: Organisation, **kw: Any) -> User:
    return account_services.user_create(
        actor=None,
        username=username,
        password=PASSWORD,
        organisation=organisation,
        role_code=role,
        first_name=username.title(),
        **kw,
    )


def open_case(
    reporter: User,
    *,
    given: str = "Test",
    family: str = "Personović",
    birth_date: str | None = None,
    age_min: int | None = 25,
    age_max: int | None = 30,
    incident=None,
    **kw: Any,
) -> Case:
    return case_services.intake_register(
        user=reporter,
        person_attributes={
            "sex": "female",
            "age_estimate_min": age_min,
            "age_estimate_max": age_max,
            "citizenship": "RS",
        },
        identity={"given_names": given, "family_names": family, "birth_date": birth_date},
        referral_source=kw.pop("referral_source", "law_enforcement"),
        incident=incident,
        incident_data=kw.pop("incident_data", {"title": "Test incident", "forms": ["labour"]}),
        summary=kw.pop("summary", "Test summary"),
    )


def build_world() -> World:
    # Transactional tests flush the tables, including the roles seeded by migration.
    account_services.roles_sync()
    w = World()
    for role, (code, type, _inv) in ROLE_SETUP.items():
        w.orgs[code] = org(
            code, type, name="Centar za zaštitu žrtava trgovine ljudima" if type == "centre" else None
        )
        w.users[role] = user(role.replace("_", "-"), role, w.orgs[code])
    w.orgs["atina"] = org("atina", OrganisationType.NGO, "Atina")
    w.outsider = user("outsider", RoleCode.NGO_CASE_WORKER, w.orgs["atina"])
    reporter = w.users[RoleCode.FIRST_LINE_REPORTER]
    w.own_case = open_case(reporter, given="Jelena", family="Testović")
    for code, _type, inv_role in ROLE_SETUP.values():
        o = w.orgs[code]
        if not Involvement.objects.filter(case=w.own_case, organisation=o).exists():
            Involvement.objects.create(case=w.own_case, organisation=o, role=inv_role)
    # The other case belongs to Atina alone: the Centre's involvement has ended.
    w.other_case = open_case(w.outsider, given="Milica", family="Drugović")
    Involvement.objects.filter(case=w.other_case).exclude(organisation=w.orgs["atina"]).update(
        ended_at=timezone.now() - dt.timedelta(seconds=1), started_at=timezone.now() - dt.timedelta(days=1)
    )
    return w


def totp_device(u: User):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=u, confirmed=True).first() or TOTPDevice.objects.create(
        user=u, name="test", confirmed=True
    )


def login_verified(client: Any, u: User) -> None:
    """Log ``u`` in with a verified second factor (as after a correct TOTP code)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    device = totp_device(u)
    client.force_login(u)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def current_totp(device: Any) -> str:
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):0{device.digits}d}"
