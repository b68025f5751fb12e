"""HTML views for cases and persons: parse, call a selector or service, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as djforms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from opennrm import policy
from opennrm.accounts.roles import Perm
from opennrm.audit.services import audit_record
from opennrm.cases import selectors, services
from opennrm.cases.forms import (
    CaseEditForm,
    CaseSearchForm,
    DocumentForm,
    IntakeForm,
    InvolvementEndForm,
    InvolvementForm,
    NoteForm,
    PersonEditForm,
    StatusForm,
    TaskDoneForm,
    TaskForm,
)
from opennrm.cases.timeline import describe
from opennrm.core.http import access
from opennrm.core.pagination import CappedPaginator
from opennrm.lib.errors import DomainError, NotFound
from opennrm.people import selectors as people_selectors


def _apply_error(form: djforms.Form, exc: DomainError) -> None:
    field = (exc.field or "").split(".")[-1]
    aliases = {"forms": "forms_of_exploitation", "title": "incident_title"}
    field = aliases.get(field, field) if field not in form.fields else field
    form.add_error(field if field in form.fields and field != "version" else None, exc.message)


def _lines(value: str) -> list[str]:
    return [v.strip() for v in (value or "").splitlines() if v.strip()]


def _commas(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _attributes_from(d: dict[str, Any]) -> dict[str, Any]:
    """Person attributes from the intake or person form (both share these fields)."""
    return {
        "sex": d["sex"],
        "citizenship": d["citizenship"] or "",
        "languages": _commas(d["languages"]),
        "interpreter_needed": d["interpreter_needed"],
        "disability": d["disability"],
    }


def _identity_from(d: dict[str, Any]) -> dict[str, Any]:
    """Identity fields from a form; fields the form does not have are left out, not emptied."""
    identity = {
        "given_names": d["given_names"],
        "family_names": d["family_names"],
        "aliases": _lines(d["aliases"]),
        "birth_date": d["birth_date"].isoformat() if d["birth_date"] else None,
        "contacts": _lines(d["contacts"]),
    }
    for key in ("documents", "addresses"):
        if key in d:
            identity[key] = _lines(d[key])
    return identity


@access("perm", Perm.CASE_VIEW)
def case_list_view(request: HttpRequest) -> HttpResponse:
    form = CaseSearchForm(request.GET or None)
    filters = selectors.CaseFilters()
    if form.is_valid():
        d = form.cleaned_data
        filters = selectors.CaseFilters(
            q=d.get("q") or "",
            status=d.get("status") or "",
            year=d.get("year"),
            child={"yes": True, "no": False}.get(d.get("child") or ""),
        )
    page = CappedPaginator(selectors.case_list(user=request.user, filters=filters), 25).get_page(
        request.GET.get("page")
    )
    names = people_selectors.identities_for_list(
        user=request.user, persons=[c.person for c in page.object_list]
    )
    rows = [{"case": c, "identity": names.get(c.person_id)} for c in page.object_list]
    template = "cases/_case_rows.html" if request.headers.get("HX-Request") else "cases/list.html"
    return render(request, template, {"form": form, "page": page, "rows": rows})


@access("perm", Perm.CASE_CREATE, methods=("GET", "POST"))
def intake_view(request: HttpRequest) -> HttpResponse:
    form = IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            with transaction.atomic():
                incident = None
                if d["incident_code"]:
                    try:
                        incident = services.incident_for_user(
                            user=request.user, code=d["incident_code"].strip()
                        )
                    except NotFound:
                        raise DomainError(
                            _("No incident with this code is known to your organisation."),
                            field="incident_code",
                        ) from None
                case = services.intake_register(
                    user=request.user,
                    person_attributes={
                        **_attributes_from(d),
                        "age_estimate_min": d["age_estimate_min"],
                        "age_estimate_max": d["age_estimate_max"],
                    },
                    identity=_identity_from(d),
                    referral_source=d["referral_source"],
                    incident=incident,
                    incident_data={
                        "title": d["incident_title"],
                        "municipality": d["municipality"],
                        "country_of_exploitation": d["country_of_exploitation"],
                        "started_on": d["started_on"],
                        "forms": d["forms_of_exploitation"],
                        "suspects": [{"label": label} for label in _lines(d["suspects"])],
                    },
                    summary=d["summary"],
                )
            messages.success(
                request,
                _("Case %(code)s opened. The Centre for Protection of Victims has been informed.")
                % {"code": case.code},
            )
            return redirect("cases:detail", code=case.code)
        except DomainError as exc:
            _apply_error(form, exc)
            audit_record(
                actor=request.user, action="rejected", object_type="case", detail={"field": exc.field or ""}
            )
    return render(request, "cases/intake.html", {"form": form}, status=400 if form.errors else 200)


# Apps above cases (identification, assistance…) add sections to the case page: each registers, in
# AppConfig.ready(), a function returning {"template": …, …context} or None for this user and case.
CASE_PANELS: list[Callable[[HttpRequest, Any], dict[str, Any] | None]] = []


def register_case_panel(panel: Callable[[HttpRequest, Any], dict[str, Any] | None]) -> None:
    if panel not in CASE_PANELS:
        CASE_PANELS.append(panel)


def _case_context(request: HttpRequest, case: Any) -> dict[str, Any]:
    user = request.user
    identity = None
    if policy.can(user, Perm.IDENTITY_VIEW, case.person):
        identity = people_selectors.identity_read(user=user, person=case.person, purpose="case page")
    timeline = [{"event": e, "text": describe(e)} for e in selectors.case_timeline(user=user, case=case)]
    readable = policy.readable_sensitivities(user)
    tasks = selectors.case_tasks(user=user, case=case)
    return {
        "case": case,
        "person": case.person,
        "identity": identity,
        "timeline": timeline,
        "notes": selectors.case_notes(user=user, case=case),
        "documents": selectors.case_documents(user=user, case=case),
        "involvements": selectors.case_involvements(user=user, case=case),
        "tasks": tasks,
        "completable_tasks": {t.pk for t in tasks if t.completable_by(user)},
        "forms": case.incident.forms,
        "may": {
            "edit": policy.can(user, Perm.CASE_EDIT, case),
            "note": policy.has_perm(user, Perm.NOTE_ADD) and bool(readable),
            "involve": policy.can(user, Perm.INVOLVEMENT_MANAGE, case),
            "task": policy.can(user, Perm.TASK_MANAGE, case),
            "identity_edit": policy.can(user, Perm.IDENTITY_EDIT, case.person),
        },
        "note_form": NoteForm(allowed=readable, auto_id="note_%s"),
        "involvement_form": InvolvementForm(auto_id="involvement_%s"),
        "task_form": TaskForm(auto_id="task_%s"),
        "document_form": DocumentForm(auto_id="document_%s"),
        "status_form": StatusForm(initial={"version": case.version}),
        "allowed_statuses": services.allowed_statuses(case),
        "panels": [p for p in (panel(request, case) for panel in CASE_PANELS) if p],
    }


@access("case", Perm.CASE_VIEW)
def case_detail_view(request: HttpRequest, code: str) -> HttpResponse:
    case = selectors.case_get(user=request.user, code=code)
    audit_record(
        actor=request.user, action="read", object_type="case", object_id=case.code, case_code=case.code
    )
    return render(request, "cases/detail.html", _case_context(request, case))


@access("case", Perm.CASE_EDIT, methods=("GET", "POST"))
def case_edit_view(request: HttpRequest, code: str) -> HttpResponse:
    case = selectors.case_get(user=request.user, code=code)
    policy.require(request.user, Perm.CASE_EDIT, case)
    form = CaseEditForm(
        request.POST or None,
        initial={
            "referral_source": case.referral_source,
            "is_child": case.is_child,
            "version": case.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        version = d.pop("version")
        try:
            services.case_update(user=request.user, case=case, expected_version=version, data=d)
            messages.success(request, _("Saved."))
            return redirect("cases:detail", code=case.code)
        except DomainError as exc:
            _apply_error(form, exc)
    return render(
        request, "cases/edit.html", {"form": form, "case": case}, status=400 if form.errors else 200
    )


def post_case_action(request: HttpRequest, case: Any, form: djforms.Form, action: Any) -> HttpResponse:
    """Run a small action from the case page; errors come back as a message, nothing is half-written.

    Used by the case page's sections of the apps above cases too."""
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return redirect("cases:detail", code=case.code)
    try:
        action(form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
        audit_record(
            actor=request.user,
            action="rejected",
            object_type="case",
            object_id=case.code,
            case_code=case.code,
            detail={"field": exc.field or ""},
        )
    return redirect("cases:detail", code=case.code)


@access("case", Perm.CASE_EDIT, methods=("POST",))
def case_status_view(request: HttpRequest, code: str) -> HttpResponse:
    case = selectors.case_get(user=request.user, code=code)
    policy.require(request.user, Perm.CASE_EDIT, case)
    return post_case_action(
        request,
        case,
        StatusForm(request.POST),
        lambda d: (
            services.case_status_change(
                user=request.user, case=case, expected_version=d["version"], status=d["status"]
            ),
            messages.success(request, _("Status changed.")),
        ),
    )


@access("case", Perm.NOTE_ADD, methods=("POST",))
def note_add_view(request: HttpRequest, code: str) -> HttpResponse:
    case = selectors.case_get(user=request.user, code=code)
    if not policy.has_perm(request.user, Perm.NOTE_ADD):
        raise NotFound()
    return post_case_action(
        request,
        case,
        NoteForm(request.POST),
        lambda d: (
            services.note_add(user=request.user, case=case, sensitivity=d["sensitivity"], text=d["text"]),
            messages.success(request, _("Note added.")),
        ),
    )


@access("case", Perm.NOTE_ADD, methods=("POST",))
def document_add_view(request: HttpRequest, code: str) -> HttpResponse:
    case = selectors.case_get(user=request.user, code=code)
    if not policy.has_perm(request.user, Perm.NOTE_ADD):
        raise NotFound()

    def run(d: dict[str, Any]) -> None:
        upload = d["file"]
        services.document_add(
            user=request.user,
            case=case,
            sensitivity=d["sensitivity"],
            title=d["title"],
            filename=upload.name,
            content_type=upload.content_type or "application/octet-stream",
            content=upload.read(services.MAX_DOCUMENT_BYTES + 1),
        )
        messages.success(request, _("Document added."))

    return post_case_action(request, case, DocumentForm(request.POST, request.FILES), run)


@access("case", Perm.CASE_VIEW)
def document_download_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, code=code)
    doc, content = selectors.document_content(user=request.user, case=case, pk=pk)
    response = HttpResponse(content, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="document-{doc.pk}"'
    return response


@access("case", Perm.INVOLVEMENT_MANAGE, methods=("POST",))
def involvement_add_view(request: HttpRequest, code: str) -> HttpResponse:
    case = selectors.case_get(user=request.user, code=code)
    policy.require(request.user, Perm.INVOLVEMENT_MANAGE, case)
    return post_case_action(
        request,
        case,
        InvolvementForm(request.POST),
        lambda d: (
            services.involvement_add(
                user=request.user, case=case, organisation=d["organisation"], role=d["role"]
            ),
            messages.success(request, _("Organisation involved.")),
        ),
    )


@access("case", Perm.INVOLVEMENT_MANAGE, methods=("POST",))
def involvement_end_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, code=code)
    policy.require(request.user, Perm.INVOLVEMENT_MANAGE, case)
    involvement = selectors.involvement_get(user=request.user, case=case, pk=pk)
    return post_case_action(
        request,
        case,
        InvolvementEndForm(request.POST),
        lambda d: (
            services.involvement_end(
                user=request.user, involvement=involvement, reason=d["reason"], expected_version=d["version"]
            ),
            messages.success(request, _("Involvement ended.")),
        ),
    )


@access("case", Perm.TASK_MANAGE, methods=("POST",))
def task_add_view(request: HttpRequest, code: str) -> HttpResponse:
    case = selectors.case_get(user=request.user, code=code)
    policy.require(request.user, Perm.TASK_MANAGE, case)
    return post_case_action(
        request,
        case,
        TaskForm(request.POST),
        lambda d: (
            services.task_add(user=request.user, case=case, title=d["title"], due_at=d["due_at"]),
            messages.success(request, _("Task added.")),
        ),
    )


@access("case", Perm.CASE_VIEW, methods=("POST",))
def task_done_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, code=code)
    task = selectors.task_get(user=request.user, pk=pk)
    if task.case_id != case.pk:
        raise NotFound()
    return post_case_action(
        request,
        case,
        TaskDoneForm(request.POST),
        lambda d: (
            services.task_complete(user=request.user, task=task, expected_version=d["version"]),
            messages.success(request, _("Task done.")),
        ),
    )


@access("person", Perm.CASE_VIEW)
def person_detail_view(request: HttpRequest, code: str) -> HttpResponse:
    person = people_selectors.person_get(user=request.user, code=code)
    identity = None
    if policy.can(request.user, Perm.IDENTITY_VIEW, person):
        identity = people_selectors.identity_read(user=request.user, person=person, purpose="person page")
    cases = policy.visible_cases(request.user).filter(person=person).select_related("incident")
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "identity": identity,
            "cases": cases,
            "may_edit": policy.can(request.user, Perm.IDENTITY_EDIT, person),
        },
    )


@access("person", Perm.IDENTITY_EDIT, methods=("GET", "POST"))
def person_edit_view(request: HttpRequest, code: str) -> HttpResponse:
    person = people_selectors.person_get(user=request.user, code=code)
    policy.require(request.user, Perm.IDENTITY_EDIT, person)
    identity = people_selectors.identity_read(user=request.user, person=person, purpose="edit") or {}
    initial = {
        "given_names": identity.get("given_names", ""),
        "family_names": identity.get("family_names", ""),
        "aliases": "\n".join(identity.get("aliases", [])),
        "birth_date": identity.get("birth_date"),
        "documents": "\n".join(identity.get("documents", [])),
        "addresses": "\n".join(identity.get("addresses", [])),
        "contacts": "\n".join(identity.get("contacts", [])),
        "sex": person.sex,
        "citizenship": person.citizenship,
        "languages": ", ".join(person.languages),
        "interpreter_needed": person.interpreter_needed,
        "disability": person.disability,
        "version": person.version,
    }
    form = PersonEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.person_update(
                user=request.user,
                person=person,
                expected_version=d["version"],
                attributes=_attributes_from(d),
                identity=_identity_from(d),
            )
            messages.success(request, _("Saved."))
            return redirect("cases:person", code=person.code)
        except DomainError as exc:
            _apply_error(form, exc)
            audit_record(
                actor=request.user,
                action="rejected",
                object_type="person",
                object_id=person.code,
                detail={"field": exc.field or ""},
            )
    return render(
        request, "people/edit.html", {"form": form, "person": person}, status=400 if form.errors else 200
    )
