from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opennrm.accounts.models import Organisation
from opennrm.accounts.roles import Sensitivity
from opennrm.cases.models import CaseStatus, InvolvementRole, ReferralSource
from opennrm.lib.errors import DomainError
from opennrm.people.models import Disability, Sex


class CaseEditForm(forms.Form):
    referral_source = forms.ChoiceField(label=_("Referral source"), choices=ReferralSource.choices)
    is_child = forms.BooleanField(label=_("Child (or presumed child)"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=CaseStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)


class NoteForm(forms.Form):
    sensitivity = forms.ChoiceField(
        label=_("Sensitivity"), choices=Sensitivity.choices, initial=Sensitivity.GENERAL
    )
    text = forms.CharField(label=_("Note"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, allowed: set[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if allowed is not None:
            field = self.fields["sensitivity"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [c for c in Sensitivity.choices if c[0] in allowed]


class InvolvementForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.filter(is_active=True)
    )
    role = forms.ChoiceField(label=_("Role in the case"), choices=InvolvementRole.choices)


class InvolvementEndForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput)


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    due_at = forms.DateTimeField(
        label=_("Due"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )


class TaskDoneForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    sensitivity = forms.ChoiceField(
        label=_("Sensitivity"), choices=Sensitivity.choices, initial=Sensitivity.GENERAL
    )
    file = forms.FileField(label=_("File"))


class CaseSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Case, person or incident code; or a name, date of birth or document number."),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("any"))] + list(CaseStatus.choices)
    )
    year = forms.IntegerField(label=_("Year opened"), required=False, min_value=2000, max_value=2100)
    child = forms.ChoiceField(
        label=_("Child"), required=False, choices=[("", _("any")), ("yes", _("yes")), ("no", _("no"))]
    )


class PersonEditForm(forms.Form):
    given_names = forms.CharField(label=_("Given name(s)"), max_length=200, required=False)
    family_names = forms.CharField(label=_("Family name(s)"), max_length=200, required=False)
    aliases = forms.CharField(
        label=_("Other names or nicknames"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a real date as YYYY-MM-DD.")},
    )
    documents = forms.CharField(
        label=_("Documents"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Type and number, one per line."),
    )
    addresses = forms.CharField(
        label=_("Addresses"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    contacts = forms.CharField(label=_("Contacts"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    citizenship = forms.RegexField(
        label=_("Citizenship"),
        regex=r"^[A-Za-z]{2}$",
        required=False,
        max_length=2,
        error_messages={"invalid": _("Enter a two-letter ISO country code.")},
    )
    languages = forms.CharField(label=_("Languages spoken"), max_length=200, required=False)
    interpreter_needed = forms.BooleanField(label=_("Needs an interpreter"), required=False)
    disability = forms.ChoiceField(label=_("Disability"), choices=Disability.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)


# --- From a form's cleaned data to the services' arguments (the person's pages and intake share them) ---


def apply_error(form: forms.Form, exc: DomainError) -> None:
    field = (exc.field or "").split(".")[-1]
    aliases = {"forms": "forms_of_exploitation", "title": "incident_title"}
    field = aliases.get(field, field) if field not in form.fields else field
    form.add_error(field if field in form.fields and field != "version" else None, exc.message)


def lines(value: str) -> list[str]:
    return [v.strip() for v in (value or "").splitlines() if v.strip()]


def commas(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def attributes_from(d: dict[str, Any]) -> dict[str, Any]:
    """Person attributes from the intake or person form (both share these fields)."""
    return {
        "sex": d["sex"],
        "citizenship": d["citizenship"] or "",
        "languages": commas(d["languages"]),
        "interpreter_needed": d["interpreter_needed"],
        "disability": d["disability"],
    }


def identity_from(d: dict[str, Any]) -> dict[str, Any]:
    """Identity fields from a form; fields the form does not have are left out, not emptied."""
    identity = {
        "given_names": d["given_names"],
        "family_names": d["family_names"],
        "aliases": lines(d["aliases"]),
        "birth_date": d["birth_date"].isoformat() if d["birth_date"] else None,
        "contacts": lines(d["contacts"]),
    }
    for key in ("documents", "addresses"):
        if key in d:
            identity[key] = lines(d[key])
    return identity
