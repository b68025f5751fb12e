"""Writes for incidents, cases, involvements, notes, documents and tasks.

Every function: keyword-only, one transaction, policy checked, audit written, timeline written.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opennrm import policy
from opennrm.accounts.models import Organisation, OrganisationType
from opennrm.accounts.roles import Perm, Sensitivity
from opennrm.audit.services import audit_record
from opennrm.cases.models import (
    WHEREABOUTS_PARAM,
    Case,
    CaseDocument,
    CaseNote,
    CaseStatus,
    CaseTask,
    ExploitationForm,
    Incident,
    IncidentForm,
    IncidentSuspect,
    Involvement,
    InvolvementRole,
    ReferralSource,
    TimelineEvent,
    document_aad,
    note_aad,
)
from opennrm.core import codes, crypto
from opennrm.core.locking import update_versioned
from opennrm.lib import clock
from opennrm.lib.country import home_country
from opennrm.lib.dates import age_on
from opennrm.lib.errors import DomainError, NotFound, PermissionDenied
from opennrm.people import services as people_services
from opennrm.people.services import person_create

MAX_NOTE = 20_000
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# How long the Centre has to look at a new report. TIP 2023 reports a panel assessment within 24 h of
# referral; the referral workflow will move this into the per-country deadline table.
FIRST_REVIEW_HOURS = 24

# Which status may follow which. The identification workflow adds its decisions on top of this.
# Manual status changes. Closing and reopening are not among them: a closure needs written reasons and
# a supervisor's review, a reopening its own reasons, and both go through the closure review of the
# assistance layer (opennrm.assistance.closure).
TRANSITIONS: dict[str, set[str]] = {
    CaseStatus.REPORTED: {CaseStatus.SCREENING, CaseStatus.REFERRED},
    CaseStatus.SCREENING: {CaseStatus.REFERRED, CaseStatus.PRESUMED_VICTIM},
    CaseStatus.REFERRED: {
        CaseStatus.PRESUMED_VICTIM,
        CaseStatus.NOT_IDENTIFIED,
        CaseStatus.IDENTIFIED,
    },
    CaseStatus.PRESUMED_VICTIM: {CaseStatus.IDENTIFIED, CaseStatus.NOT_IDENTIFIED, CaseStatus.ASSISTED},
    CaseStatus.IDENTIFIED: {CaseStatus.ASSISTED},
    CaseStatus.NOT_IDENTIFIED: {CaseStatus.REFERRED},
    CaseStatus.ASSISTED: set(),
    CaseStatus.CLOSED: set(),
}


# What keeps a case from closing, registered by the apps above (open services, a current placement):
# check(case) -> a message, or "" when nothing stands in the way.
CLOSURE_CHECKS: list[Any] = []


def register_closure_check(check: Any) -> None:
    if check not in CLOSURE_CHECKS:
        CLOSURE_CHECKS.append(check)


def closure_blockers(case: Case) -> list[str]:
    return [m for m in (check(case) for check in CLOSURE_CHECKS) if m]


def involvement_params(organisation: Organisation, role: str) -> dict[str, Any]:
    """Timeline parameters naming an organisation in a role; a shelter's operator is where the person
    sleeps, so the event is marked for the whereabouts gate."""
    params: dict[str, Any] = {"org": organisation.name, "role": role}
    if role == InvolvementRole.SHELTER:
        params[WHEREABOUTS_PARAM] = True
    return params


def timeline_add(
    *,
    case: Case,
    user: Any,
    kind: str,
    params: dict | None = None,
    sensitivity: str = Sensitivity.GENERAL,
    at: dt.datetime | None = None,
) -> TimelineEvent:
    return TimelineEvent.objects.create(
        case=case,
        actor=user if getattr(user, "is_authenticated", False) else None,
        organisation_id=getattr(user, "organisation_id", None),
        kind=kind,
        params=params or {},
        sensitivity=sensitivity,
        at=at or clock.now(),
    )


def centre_organisation() -> Organisation | None:
    """The identifying body of the country (in Serbia the Centre for Protection of Victims)."""
    return (
        Organisation.objects.filter(type=OrganisationType.CENTRE, is_active=True, parent__isnull=True)
        .order_by("id")
        .first()
    )


def presumed_child(
    *,
    birth_date: str | None,
    birth_year: int | None,
    age_min: int | None,
    age_max: int | None,
    today: dt.date,
) -> bool:
    """CETS 197 Art. 10(3): where age is uncertain and the person may be under 18, treat as a child."""
    if birth_date:
        return age_on(dt.date.fromisoformat(birth_date), today) < 18
    if birth_year:
        # Without the day, someone born 18 years ago this year may still be 17.
        return today.year - birth_year <= 18
    if age_min is not None:
        return age_min < 18
    if age_max is not None:
        return age_max < 18
    return False


def clean_choice(value: Any, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise DomainError(_("Choose one of the listed values."), field=field)
    return value


def clean_text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError(_("Enter text."), field=field)
    value = value.strip()
    if required and not value:
        raise DomainError(_("This field is required."), field=field)
    if len(value) > limit:
        raise DomainError(_("At most %(n)d characters.") % {"n": limit}, field=field)
    return value


def clean_date(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(_("Enter a real date as YYYY-MM-DD."), field=field) from None


@transaction.atomic
def incident_create(*, user: Any, data: dict[str, Any]) -> Incident:
    title = clean_text(data.get("title"), "incident.title", 200, required=True)
    started = clean_date(data.get("started_on"), "incident.started_on")
    ended = clean_date(data.get("ended_on"), "incident.ended_on")
    if started and ended and ended < started:
        raise DomainError(_("The end cannot be before the start."), field="incident.ended_on")
    if started and started > clock.today():
        raise DomainError(_("The start cannot be in the future."), field="incident.started_on")
    forms = data.get("forms") or [ExploitationForm.UNKNOWN]
    if not isinstance(forms, list):
        raise DomainError(_("Choose one or more forms of exploitation."), field="incident.forms")
    for form in forms:
        clean_choice(form, ExploitationForm, "incident.forms")
    country = (data.get("country_of_exploitation") or home_country()).upper()
    if len(country) != 2 or not country.isalpha() or not country.isascii():
        raise DomainError(_("Enter a two-letter ISO country code."), field="incident.country_of_exploitation")
    incident = Incident.objects.create(
        code=codes.next_code("incident"),
        title=title,
        started_on=started,
        ended_on=ended,
        municipality=clean_text(data.get("municipality"), "incident.municipality", 120),
        country_of_exploitation=country,
        transnational=bool(data.get("transnational")) or country != settings.COUNTRY_CODE,
        organisation_id=user.organisation_id,
        created_by=user,
        updated_by=user,
    )
    IncidentForm.objects.bulk_create([IncidentForm(incident=incident, form=f) for f in sorted(set(forms))])
    IncidentSuspect.objects.bulk_create(
        [
            IncidentSuspect(incident=incident, created_by=user, updated_by=user, **suspect)
            for suspect in _clean_suspects(data.get("suspects"))
        ]
    )
    audit_record(actor=user, action="create", object_type="incident", object_id=incident.code)
    return incident


def _clean_suspects(value: Any) -> list[dict[str, Any]]:
    """Suspects under labels ("Suspect A", "the employer"): identities belong to the justice module."""
    if value in (None, ""):
        return []
    if not isinstance(value, list) or len(value) > 50:
        raise DomainError(_("Give at most 50 suspects."), field="incident.suspects")
    out = []
    for item in value:
        if not isinstance(item, dict):
            raise DomainError(_("Enter each suspect with a label and a role."), field="incident.suspects")
        out.append(
            {
                "label": clean_text(item.get("label"), "incident.suspects", 60, required=True),
                "role_in_process": clean_choice(
                    item.get("role_in_process") or IncidentSuspect.ProcessRole.UNKNOWN,
                    IncidentSuspect.ProcessRole,
                    "incident.suspects",
                ),
                "is_legal_person": bool(item.get("is_legal_person")),
            }
        )
    return out


def incident_for_user(*, user: Any, code: str) -> Incident:
    """An incident the user may see and attach a new person to: one of a case their organisation is
    actively involved in, or one it reported that has no case yet. Ending the involvement ends this too."""
    incident = Incident.objects.filter(code=code).first()
    if incident is None or not policy.has_perm(user, Perm.CASE_VIEW):
        raise NotFound()
    if policy.visible_cases(user).filter(incident=incident).exists():
        return incident
    if incident.organisation_id == user.organisation_id and not incident.cases.exists():
        return incident
    raise NotFound()


@transaction.atomic
def intake_register(
    *,
    user: Any,
    person_attributes: dict[str, Any],
    identity: dict[str, Any],
    referral_source: str,
    incident: Incident | None = None,
    incident_data: dict[str, Any] | None = None,
    summary: str = "",
) -> Case:
    """A first-line user registers a person of concern and opens a case.

    The reporter's organisation and the Centre (identifying body) are involved from the start, so
    the Centre sees every new case and nobody else does.
    """
    if not policy.has_perm(user, Perm.CASE_CREATE) or not user.organisation_id:
        raise PermissionDenied()
    clean_choice(referral_source, ReferralSource, "referral_source")
    summary = clean_text(summary, "summary", 4000)
    if incident is None:
        incident = incident_create(user=user, data=incident_data or {})
    person = person_create(user=user, attributes=person_attributes, identity=identity)
    birth_date = None
    if identity.get("birth_date"):
        birth_date = str(identity["birth_date"])
    case = Case(
        code=codes.next_code("case"),
        person=person,
        incident=incident,
        status=CaseStatus.REPORTED,
        opened_by_organisation_id=user.organisation_id,
        referral_source=referral_source,
        is_child=presumed_child(
            birth_date=birth_date,
            birth_year=person.birth_year,
            age_min=person.age_estimate_min,
            age_max=person.age_estimate_max,
            today=clock.today(),
        ),
        created_by=user,
        updated_by=user,
    )
    case.full_clean(exclude=["person", "incident", "opened_by_organisation"])
    case.save()
    centre = centre_organisation()
    reporter_role = InvolvementRole.REPORTER
    if centre is not None and centre.pk == user.organisation_id:
        reporter_role = InvolvementRole.IDENTIFYING_BODY
    Involvement.objects.create(
        case=case, organisation_id=user.organisation_id, role=reporter_role, created_by=user, updated_by=user
    )
    if centre is not None and centre.pk != user.organisation_id:
        Involvement.objects.create(
            case=case,
            organisation=centre,
            role=InvolvementRole.IDENTIFYING_BODY,
            created_by=user,
            updated_by=user,
        )
    timeline_add(case=case, user=user, kind="case_opened", params={"org": user.organisation.name})
    timeline_add(case=case, user=user, kind="person_registered", params={"code": person.code})
    if summary:
        # The reporter's account of the situation is free text about a person: an encrypted note, not a column.
        note_add(user=user, case=case, sensitivity=Sensitivity.GENERAL, text=summary)
    if centre is not None:
        task = CaseTask.objects.create(
            case=case,
            # Stored untranslated (the source text) and translated when shown, in each reader's language.
            title=gettext_noop("Review the new report"),
            due_at=clock.now() + dt.timedelta(hours=FIRST_REVIEW_HOURS),
            organisation=centre,
            created_by=user,
            updated_by=user,
        )
        timeline_add(case=case, user=user, kind="task_added", params={"title": task.title})
    audit_record(
        actor=user,
        action="create",
        object_type="case",
        object_id=case.code,
        case_code=case.code,
        detail={"person": person.code, "incident": incident.code},
    )
    return case


@transaction.atomic
def case_update(*, user: Any, case: Case, expected_version: int, data: dict[str, Any]) -> Case:
    policy.require(user, Perm.CASE_EDIT, case)
    fields: dict[str, Any] = {}
    for key in data:
        if key not in {"referral_source", "is_child"}:
            raise DomainError(_("Unknown field."), field=key)
    if "referral_source" in data:
        fields["referral_source"] = clean_choice(data["referral_source"], ReferralSource, "referral_source")
    if "is_child" in data:
        if not isinstance(data["is_child"], bool):
            raise DomainError(_("Choose yes or no."), field="is_child")
        fields["is_child"] = data["is_child"]
    update_versioned(case, expected_version=expected_version, user=user, fields=fields)
    timeline_add(case=case, user=user, kind="case_updated", params={"fields": sorted(fields)})
    audit_record(
        actor=user,
        action="update",
        object_type="case",
        object_id=case.code,
        case_code=case.code,
        detail={"fields": sorted(fields)},
    )
    return case


def allowed_statuses(case: Case) -> list[str]:
    return sorted(TRANSITIONS.get(case.status, set()))


def case_status_set(
    *, user: Any, case: Case, status: str, expected_version: int | None = None, at: dt.datetime | None = None
) -> None:
    """The one write of a case's status: a manual change (``case_status_change``, which checks the
    transition) and every step of the workflow that moves the case on (a referral, a decision, a
    closure) come here. Versioned like every case write; on the timeline; ``closed_at`` follows."""
    if case.status == status:
        return
    old = case.status
    at = at or clock.now()
    if expected_version is None:
        # A step of the workflow: it acts on the case as it is now.
        case.refresh_from_db(fields=["version", "status"])
        expected_version = case.version
    update_versioned(
        case,
        expected_version=expected_version,
        user=user,
        fields={
            "status": status,
            "status_changed_at": at,
            "closed_at": at if status == CaseStatus.CLOSED else None,
        },
    )
    timeline_add(case=case, user=user, kind="status_changed", params={"old": old, "new": status})


def cases_status_set(*, user: Any, cases: list[Case], status: str, at: dt.datetime, events: list) -> None:
    """``case_status_set`` for a group moved on together (one UPDATE); the timeline events are added to
    ``events`` for the caller's bulk insert."""
    moving = [c for c in cases if c.status != status]
    if not moving:
        return
    Case.objects.filter(pk__in=[c.pk for c in moving]).update(
        status=status,
        status_changed_at=at,
        closed_at=at if status == CaseStatus.CLOSED else None,
        version=F("version") + 1,
        updated_by=user,
        updated_at=at,
    )
    for case in moving:
        events.append(
            TimelineEvent(
                case_id=case.pk,
                actor_id=user.pk if getattr(user, "is_authenticated", False) else None,
                organisation_id=user.organisation_id,
                kind="status_changed",
                params={"old": case.status, "new": status},
                at=at,
            )
        )
        case.status, case.status_changed_at, case.version = status, at, case.version + 1


@transaction.atomic
def case_status_change(*, user: Any, case: Case, expected_version: int, status: str) -> Case:
    policy.require(user, Perm.CASE_EDIT, case)
    clean_choice(status, CaseStatus, "status")
    old = case.status
    if status not in allowed_statuses(case):
        raise DomainError(
            _("A case cannot go from %(old)s to %(new)s.")
            % {"old": CaseStatus(old).label, "new": CaseStatus(status).label},
            field="status",
        )
    case_status_set(user=user, case=case, status=status, expected_version=expected_version)
    audit_record(
        actor=user,
        action="update",
        object_type="case",
        object_id=case.code,
        case_code=case.code,
        detail={"fields": ["status"], "old": old, "new": status},
    )
    return case


@transaction.atomic
def involvement_add(
    *, user: Any, case: Case, organisation: Organisation, role: str, started_at: dt.datetime | None = None
) -> Involvement:
    policy.require(user, Perm.INVOLVEMENT_MANAGE, case)
    clean_choice(role, InvolvementRole, "role")
    if not organisation.is_active:
        raise DomainError(_("This organisation is not active."), field="organisation")
    if Involvement.objects.active().filter(case=case, organisation=organisation, role=role).exists():
        raise DomainError(_("This organisation already has this role in the case."), field="role")
    involvement = Involvement.objects.create(
        case=case,
        organisation=organisation,
        role=role,
        started_at=started_at or clock.now(),
        created_by=user,
        updated_by=user,
    )
    policy.forget()
    timeline_add(
        case=case, user=user, kind="involvement_added", params=involvement_params(organisation, role)
    )
    audit_record(
        actor=user,
        action="permission_change",
        object_type="involvement",
        object_id=involvement.pk,
        case_code=case.code,
        detail={"organisation": organisation.code, "role": role, "granted": True},
    )
    return involvement


@transaction.atomic
def involvement_end(
    *, user: Any, involvement: Involvement, reason: str, expected_version: int
) -> Involvement:
    case = involvement.case
    policy.require(user, Perm.INVOLVEMENT_MANAGE, case)
    reason = clean_text(reason, "end_reason", 300, required=True)
    if involvement.ended_at is not None:
        raise DomainError(_("This involvement has already ended."), field="ended_at")
    remaining = (
        Involvement.objects.active()
        .filter(case=case, role__in=[InvolvementRole.IDENTIFYING_BODY, InvolvementRole.CASE_COORDINATION])
        .exclude(pk=involvement.pk)
    )
    if (
        involvement.role in {InvolvementRole.IDENTIFYING_BODY, InvolvementRole.CASE_COORDINATION}
        and not remaining.exists()
    ):
        raise DomainError(_("A case must keep one coordinating organisation."), field="role")
    update_versioned(
        involvement,
        expected_version=expected_version,
        user=user,
        fields={"ended_at": clock.now(), "end_reason": reason},
    )
    policy.forget()
    timeline_add(
        case=case,
        user=user,
        kind="involvement_ended",
        params=involvement_params(involvement.organisation, involvement.role),
    )
    audit_record(
        actor=user,
        action="permission_change",
        object_type="involvement",
        object_id=involvement.pk,
        case_code=case.code,
        detail={"organisation": involvement.organisation.code, "role": involvement.role, "granted": False},
    )
    return involvement


def _require_sensitivity(user: Any, case: Case, sensitivity: str) -> None:
    """Notes and documents: the case must be in scope and the role must read (so write) the class."""
    if not policy.can(user, Perm.CASE_VIEW, case):
        raise NotFound()
    clean_choice(sensitivity, Sensitivity, "sensitivity")
    if not policy.can(user, Perm.NOTE_ADD, case, field=sensitivity):
        raise DomainError(_("Your role cannot add content of this sensitivity."), field="sensitivity")


@transaction.atomic
def note_add(*, user: Any, case: Case, sensitivity: str, text: str) -> CaseNote:
    _require_sensitivity(user, case, sensitivity)
    text = clean_text(text, "text", MAX_NOTE, required=True)
    # The case code is the associated data: a note's ciphertext cannot be moved to another case.
    key_id, blob = crypto.encrypt({"text": text}, aad=note_aad(case.code))
    note = CaseNote.objects.create(
        case=case,
        sensitivity=sensitivity,
        organisation_id=user.organisation_id,
        created_by=user,
        updated_by=user,
        data_key_id=key_id,
        ciphertext=blob,
    )
    timeline_add(
        case=case, user=user, kind="note_added", params={"sensitivity": sensitivity}, sensitivity=sensitivity
    )
    audit_record(
        actor=user,
        action="create",
        object_type="note",
        object_id=note.pk,
        case_code=case.code,
        detail={"sensitivity": sensitivity},
    )
    return note


@transaction.atomic
def document_add(
    *, user: Any, case: Case, sensitivity: str, title: str, filename: str, content_type: str, content: bytes
) -> CaseDocument:
    _require_sensitivity(user, case, sensitivity)
    title = clean_text(title, "title", 200, required=True)
    if not content:
        raise DomainError(_("The file is empty."), field="file")
    if len(content) > MAX_DOCUMENT_BYTES:
        raise DomainError(_("The file is larger than 10 MB."), field="file")
    key_id, blob = crypto.encrypt({"b64": base64.b64encode(content).decode()}, aad=document_aad(case.code))
    doc = CaseDocument.objects.create(
        case=case,
        sensitivity=sensitivity,
        title=title,
        filename=filename[:200],
        content_type=content_type[:100],
        size=len(content),
        organisation_id=user.organisation_id,
        created_by=user,
        updated_by=user,
        data_key_id=key_id,
        ciphertext=blob,
    )
    timeline_add(
        case=case,
        user=user,
        kind="document_added",
        params={"sensitivity": sensitivity},
        sensitivity=sensitivity,
    )
    audit_record(
        actor=user,
        action="create",
        object_type="document",
        object_id=doc.pk,
        case_code=case.code,
        detail={"sensitivity": sensitivity, "size": len(content)},
    )
    return doc


@transaction.atomic
def task_add(
    *, user: Any, case: Case, title: str, due_at: dt.datetime, organisation: Organisation | None = None
) -> CaseTask:
    policy.require(user, Perm.TASK_MANAGE, case)
    title = clean_text(title, "title", 200, required=True)
    organisation = organisation or user.organisation
    if not Involvement.objects.active().filter(case=case, organisation=organisation).exists():
        raise DomainError(_("Tasks go to organisations involved in the case."), field="organisation")
    task = CaseTask.objects.create(
        case=case, title=title, due_at=due_at, organisation=organisation, created_by=user, updated_by=user
    )
    timeline_add(case=case, user=user, kind="task_added", params={"title": title})
    audit_record(actor=user, action="create", object_type="task", object_id=task.pk, case_code=case.code)
    return task


@transaction.atomic
def task_complete(*, user: Any, task: CaseTask, expected_version: int) -> CaseTask:
    if not policy.can(user, Perm.CASE_VIEW, task.case):
        raise NotFound()
    if not task.completable_by(user):
        if task.done_at is not None:
            raise DomainError(_("This task is already done."), field="done_at")
        raise NotFound()
    update_versioned(task, expected_version=expected_version, user=user, fields={"done_at": clock.now()})
    timeline_add(case=task.case, user=user, kind="task_done", params={"title": task.title})
    audit_record(actor=user, action="update", object_type="task", object_id=task.pk, case_code=task.case.code)
    return task


@transaction.atomic
def person_update(
    *,
    user: Any,
    person: Any,
    expected_version: int,
    attributes: dict[str, Any],
    identity: dict[str, Any] | None,
) -> Any:
    """Edit a person and say so on the timeline of every case of theirs the user sees, in one transaction."""
    people_services.person_update(
        user=user, person=person, expected_version=expected_version, attributes=attributes, identity=identity
    )
    for case in policy.visible_cases(user).filter(person=person):
        timeline_add(
            case=case, user=user, kind="identity_updated" if identity is not None else "case_updated"
        )
    return person


# A group case (a workplace raid, a boat) is registered in one step. Above this, split the group: the
# form, the upload and the one transaction are sized for it.
MAX_GROUP = 5000


@transaction.atomic
def intake_register_group(
    *,
    user: Any,
    incident: Incident,
    persons: list[tuple[dict[str, Any], dict[str, Any]]],
    referral_source: str,
    summary: str = "",
) -> list[Case]:
    """Register a group of persons found together and open one case each, in one incident.

    The bulk twin of ``intake_register``: the same policy, child presumption and involvements (the
    reporter's organisation and the Centre), but bulk inserts, one review task for the whole group
    instead of one per case (500 identical tasks would bury the Centre's list) and one audit entry.
    The number of queries does not grow with the group (beyond the database's own insert batches).
    """
    if not policy.has_perm(user, Perm.CASE_CREATE) or not user.organisation_id:
        raise PermissionDenied()
    clean_choice(referral_source, ReferralSource, "referral_source")
    summary = clean_text(summary, "summary", 4000)
    if not persons:
        raise DomainError(_("Add at least one person."), field="persons")
    if len(persons) > MAX_GROUP:
        raise DomainError(
            _("At most %(n)d persons can be registered in one step.") % {"n": MAX_GROUP}, field="persons"
        )
    if summary and not (
        policy.has_perm(user, Perm.NOTE_ADD) and Sensitivity.GENERAL in policy.readable_sensitivities(user)
    ):
        raise DomainError(_("Your role cannot add content of this sensitivity."), field="sensitivity")
    people = people_services.person_create_many(user=user, rows=persons)
    today = clock.today()
    now = clock.now()
    cases: list[Case] = []
    for person, (_attributes, identity), code in zip(
        people, persons, codes.next_codes("case", len(people)), strict=True
    ):
        birth_date = str(identity["birth_date"]) if identity.get("birth_date") else None
        cases.append(
            Case(
                code=code,
                person=person,
                incident=incident,
                status=CaseStatus.REPORTED,
                status_changed_at=now,
                opened_at=now,
                opened_by_organisation_id=user.organisation_id,
                referral_source=referral_source,
                is_child=presumed_child(
                    birth_date=birth_date,
                    birth_year=person.birth_year,
                    age_min=person.age_estimate_min,
                    age_max=person.age_estimate_max,
                    today=today,
                ),
                created_by=user,
                updated_by=user,
            )
        )
    # Every case shares its values but the code, the person and the child flag: the field rules of one
    # are the field rules of all (the unique person-incident pair holds: every person is new).
    cases[0].full_clean(
        exclude=["person", "incident", "opened_by_organisation", "created_by", "updated_by"],
        validate_unique=False,
        validate_constraints=False,
    )
    Case.objects.bulk_create(cases)
    person_codes = {case.pk: person.code for case, person in zip(cases, people, strict=True)}

    centre = centre_organisation()
    reporter_role = InvolvementRole.REPORTER
    if centre is not None and centre.pk == user.organisation_id:
        reporter_role = InvolvementRole.IDENTIFYING_BODY
    involvements: list[Involvement] = []
    for case in cases:
        involvements.append(
            Involvement(
                case_id=case.pk,
                organisation_id=user.organisation_id,
                role=reporter_role,
                started_at=now,
                created_by_id=user.pk,
                updated_by_id=user.pk,
            )
        )
        if centre is not None and centre.pk != user.organisation_id:
            involvements.append(
                Involvement(
                    case_id=case.pk,
                    organisation_id=centre.pk,
                    role=InvolvementRole.IDENTIFYING_BODY,
                    started_at=now,
                    created_by_id=user.pk,
                    updated_by_id=user.pk,
                )
            )
    Involvement.objects.bulk_create(involvements)
    policy.forget()

    actor_id = user.pk if getattr(user, "is_authenticated", False) else None
    org_name = user.organisation.name
    events: list[TimelineEvent] = []
    for case in cases:
        events.append(
            TimelineEvent(
                case_id=case.pk,
                actor_id=actor_id,
                organisation_id=user.organisation_id,
                kind="case_opened",
                params={"org": org_name},
                at=now,
            )
        )
        events.append(
            TimelineEvent(
                case_id=case.pk,
                actor_id=actor_id,
                organisation_id=user.organisation_id,
                kind="person_registered",
                params={"code": person_codes[case.pk]},
                at=now,
            )
        )
    if summary:
        # The reporter's account concerns every person of the group: an encrypted note in each case
        # (a note's ciphertext is bound to its case, so it is encrypted once per case).
        key = crypto.active_key()
        notes = []
        for case in cases:
            key_id, blob = crypto.encrypt({"text": summary}, aad=note_aad(case.code), key=key)
            notes.append(
                CaseNote(
                    case_id=case.pk,
                    sensitivity=Sensitivity.GENERAL,
                    organisation_id=user.organisation_id,
                    created_by_id=user.pk,
                    updated_by_id=user.pk,
                    data_key_id=key_id,
                    ciphertext=blob,
                )
            )
            events.append(
                TimelineEvent(
                    case_id=case.pk,
                    actor_id=actor_id,
                    organisation_id=user.organisation_id,
                    kind="note_added",
                    params={"sensitivity": Sensitivity.GENERAL},
                    sensitivity=Sensitivity.GENERAL,
                    at=now,
                )
            )
        CaseNote.objects.bulk_create(notes)
    if centre is not None:
        task = CaseTask.objects.create(
            case=cases[0],
            # Stored untranslated (the source text) and translated when shown, in each reader's language.
            title=gettext_noop("Review the group report"),
            due_at=now + dt.timedelta(hours=FIRST_REVIEW_HOURS),
            organisation=centre,
            created_by=user,
            updated_by=user,
        )
        events.append(
            TimelineEvent(
                case_id=cases[0].pk,
                actor_id=actor_id,
                organisation_id=user.organisation_id,
                kind="task_added",
                params={"title": task.title},
                at=now,
            )
        )
    TimelineEvent.objects.bulk_create(events)
    audit_record(
        actor=user,
        action="create",
        object_type="case",
        object_id=cases[0].code,
        case_code=cases[0].code,
        detail={
            "count": len(cases),
            "first": cases[0].code,
            "last": cases[-1].code,
            "persons": [people[0].code, people[-1].code],
            "incident": incident.code,
            "children": sum(1 for c in cases if c.is_child),
        },
    )
    return cases
