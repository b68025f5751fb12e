"""The group intake page: one incident, many persons, from a table form or a CSV file."""

from __future__ import annotations

import urllib.parse
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from opennrm.accounts.forms import OrganisationChoice
from opennrm.accounts.models import Organisation, OrganisationType
from opennrm.accounts.roles import Perm
from opennrm.audit.services import audit_record
from opennrm.cases.models import ExploitationForm, ReferralSource
from opennrm.core.http import AuthenticatedHttpRequest, access
from opennrm.intake import group
from opennrm.lib.country import home_country
from opennrm.lib.errors import DomainError
from opennrm.lib.scripts import in_active_script
from opennrm.people.models import Sex

START_ROWS = 10
ADD_ROWS = 10
# Each row is 12 form fields and Django refuses more than DATA_UPLOAD_MAX_NUMBER_FIELDS (2,000) per
# request: larger groups come as a CSV file.
MAX_TABLE_ROWS = 100

COLUMN_LABELS: dict[str, Any] = {
    "given_names": gettext_lazy("Given name(s)"),
    "family_names": gettext_lazy("Family name(s)"),
    "sex": gettext_lazy("Sex"),
    "birth_date": gettext_lazy("Date of birth"),
    "birth_year": gettext_lazy("Year of birth"),
    "age_min": gettext_lazy("Age from"),
    "age_max": gettext_lazy("Age to"),
    "citizenship": gettext_lazy("Citizenship"),
    "languages": gettext_lazy("Languages"),
    "interpreter_needed": gettext_lazy("Interpreter"),
    "document_number": gettext_lazy("Document number"),
    "phone": gettext_lazy("Phone"),
}


class GroupIntakeForm(forms.Form):
    """Everything but the persons (the table rows are read from the POST by ``_table_rows``)."""

    incident_code = forms.CharField(
        label=gettext_lazy("Existing incident code"),
        max_length=32,
        required=False,
        help_text=gettext_lazy(
            "To add the group to an incident already reported. Otherwise describe it below."
        ),
    )
    incident_title = forms.CharField(
        label=gettext_lazy("What was seen, in brief"),
        max_length=200,
        required=False,
        help_text=gettext_lazy('No names: for example "Workers kept in a factory in Subotica".'),
    )
    municipality = forms.CharField(label=gettext_lazy("Place"), max_length=120, required=False)
    country_of_exploitation = forms.RegexField(
        label=gettext_lazy("Country of exploitation"),
        regex=r"^[A-Za-z]{2}$",
        initial=home_country,
        max_length=2,
        required=False,
        error_messages={"invalid": gettext_lazy("Enter a two-letter ISO country code.")},
    )
    forms_of_exploitation = forms.MultipleChoiceField(
        label=gettext_lazy("Forms of exploitation"),
        choices=ExploitationForm.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    referral_source = forms.ChoiceField(label=gettext_lazy("Referral source"), choices=ReferralSource.choices)
    summary = forms.CharField(
        label=gettext_lazy("What happened"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Kept as an encrypted note in every case of the group."),
    )
    refer_to = OrganisationChoice(
        label=gettext_lazy("Refer all to"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=gettext_lazy("Do not refer now"),
        help_text=gettext_lazy("Every person is referred for identification, together, in one batch."),
    )
    file = forms.FileField(
        label=gettext_lazy("Or upload a CSV file"),
        required=False,
        help_text=gettext_lazy(
            "UTF-8, Windows-1250 or Windows-1251; columns separated by commas or semicolons; "
            "at most 5,000 persons. A file replaces the table."
        ),
    )

    def __init__(self, *args: Any, exclude_org: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        centres = Organisation.objects.filter(is_active=True, type=OrganisationType.CENTRE).order_by("name")
        if exclude_org:
            centres = centres.exclude(pk=exclude_org)
        field = self.fields["refer_to"]
        assert isinstance(field, OrganisationChoice)
        field.queryset = centres

    def incident_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "title": d["incident_title"],
            "municipality": d["municipality"],
            "country_of_exploitation": d["country_of_exploitation"] or home_country(),
            "forms": d["forms_of_exploitation"] or None,
        }


def _row_count(request: HttpRequest) -> int:
    try:
        count = int(request.POST.get("rows") or START_ROWS)
    except ValueError:
        count = START_ROWS
    return max(1, min(count, MAX_TABLE_ROWS))


def _table(request: HttpRequest, count: int) -> list[dict[str, Any]]:
    """The rows as typed, for re-display (each with its 1-based number)."""
    rows = []
    for i in range(count):
        values = {c: (request.POST.get(f"r{i}-{c}") or "").strip() for c in group.COLUMN_NAMES}
        values["interpreter_needed"] = "yes" if request.POST.get(f"r{i}-interpreter_needed") else ""
        cells = [
            {"name": c, "value": values[c], "field": f"r{i}-{c}", "label": COLUMN_LABELS[c]}
            for c in group.COLUMN_NAMES
        ]
        rows.append({"number": i + 1, "index": i, "values": values, "cells": cells})
    return rows


def _table_rows(table: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The filled rows, keyed like the CSV columns, each keeping its table row number."""
    return [
        {**row["values"], group.ROW_KEY: row["number"]}
        for row in table
        if any(v for v in row["values"].values())
    ]


def _error_lines(exc: group.GroupImportError) -> list[str]:
    lines = []
    for e in exc.errors:
        if e.get("column"):
            lines.append(
                _("Row %(row)s, column %(column)s: %(message)s")
                % {"row": e["row"], "column": e["column"], "message": e["message"]}
            )
        else:
            lines.append(_("Row %(row)s: %(message)s") % {"row": e["row"], "message": e["message"]})
    total = exc.extra.get("total", len(exc.errors))
    if total > len(exc.errors):
        lines.append(
            ngettext("… and %(n)d more problem.", "… and %(n)d more problems.", total - len(exc.errors))
            % {"n": total - len(exc.errors)}
        )
    return lines


def _apply_error(form: GroupIntakeForm, exc: DomainError) -> None:
    field = (exc.field or "").split(".")[-1]
    field = {"title": "incident_title", "forms": "forms_of_exploitation", "incident": "incident_title"}.get(
        field, field
    )
    form.add_error(field if field in form.fields else None, exc.message)


@access("perm", Perm.CASE_CREATE, methods=("GET", "POST"))
def group_new_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = _row_count(request) if request.method == "POST" else START_ROWS
    if request.method == "POST" and "add_rows" in request.POST:
        # More rows without JavaScript: the page comes back with what was typed and ten empty rows.
        count = min(count + ADD_ROWS, MAX_TABLE_ROWS)
        form = GroupIntakeForm(request.POST, exclude_org=request.user.organisation_id)
        form.errors.clear()  # nothing was submitted yet: no errors to show
        return _render(request, form, _table(request, count), [], status=200)
    form = GroupIntakeForm(
        request.POST or None, request.FILES or None, exclude_org=request.user.organisation_id
    )
    table = _table(request, count) if request.method == "POST" else _table(request, START_ROWS)
    row_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if d["file"]:
                rows = group.parse_group_csv(d["file"].read())
            else:
                rows = _table_rows(table)
                if not rows:
                    raise DomainError(_("Fill in at least one row, or upload a file."), field="file")
            result = group.group_register(
                user=request.user,
                incident_code=d["incident_code"] or None,
                incident_data=form.incident_data(),
                rows=rows,
                referral_source=d["referral_source"],
                refer_to=d["refer_to"],
                summary=d["summary"],
            )
        except group.GroupImportError as exc:
            form.add_error(None, exc.message)
            row_errors = _error_lines(exc)
            _audit_rejection(request, "persons")
        except DomainError as exc:
            _apply_error(form, exc)
            _audit_rejection(request, exc.field or "")
        else:
            n = len(result.cases)
            messages.success(
                request,
                ngettext(
                    "%(n)d person registered in incident %(code)s.",
                    "%(n)d persons registered in incident %(code)s.",
                    n,
                )
                % {"n": n, "code": result.incident.code},
            )
            if result.referrals:
                messages.info(
                    request,
                    _("All of them were referred to %(org)s together.")
                    % {"org": in_active_script(d["refer_to"].name)},
                )
            messages.info(
                request,
                _(
                    "Screen the indicators the group shares once for everyone with “Screen the whole group” "
                    "on any of their case pages, and each person's own indicators from their case page."
                ),
            )
            query = urllib.parse.urlencode({"q": result.incident.code})
            return redirect(f"{reverse('cases:list')}?{query}")
    return _render(request, form, table, row_errors, status=400 if form.errors else 200)


def _audit_rejection(request: AuthenticatedHttpRequest, field: str) -> None:
    audit_record(actor=request.user, action="rejected", object_type="case", detail={"field": field})


def _render(
    request: HttpRequest,
    form: GroupIntakeForm,
    table: list[dict[str, Any]],
    row_errors: list[str],
    *,
    status: int,
) -> HttpResponse:
    return render(
        request,
        "intake/group_new.html",
        {
            "form": form,
            "table": table,
            "rows": len(table),
            "columns": [{"name": c, "label": COLUMN_LABELS[c]} for c in group.COLUMN_NAMES],
            "sexes": Sex.choices,
            "row_errors": row_errors,
            "can_add": len(table) < MAX_TABLE_ROWS,
            "max_rows": MAX_TABLE_ROWS,
        },
        status=status,
    )


@access("perm", Perm.CASE_CREATE)
def group_template_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    # Excel in a Serbian locale splits CSV on semicolons, elsewhere on commas.
    delimiter = ";" if (get_language() or "").startswith("sr") else ","
    response = HttpResponse(group.template_csv(delimiter=delimiter), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="opennrm-group.csv"'
    return response
