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
from opennrm.lib import clock

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
        ended_at=clock.now() - dt.timedelta(seconds=1), started_at=clock.now() - dt.timedelta(days=1)
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


def fill_case(w: World, case: Case | None = None, n: int = 3) -> Case:
    """Give a case ``n`` rows of every part the case page shows (written straight to the tables, as the
    services would leave them): for tests that must hold however much a case holds (query counts, the
    case sheet). The person becomes a foreign child, so that every section of the page appears."""
    import base64

    from opennrm.assistance import models as am
    from opennrm.cases import models as cm
    from opennrm.core import crypto
    from opennrm.identification import models as im
    from opennrm.protection import models as pm
    from opennrm.residence import models as rm
    from opennrm.shelters import models as sm

    case = case or w.own_case
    centre, csw, shelter, astra = w.orgs["centre"], w.orgs["csw-bg"], w.orgs["shelter"], w.orgs["astra"]
    manager = w.users[RoleCode.CENTRE_CASE_MANAGER]
    head = w.users[RoleCode.CENTRE_HEAD]
    embassy = org("embassy-ua", OrganisationType.FOREIGN_AUTHORITY, "Embassy of Ukraine")
    person = case.person
    person.citizenship = "UA"
    person.interpreter_needed = True
    person.save(update_fields=["citizenship", "interpreter_needed"])
    Case.objects.filter(pk=case.pk).update(is_child=True, status="assisted")
    case.refresh_from_db()
    today = timezone.localdate()
    now = clock.now()
    key = crypto.active_key()

    def sealed(value: dict, aad: str) -> dict:
        key_id, blob = crypto.encrypt(value, aad=aad, key=key)
        return {"data_key_id": key_id, "ciphertext": blob}

    facility = sm.Facility.objects.filter(code="fill-house").first() or sm.Facility.objects.create(
        code="fill-house", name="Fill house", kind="ngo_shelter", operator=shelter, municipality="Beograd",
        beds_adults=50, beds_children=20, licence_number="L-9",
        licence_valid_from=today - dt.timedelta(days=30), licence_valid_until=today + dt.timedelta(days=300),
    )  # fmt: skip
    # One of each per case; a second call adds rows to the same ones.
    procedure, fresh = im.IdentificationProcedure.objects.get_or_create(
        case=case, defaults={"organisation": centre}
    )
    plan, _ = am.AssistancePlan.objects.get_or_create(
        case=case, defaults={"organisation": centre, "opened_on": today}
    )
    reintegration, _ = am.ReintegrationPlan.objects.get_or_create(
        case=case,
        defaults={
            "started_on": today,
            "until_on": today + dt.timedelta(days=90),
            "interval_days": 30,
            "follow_up_by": csw,
        },
    )
    superseded = im.IdentificationDecision.objects.filter(case=case).order_by("-id").first()
    for i in range(n):
        day = today - dt.timedelta(days=i)
        # The rows that may exist once at a time (an open closure request, a current stay, a named person)
        # come with the first call only.
        first = fresh and i == 0
        cm.TimelineEvent.objects.create(case=case, kind="note_added", params={"sensitivity": "general"})
        cm.CaseTask.objects.create(case=case, title=f"Task {i}", due_at=now, organisation=centre)
        cm.CaseNote.objects.create(
            case=case,
            organisation=centre,
            created_by=manager,
            **sealed({"text": f"note {i}"}, cm.note_aad(case.code)),
        )
        cm.CaseDocument.objects.create(
            case=case,
            title=f"Doc {i}",
            filename="a.txt",
            content_type="text/plain",
            size=5,
            organisation=centre,
            **sealed({"b64": base64.b64encode(b"hello").decode()}, cm.document_aad(case.code)),
        )
        cm.Involvement.objects.create(
            case=case, organisation=org(f"fill-ngo-{i}", OrganisationType.NGO), role="service_provider"
        )
        cm.IncidentForm.objects.get_or_create(
            incident=case.incident, form=["sexual", "labour", "begging"][i % 3]
        )
        cm.IncidentSuspect.objects.create(incident=case.incident, label=f"Suspect {i}")
        im.Referral.objects.create(
            case=case,
            from_organisation=w.orgs["school-ns"],
            to_organisation=centre,
            purpose="identification",
            due_at=now + dt.timedelta(hours=24),
        )
        im.ProcedureRecord.objects.create(
            procedure=procedure,
            kind="interview",
            happened_on=day,
            organisation=centre,
            **sealed({"text": f"record {i}"}, im.procedure_record_aad(case.code)),
        )
        superseded = im.IdentificationDecision.objects.create(
            case=case,
            procedure=procedure,
            kind="review" if superseded else "initial",
            outcome="identified",
            legal_basis="Law",
            decided_by=head,
            organisation=centre,
            supersedes=superseded,
            **sealed({"reasons": f"reasons {i}"}, im.decision_aad(case.code)),
        )
        im.DecisionForm.objects.create(decision=superseded, form="labour")
        im.GuardianAppointment.objects.create(
            case=case, organisation=csw, appointed_on=day, ended_on=None if first else day
        )
        im.AgeAssessment.objects.create(
            case=case, assessed_on=day, method="documents", outcome="child", organisation=csw
        )
        im.Screening.objects.create(
            case=case,
            indicator_set="general",
            indicator_version="2026.1",
            setting="interview",
            screened_on=day,
            organisation=centre,
            recommendation="refer",
        )
        consent = im.Consent.objects.create(
            case=case,
            purpose="embassy_contact",
            given=True,
            recorded_on=day,
            how="written",
            organisation=centre,
        )
        im.EmbassyContact.objects.create(
            case=case,
            embassy=embassy,
            contacted_on=day,
            consent=consent,
            purpose="documents",
            organisation=centre,
        )
        am.AssistanceService.objects.create(
            plan=plan,
            case=case,
            service_type=["medical_care", "legal_aid", "material_support"][i % 3],
            sensitivity=am.service_sensitivity(["medical_care", "legal_aid", "material_support"][i % 3]),
            provider=astra,
            requested_on=day,
            planned_from=day,
            data_consent="request_only",
            consent_how="written",
            consent_on=day,
        )
        needs = am.NeedsAssessment.objects.create(case=case, assessed_on=day, organisation=centre)
        am.AssessedNeed.objects.create(assessment=needs, service_type="medical_care")
        am.CooperationRecord.objects.create(
            case=case, stance="undecided", recorded_on=day, organisation=centre
        )
        am.FollowUp.objects.create(
            plan=reintegration, case=case, due_on=today + dt.timedelta(days=30 * (i + 1))
        )
        am.CaseClosure.objects.create(
            case=case,
            reason="other",
            explanation=f"Closure request {i}",
            organisation=centre,
            previous_status="assisted",
            status="requested" if first else "rejected",
        )
        sm.Placement.objects.create(
            case=case,
            facility=facility,
            status="placed" if first else "ended",
            requested_on=day,
            placed_on=day,
            ended_on=None if first else day,
        )
        rm.ResidencePermit.objects.create(
            case=case,
            ground="victim",
            applied_on=day,
            decision="granted",
            decided_on=day,
            valid_from=day,
            valid_until=today + dt.timedelta(days=200),
        )
        rm.HealthCoverage.objects.create(
            case=case, entitled=True, basis="insurance_victims", from_on=day, organisation=centre
        )
        risk = pm.RiskAssessment.objects.create(
            case=case,
            assessed_on=day,
            organisation=centre,
            computed_level="medium",
            level="medium",
            reassess_by=today + dt.timedelta(days=30),
        )
        for factor in pm.RiskFactor.values:
            pm.RiskAnswer.objects.create(assessment=risk, factor=factor, answer="no")
        from opennrm.people.models import Person
        from opennrm.protection.services import current_assessment_refresh, whereabouts_restriction_refresh

        current_assessment_refresh(Case.objects.filter(pk=case.pk))
        whereabouts_restriction_refresh(Person.objects.filter(pk=case.person_id))
        pm.ProtectionMeasure.objects.create(
            case=case, kind="safe_communication", responsible=centre, started_on=day
        )
        pm.NamedStaff.objects.create(
            case=case,
            user=manager if first else w.users[RoleCode.CENTRE_HEAD],
            started_at=now,
            ended_at=None if first or (fresh and i == 1) else now,
        )
        pm.FamilyAssessment.objects.create(
            case=case, assessed_on=day, organisation=csw, outcome="return_not_safe"
        )
    if not im.ReflectionPeriod.objects.filter(case=case).exists():
        im.ReflectionPeriod.objects.create(
            case=case, starts_on=today, ends_on=today + dt.timedelta(days=90), days=90, legal_basis="Law"
        )
    im.TransnationalReferral.objects.get_or_create(
        case=case, defaults={"foreign_authority": embassy, "country": "UA"}
    )
    return case
