"""The first-line report form (parse only: the rules are the services')."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from opennrm.cases.models import ExploitationForm, ReferralSource
from opennrm.lib.country import home_country
from opennrm.people.models import Disability, Sex


class IntakeForm(forms.Form):
    """A short first report: the person, what was seen, and how it came to the reporter."""

    given_names = forms.CharField(
        label=_("Given name(s)"),
        max_length=200,
        required=False,
        help_text=_("As the person gives it, in Cyrillic or Latin. Leave empty if unknown."),
    )
    family_names = forms.CharField(label=_("Family name(s)"), max_length=200, required=False)
    aliases = forms.CharField(
        label=_("Other names or nicknames"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line."),
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a real date as YYYY-MM-DD.")},
    )
    age_estimate_min = forms.IntegerField(
        label=_("Estimated age from"), required=False, min_value=0, max_value=120
    )
    age_estimate_max = forms.IntegerField(
        label=_("Estimated age to"), required=False, min_value=0, max_value=120
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    citizenship = forms.RegexField(
        label=_("Citizenship"),
        regex=r"^[A-Za-z]{2}$",
        required=False,
        max_length=2,
        help_text=_("Two-letter country code, for example RS, BA, VN."),
        error_messages={"invalid": _("Enter a two-letter ISO country code.")},
    )
    languages = forms.CharField(
        label=_("Languages spoken"), max_length=200, required=False, help_text=_("Separate with commas.")
    )
    interpreter_needed = forms.BooleanField(label=_("Needs an interpreter"), required=False)
    disability = forms.ChoiceField(
        label=_("Disability"), choices=Disability.choices, initial=Disability.UNKNOWN
    )
    contacts = forms.CharField(
        label=_("Safe contact"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only a contact that is safe to use. One per line."),
    )
    incident_code = forms.CharField(
        label=_("Existing incident code"),
        max_length=32,
        required=False,
        help_text=_("To add this person to an incident already reported (a group case)."),
    )
    incident_title = forms.CharField(
        label=_("What was seen, in brief"),
        max_length=200,
        required=False,
        help_text=_('No names: for example "Workers kept in a factory in Subotica".'),
    )
    municipality = forms.CharField(label=_("Place"), max_length=120, required=False)
    country_of_exploitation = forms.RegexField(
        label=_("Country of exploitation"),
        regex=r"^[A-Za-z]{2}$",
        initial=home_country,
        max_length=2,
        error_messages={"invalid": _("Enter a two-letter ISO country code.")},
    )
    started_on = forms.DateField(
        label=_("Since"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a real date as YYYY-MM-DD.")},
    )
    forms_of_exploitation = forms.MultipleChoiceField(
        label=_("Suspected form(s) of exploitation"),
        choices=ExploitationForm.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    suspects = forms.CharField(
        label=_("Suspects"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            'A label for each suspect, one per line (for example "the employer", "Suspect A"). No names.'
        ),
    )
    referral_source = forms.ChoiceField(label=_("How did this come to you?"), choices=ReferralSource.choices)
    summary = forms.CharField(
        label=_("Situation"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you saw and what the person needs now. Avoid names of other people."),
    )

    def clean(self):
        data = super().clean()
        if not data.get("incident_code") and not data.get("incident_title"):
            self.add_error("incident_title", _("Describe what was seen, or give an existing incident code."))
        return data
