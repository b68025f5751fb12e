"""Reads of cases, always for a given user, always through the policy."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from opennrm import policy
from opennrm.accounts import directory
from opennrm.accounts.roles import Perm
from opennrm.audit.services import audit_record
from opennrm.cases import sheet
from opennrm.cases.models import (
    WHEREABOUTS_PARAM,
    Case,
    CaseDocument,
    CaseNote,
    CaseTask,
    Incident,
    Involvement,
    InvolvementRole,
    TimelineEvent,
    document_aad,
    note_aad,
)
from opennrm.core import crypto
from opennrm.lib import clock
from opennrm.lib.errors import NotFound
from opennrm.people.selectors import person_ids_matching


@dataclass
class CaseFilters:
    q: str = ""
    status: str = ""
    year: int | None = None
    child: bool | None = None


def case_list(*, user: Any, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """Visible cases matching the filters. A free-text query matches the case, person or incident
    code, or — for roles allowed to search identities — a name, birth date or document number."""
    filters = filters or CaseFilters()
    qs = policy.visible_cases(user).select_related("person", "incident", "opened_by_organisation")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.year:
        qs = qs.filter(opened_at__year=filters.year)
    if filters.child is not None:
        qs = qs.filter(is_child=filters.child)
    q = filters.q.strip()
    if q:
        code_match = Q(code__iexact=q) | Q(person__code__iexact=q) | Q(incident__code__iexact=q)
        if policy.has_perm(user, Perm.IDENTITY_SEARCH) and not q.upper().startswith(user_country_prefix()):
            ids = person_ids_matching(q) or set()
            qs = qs.filter(code_match | Q(person_id__in=ids))
            # A search by identity reveals who is in the system: audited, without counting matches
            # outside the user's scope (the trail must not tell the oversight inspector either).
            audit_record(actor=user, action="search", object_type="person", detail={"kind": "identity"})
        else:
            qs = qs.filter(code_match)
    return qs.order_by("-opened_at", "-id")


def user_country_prefix() -> str:
    from django.conf import settings

    return settings.COUNTRY_CODE + "-"


def case_get(*, user: Any, code: str) -> Case:
    """The case of ``code`` if the user may see it (NotFound otherwise, never 403). One query decides both
    existence and access: it brings the roles of the user's organisation in the case along, for
    ``policy.case_access``."""
    if not policy.has_perm(user, Perm.CASE_VIEW) or not user.organisation_id:
        raise NotFound()
    case = (
        policy.with_access(Case.objects.filter(code=code), user)
        .select_related("person", "incident", "opened_by_organisation")
        .first()
    )
    if case is None or not policy.case_access(user, case).visible:
        raise NotFound()
    return case


def case_get_by_id(*, user: Any, pk: int) -> Case:
    case = policy.visible_cases(user).select_related("person", "incident").filter(pk=pk).first()
    if case is None:
        raise NotFound()
    return case


def resolve_case(user: Any, action: str | None, kwargs: dict[str, Any]) -> None:
    """The "case" scope of access declarations: the URL's ``code`` becomes the case, checked for
    ``action`` (registered with core.http in CasesConfig.ready)."""
    case = case_get(user=user, code=kwargs.pop("code"))
    if action:
        policy.case_access(user, case).require(action)
    kwargs["case"] = case


def resolve_person(user: Any, action: str | None, kwargs: dict[str, Any]) -> None:
    from opennrm.people.selectors import person_get

    person = person_get(user=user, code=kwargs.pop("code"))
    if action:
        policy.require(user, action, person)
    kwargs["person"] = person


def resolve_incident(user: Any, action: str | None, kwargs: dict[str, Any]) -> None:
    from opennrm.cases.services import incident_for_user

    incident = incident_for_user(user=user, code=kwargs.pop("code"))
    if action:
        policy.require(user, action)
    kwargs["incident"] = incident


def withhold_whereabouts(user: Any, events: list[TimelineEvent]) -> list[TimelineEvent]:
    """Events that name where the person is (a shelter's operator) show "withheld" instead, for users
    the whereabouts gate keeps out. The change is in memory only."""
    for e in events:
        params = e.params if isinstance(e.params, dict) else {}
        if params.get(WHEREABOUTS_PARAM) and not policy.may_see_whereabouts(user, e.case):
            e.params = {**params, "org": gettext("withheld")}
    return events


def case_timeline(*, user: Any, case: Case, limit: int = 200) -> list[TimelineEvent]:
    classes = policy.readable_sensitivities(user)
    events = sheet.rows(
        case,
        "timeline",
        lambda: case.timeline.select_related("actor", "organisation").order_by("-at", "-id")[:limit],
    )
    events = [e for e in events if e.sensitivity in classes][:limit]
    for e in events:
        Case.timeline.field.set_cached_value(e, case)  # the case is known: no query per event
    return withhold_whereabouts(user, events)


def case_involvements(*, user: Any, case: Case) -> list[Involvement]:
    """The organisations in the case, as far as the user may know of them: an involvement that tells
    of content of a class the user may not read is left out, and a shelter's operator is withheld
    from users who may not know where the person is (``inv.withheld``)."""
    classes = policy.readable_sensitivities(user)
    rows = sheet.rows(
        case,
        "involvements",
        lambda: case.involvements.select_related("organisation").order_by("started_at", "id"),
    )
    rows = [inv for inv in rows if inv.sensitivity in classes]
    hide_shelter = not policy.may_see_whereabouts(user, case)
    for inv in rows:
        inv.withheld = hide_shelter and inv.role == InvolvementRole.SHELTER
    return rows


def case_notes(*, user: Any, case: Case) -> list[dict[str, Any]]:
    """Decrypted notes of the sensitivity classes the user's role may read (audited)."""
    classes = policy.readable_sensitivities(user)
    notes = sheet.rows(case, "notes", lambda: case.notes.select_related("created_by", "organisation"))
    notes = [n for n in notes if n.sensitivity in classes]
    out = [
        {
            "id": n.pk,
            "sensitivity": n.sensitivity,
            "sensitivity_label": n.get_sensitivity_display(),
            "text": crypto.decrypt(n.data_key_id, n.ciphertext, aad=note_aad(case.code))["text"],
            "author": str(n.created_by) if n.created_by else "",
            "organisation": n.organisation.name,
            "created_at": n.created_at,
            "version": n.version,
        }
        for n in notes
    ]
    if out:
        audit_record(
            actor=user,
            action="read",
            object_type="note",
            case_code=case.code,
            detail={"notes": [n["id"] for n in out]},
        )
    return out


def case_documents(*, user: Any, case: Case) -> list[CaseDocument]:
    classes = policy.readable_sensitivities(user)
    rows = sheet.rows(
        case, "documents", lambda: case.documents.defer("ciphertext").select_related("organisation")
    )
    return [d for d in rows if d.sensitivity in classes]


def document_content(*, user: Any, case: Case, pk: int) -> tuple[CaseDocument, bytes]:
    doc = CaseDocument.objects.filter(case=case, pk=pk).first()
    if doc is None or not policy.can(user, "document.view", doc):
        raise NotFound()
    data = crypto.decrypt(doc.data_key_id, doc.ciphertext, aad=document_aad(case.code))
    audit_record(
        actor=user,
        action="export",
        object_type="document",
        object_id=doc.pk,
        case_code=case.code,
        detail={"size": doc.size},
    )
    return doc, base64.b64decode(data["b64"])


def case_tasks(*, user: Any, case: Case) -> list[CaseTask]:
    return sheet.rows(
        case,
        "tasks",
        lambda: case.tasks.select_related("organisation", "assignee").order_by("done_at", "due_at"),
    )


def involvement_get(*, user: Any, case: Case, pk: int) -> Involvement:
    inv = case.involvements.select_related("organisation", "case").filter(pk=pk).first()
    if inv is None:
        raise NotFound()
    return inv


def task_get(*, user: Any, pk: int) -> CaseTask:
    task = CaseTask.objects.select_related("case").filter(pk=pk, case__in=policy.visible_cases(user)).first()
    if task is None:
        raise NotFound()
    return task


def tasks_due_and_overdue(
    *, user: Any, limit: int = 20, cap: int | None = None
) -> tuple[list[CaseTask], int]:
    """The first ``limit`` open tasks of the user's organisation by due date, and how many are overdue
    (counted up to ``cap`` + 1: "100+" says enough), from one walk of the due-date index: overdue tasks
    come first in it, so the walk stops at the first task not yet due once it has ``limit``."""
    cap = OVERDUE_CAP if cap is None else cap
    if not user.organisation_id:
        return [], 0
    now = clock.now()
    open_tasks = CaseTask.objects.filter(organisation_id=user.organisation_id, done_at__isnull=True)
    keep: list[int] = []
    overdue = 0
    # Order by the indexed column alone and join the cases afterwards: see policy.iter_visible.
    for pk, due_at in policy.iter_visible(user, open_tasks.order_by("due_at", "id"), ("pk", "due_at")):
        late = due_at < now
        overdue += late
        if len(keep) < limit:
            keep.append(pk)
        if len(keep) >= limit and (not late or overdue > cap):
            break
    tasks = list(
        CaseTask.objects.filter(pk__in=keep)
        .select_related("case")
        .only("title", "due_at", "done_at", "organisation_id", "case__code")  # what the home page shows
        .order_by("due_at", "id")
    )
    return tasks, min(overdue, cap + 1)


ACTIVITY_WALK = 1000
ACTIVITY_FIELDS = (
    "at",
    "kind",
    "params",
    "sensitivity",
    "actor_id",
    "organisation_id",
    "case__code",
    "case__person__code",
    "case__person__whereabouts_restricted",
)


def recent_activity(*, user: Any, limit: int = 15) -> list[TimelineEvent]:
    classes = policy.readable_sensitivities(user)
    events = TimelineEvent.objects.filter(sensitivity__in=classes)
    # An organisation in most cases (the Centre) finds its latest events at the head of the timeline's
    # index: walk the head (policy.first_visible; one query joining the involvements made the planner hash
    # all of them first). One in few cases may not find them there: then one query through its
    # involvements, which are few. Either way the cost is bounded.
    found = policy.first_visible(user, events.order_by("-at", "-id"), limit, walk=ACTIVITY_WALK)
    events = events.filter(pk__in=found) if len(found) == limit else policy.within_visible_cases(user, events)
    rows = list(
        events.select_related("case__person")
        # The case's code and what the whereabouts gate reads of the person; the actor and the
        # organisation from the directory (full rows of the case and the person cost more to decode
        # than the query took to run).
        .only(*ACTIVITY_FIELDS)
        .order_by("-at", "-id")[:limit]
    )
    directory.attach(rows, actor="user", organisation="organisation")
    return withhold_whereabouts(user, rows)


COUNT_CAP = 1000


def open_cases_count(*, user: Any, cap: int = COUNT_CAP) -> int:
    """Open cases of the user's organisation, counted up to ``cap`` (the Centre coordinates every case:
    an exact count over all of them would cost more than the rest of its home page)."""
    if not policy.has_perm(user, policy.CASE_VIEW) or not user.organisation_id:
        return 0
    # From the organisation's involvements, newest case first (open cases are the recent ones), read
    # from their covering index (involvement_org_active_idx) and joined to the cases: from the cases'
    # side the database walked the registry probing the involvements of each case, to find a thousand.
    open_case_ids = (
        Involvement.objects.active()
        .filter(organisation_id=user.organisation_id)
        .exclude(case__status="closed")
        .values("organisation_id", "case_id")
        .order_by("organisation_id", "-case_id")
        .distinct()
    )
    return open_case_ids[: cap + 1].count()


def incidents_visible(*, user: Any) -> QuerySet[Incident]:
    """Incidents of the cases the user may see, and those their organisation reported that have no case yet."""
    return Incident.objects.filter(
        Q(cases__in=policy.visible_cases(user)) | Q(organisation_id=user.organisation_id, cases__isnull=True)
    ).distinct()


OVERDUE_CAP = 100


def note_get(*, user: Any, case: Case, pk: int) -> CaseNote:
    note = case.notes.filter(pk=pk).first()
    if note is None or not policy.can(user, "note.view", note):
        raise NotFound()
    return note
