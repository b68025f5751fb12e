"""Forms of the identification pages. Domain rules live in services; these only parse input."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from opennrm.accounts.forms import OrganisationChoice
from opennrm.accounts.models import Organisation
from opennrm.cases.models import ExploitationForm
from opennrm.identification import indicators
from opennrm.identification.models import (
    AgeOutcome,
    Answer,
    DecisionKind,
    DecisionOutcome,
    ProcedureRecordKind,
    ReferralPurpose,
    ScreeningSetting,
)
from opennrm.identification.services import DEFAULT_LEGAL_BASIS

DATE = forms.DateInput(attrs={"type": "date"})


def text_in(texts: Mapping[str, str], lang: str) -> str:
    """A data file's text in the reader's language (Serbian Latin is transliterated from the Cyrillic)."""
    return indicators.pick_text(texts, lang)


def answer_field_name(item_id: str) -> str:
    return "ans_" + item_id


class ScreeningForm(forms.Form):
    """One radio group (yes / no / not known) per indicator of the chosen set and version."""

    setting = forms.ChoiceField(label=_("Setting"), choices=ScreeningSetting.choices)
    screened_on = forms.DateField(label=_("Date"), widget=DATE)
    interpreter_used = forms.BooleanField(label=_("Interpreter used"), required=False)

    def __init__(self, *args: Any, indicator_set: indicators.IndicatorSet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicator_set = indicator_set
        lang = get_language() or "sr"
        for item in indicator_set.items:
            self.fields[answer_field_name(item.id)] = forms.ChoiceField(
                label=indicator_set.item_label(item.id, lang),
                choices=Answer.choices,
                initial=Answer.UNKNOWN,
                widget=forms.RadioSelect(attrs={"class": "inline-choices"}),
            )

    def answers(self) -> dict[str, str]:
        return {
            item.id: self.cleaned_data[answer_field_name(item.id)]
            for item in self.indicator_set.items
            if self.cleaned_data.get(answer_field_name(item.id))
        }

    def groups(self) -> list[dict[str, Any]]:
        """Bound fields grouped by dimension, for the template."""
        lang = get_language() or "sr"
        out: list[dict[str, Any]] = []
        by_dim: dict[str, list[Any]] = {}
        for item in self.indicator_set.items:
            by_dim.setdefault(item.dimension or "", []).append((item, self[answer_field_name(item.id)]))
        titles = {d.id: text_in(d.title, lang) for d in self.indicator_set.dimensions}
        for dim, rows in by_dim.items():
            out.append({"id": dim, "title": titles.get(dim, ""), "rows": rows})
        return out


class ReferralForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ReferralPurpose.choices)
    to_organisation = OrganisationChoice(
        label=_("Refer to"), queryset=Organisation.objects.filter(is_active=True).order_by("type", "name")
    )
    urgent = forms.BooleanField(label=_("Urgent"), required=False)

    def __init__(
        self, *args: Any, purposes: list[str] | None = None, exclude_org: int | None = None, **kw: Any
    ):
        super().__init__(*args, **kw)
        if purposes is not None:
            purpose = self.fields["purpose"]
            assert isinstance(purpose, forms.ChoiceField)
            purpose.choices = [c for c in ReferralPurpose.choices if c[0] in purposes]
        if exclude_org:
            to_organisation = self.fields["to_organisation"]
            assert isinstance(to_organisation, OrganisationChoice)
            offered = to_organisation.queryset
            assert offered is not None  # the field is declared with its queryset
            to_organisation.queryset = offered.exclude(pk=exclude_org)


class ReferralResponseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("Response"),
        choices=[("accept", _("Accept")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=500,
        help_text=_("Required when declining. No names: the referring organisation reads this."),
    )


class ReferralWithdrawForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class ProcedureRecordForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProcedureRecordKind.choices)
    happened_on = forms.DateField(label=_("Date"), widget=DATE)
    organisation = OrganisationChoice(
        label=_("Organisation"), queryset=Organisation.objects.none(), required=False
    )
    sensitivity = forms.ChoiceField(label=_("Sensitivity"))
    text = forms.CharField(label=_("Record"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20_000)

    def __init__(self, *args: Any, case: Any, allowed: set[str], **kw: Any) -> None:
        super().__init__(*args, **kw)
        from opennrm.accounts.roles import Sensitivity

        sensitivity = self.fields["sensitivity"]
        assert isinstance(sensitivity, forms.ChoiceField)
        sensitivity.choices = [c for c in Sensitivity.choices if c[0] in allowed]
        organisation = self.fields["organisation"]
        assert isinstance(organisation, OrganisationChoice)
        organisation.queryset = Organisation.objects.filter(involvements__case=case).distinct()


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=DecisionOutcome.choices, widget=forms.RadioSelect)
    forms_of_exploitation = forms.MultipleChoiceField(
        label=_("Forms of exploitation"),
        choices=[c for c in ExploitationForm.choices if c[0] != ExploitationForm.UNKNOWN],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Required when the person is identified as a victim."),
    )
    reasons = forms.CharField(
        label=_("Reasons"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Mandatory. Say which facts and indicators the decision rests on."),
    )
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=300, initial=DEFAULT_LEGAL_BASIS)
    kind = forms.ChoiceField(label=_("Kind of decision"), choices=DecisionKind.choices, required=False)


class AgeAssessmentForm(forms.Form):
    assessed_on = forms.DateField(label=_("Date"), widget=DATE)
    method = forms.CharField(
        label=_("Method"), max_length=200, help_text=_("For example: documents, interview")
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=AgeOutcome.choices)


class GuardianForm(forms.Form):
    appointed_on = forms.DateField(label=_("Appointed on"), widget=DATE)
