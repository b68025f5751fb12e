"""HTML views for cases and persons: parse, call a selector or service, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as djforms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from opennrm import policy
from opennrm.accounts.roles import Perm
from opennrm.audit.services import audit_record
from opennrm.cases import selectors, services, sheet
from opennrm.cases.forms import (
    CaseEditForm,
    CaseSearchForm,
    DocumentForm,
    InvolvementEndForm,
    InvolvementForm,
    NoteForm,
    PersonEditForm,
    StatusForm,
    TaskDoneForm,
    TaskForm,
    apply_error,
    attributes_from,
    identity_from,
)
from opennrm.cases.models import Case
from opennrm.cases.timeline import describe
from opennrm.core.http import AuthenticatedHttpRequest, access
from opennrm.core.pagination import CappedPaginator
from opennrm.lib.errors import DomainError, NotFound
from opennrm.people import selectors as people_selectors
from opennrm.people.models import Person


@access("perm", Perm.CASE_VIEW)
def case_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
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


# Apps above cases (identification, assistance…) add sections to the case page: each registers, in
# AppConfig.ready(), a function returning {"template": …, …context} or None for this user and case.
CASE_PANELS: list[Callable[[AuthenticatedHttpRequest, Any], dict[str, Any] | None]] = []


def register_case_panel(panel: Callable[[AuthenticatedHttpRequest, Any], dict[str, Any] | None]) -> None:
    if panel not in CASE_PANELS:
        CASE_PANELS.append(panel)


def _case_context(request: AuthenticatedHttpRequest, case: Any) -> dict[str, Any]:
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
        "may": {
            "edit": policy.can(user, Perm.CASE_EDIT, case),
            "note": policy.has_perm(user, Perm.NOTE_ADD) and bool(readable),
            "involve": policy.can(user, Perm.INVOLVEMENT_MANAGE, case),
            "task": policy.can(user, Perm.TASK_MANAGE, case),
            "identity_edit": policy.can(user, Perm.IDENTITY_EDIT, case.person),
        },
        "status_form": StatusForm(initial={"version": case.version}),
        "allowed_statuses": services.allowed_statuses(case),
        "panels": [p for p in (panel(request, case) for panel in CASE_PANELS) if p],
    }


@access("case", Perm.CASE_VIEW)
def case_detail_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    # Every part of the case the page shows, in one query (see cases.sheet).
    parts = sheet.load(case)
    sheet.attach_children(
        [case.incident], parts["incident_forms"], fk="incident_id", cache="exploitation_forms"
    )
    sheet.attach_children([case.incident], parts["incident_suspects"], fk="incident_id", cache="suspects")
    audit_record(
        actor=request.user, action="read", object_type="case", object_id=case.code, case_code=case.code
    )
    return render(request, "cases/detail.html", _case_context(request, case))


@access("case", Perm.CASE_EDIT, methods=("GET", "POST"))
def case_edit_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
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
            apply_error(form, exc)
    return render(
        request, "cases/edit.html", {"form": form, "case": case}, status=400 if form.errors else 200
    )


def post_case_action(
    request: AuthenticatedHttpRequest, case: Any, form: djforms.Form, action: Any
) -> HttpResponse:
    """Run a small action from the case page; errors come back as a message, nothing is half-written.

    Used by the case page's sections of the apps above cases too."""
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            text = " ".join(map(str, errors))  # an ErrorList yields its messages as text
            messages.error(request, f"{label}: {text}" if label else text)
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


def post_case_message(
    request: AuthenticatedHttpRequest, case: Any, form: djforms.Form, action: Any
) -> HttpResponse:
    """``post_case_action`` whose ``action`` returns the success message to show."""
    return post_case_action(request, case, form, lambda d: messages.success(request, action(d)))


def case_form(
    request: AuthenticatedHttpRequest,
    case: Any,
    form: djforms.Form,
    action: Callable[[dict[str, Any]], str],
    *,
    title: str,
    submit: str = "",
    template: str = "",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """An action of the case page. GET answers with its form (a fragment for htmx, which loads it when
    the user opens the section; a page of its own without JavaScript); POST runs ``action``, which
    returns the message to show.

    Why forms are fetched on demand: a rich case page offers some thirty forms, and rendering their
    widgets (organisation and facility choices among them) cost more than everything else on the page.
    """
    if request.method == "POST":
        return post_case_message(request, case, form, action)
    context = {
        "case": case,
        "form": form,
        "title": title,
        "submit": submit or _("Save"),
        "action_url": request.path,
        "form_template": template or "cases/_form_fields.html",
        **(extra or {}),
    }
    if request.headers.get("HX-Request"):
        return render(request, "cases/_form.html", context)
    return render(request, "cases/form_page.html", context)


@access("case", Perm.CASE_EDIT, methods=("POST",))
def case_status_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    def run(d: dict[str, Any]) -> None:
        services.case_status_change(
            user=request.user, case=case, expected_version=d["version"], status=d["status"]
        )
        messages.success(request, _("Status changed."))

    return post_case_action(request, case, StatusForm(request.POST), run)


@access("case", Perm.NOTE_ADD, methods=("GET", "POST"))
def note_add_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    form = NoteForm(
        request.POST or None, allowed=policy.readable_sensitivities(request.user), auto_id="note_%s"
    )

    def run(d: dict[str, Any]) -> str:
        services.note_add(user=request.user, case=case, sensitivity=d["sensitivity"], text=d["text"])
        return _("Note added.")

    return case_form(request, case, form, run, title=_("Add a note"), submit=_("Add note"))


@access("case", Perm.NOTE_ADD, methods=("GET", "POST"))
def document_add_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    form = DocumentForm(request.POST or None, request.FILES or None, auto_id="document_%s")

    def run(d: dict[str, Any]) -> str:
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
        return _("Document added.")

    return case_form(request, case, form, run, title=_("Add a document"), submit=_("Upload"))


@access("case", Perm.CASE_VIEW)
def document_download_view(request: AuthenticatedHttpRequest, case: Case, pk: int) -> HttpResponse:
    doc, content = selectors.document_content(user=request.user, case=case, pk=pk)
    response = HttpResponse(content, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="document-{doc.pk}"'
    return response


@access("case", Perm.INVOLVEMENT_MANAGE, methods=("GET", "POST"))
def involvement_add_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    def run(d: dict[str, Any]) -> str:
        services.involvement_add(user=request.user, case=case, organisation=d["organisation"], role=d["role"])
        return _("Organisation involved.")

    form = InvolvementForm(request.POST or None, auto_id="involvement_%s")
    return case_form(request, case, form, run, title=_("Involve an organisation"), submit=_("Involve"))


@access("case", Perm.INVOLVEMENT_MANAGE, methods=("POST",))
def involvement_end_view(request: AuthenticatedHttpRequest, case: Case, pk: int) -> HttpResponse:
    involvement = selectors.involvement_get(user=request.user, case=case, pk=pk)

    def run(d: dict[str, Any]) -> None:
        services.involvement_end(
            user=request.user, involvement=involvement, reason=d["reason"], expected_version=d["version"]
        )
        messages.success(request, _("Involvement ended."))

    return post_case_action(request, case, InvolvementEndForm(request.POST), run)


@access("case", Perm.TASK_MANAGE, methods=("GET", "POST"))
def task_add_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    def run(d: dict[str, Any]) -> str:
        services.task_add(user=request.user, case=case, title=d["title"], due_at=d["due_at"])
        return _("Task added.")

    form = TaskForm(request.POST or None, auto_id="task_%s")
    return case_form(request, case, form, run, title=_("Add a task"), submit=_("Add task"))


@access("case", Perm.CASE_VIEW, methods=("POST",))
def task_done_view(request: AuthenticatedHttpRequest, case: Case, pk: int) -> HttpResponse:
    task = selectors.task_get(user=request.user, pk=pk)
    if task.case_id != case.pk:
        raise NotFound()

    def run(d: dict[str, Any]) -> None:
        services.task_complete(user=request.user, task=task, expected_version=d["version"])
        messages.success(request, _("Task done."))

    return post_case_action(request, case, TaskDoneForm(request.POST), run)


@access("person", Perm.CASE_VIEW)
def person_detail_view(request: AuthenticatedHttpRequest, person: Person) -> HttpResponse:
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
def person_edit_view(request: AuthenticatedHttpRequest, person: Person) -> HttpResponse:
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
                attributes=attributes_from(d),
                identity=identity_from(d),
            )
            messages.success(request, _("Saved."))
            return redirect("cases:person", code=person.code)
        except DomainError as exc:
            apply_error(form, exc)
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
