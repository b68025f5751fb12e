"""The security section of the case page and the small actions it posts to."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from opennrm import policy
from opennrm.accounts.models import Organisation, User
from opennrm.accounts.roles import Sensitivity
from opennrm.cases.models import Case, Involvement
from opennrm.cases.views import case_form
from opennrm.cases.views import post_case_message as _post
from opennrm.core.http import AuthenticatedHttpRequest, access
from opennrm.lib import clock
from opennrm.lib.errors import DomainError
from opennrm.lib.scripts import in_active_script
from opennrm.protection import risk, selectors, services
from opennrm.protection.models import (
    RESTRICTED_LEVELS,
    FactorAnswer,
    FamilyOutcome,
    MeasureKind,
    NamedStaff,
    RiskFactor,
    RiskLevel,
)

DATE = forms.DateInput(attrs={"type": "date"})


class RiskForm(forms.Form):
    assessed_on = forms.DateField(label=_lazy("Assessed on"), widget=DATE)
    level = forms.ChoiceField(
        label=_lazy("Raise the level to"),
        choices=[("", _lazy("as the factors give")), *RiskLevel.choices],
        required=False,
    )
    raised_reason = forms.CharField(
        label=_lazy("Why the level is raised"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value, label in RiskFactor.choices:
            self.fields[f"factor_{value}"] = forms.ChoiceField(
                label=label,
                choices=FactorAnswer.choices,
                initial=FactorAnswer.UNKNOWN,
                widget=forms.RadioSelect,
            )

    def factor_fields(self) -> list[Any]:
        return [self[f"factor_{v}"] for v in RiskFactor.values]

    def answers(self) -> dict[str, str]:
        return {v: self.cleaned_data[f"factor_{v}"] for v in RiskFactor.values}


class _OrgChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{in_active_script(obj.name)} ({obj.get_type_display()})"


class MeasureForm(forms.Form):
    kind = forms.ChoiceField(label=_lazy("Measure"), choices=MeasureKind.choices)
    responsible = _OrgChoice(
        label=_lazy("Responsible"), queryset=Organisation.objects.filter(is_active=True).order_by("name")
    )
    started_on = forms.DateField(label=_lazy("From"), widget=DATE)


class MeasureEndForm(forms.Form):
    measure = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    ended_on = forms.DateField(label=_lazy("Until"), widget=DATE, required=False)
    reason = forms.CharField(label=_lazy("Why it ended"), max_length=300)


class _UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        # Offered are staff of the organisations involved in the case, never a user without one.
        assert obj.organisation is not None
        return f"{obj.get_full_name() or obj.username} ({in_active_script(obj.organisation.name)})"


class NameStaffForm(forms.Form):
    user = _UserChoice(label=_lazy("Staff member"), queryset=User.objects.none())

    def __init__(self, *args: Any, case: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if case is not None:
            orgs = Involvement.objects.active().filter(case=case).values("organisation_id")
            field = self.fields["user"]
            assert isinstance(field, _UserChoice)
            field.queryset = (
                User.objects.filter(is_active=True, organisation_id__in=orgs)
                .select_related("organisation")
                .order_by("organisation__name", "last_name", "first_name")
            )


class UnnameForm(forms.Form):
    named = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def reasons_text(assessment: Any) -> list[str]:
    answers = {a.factor: a.answer for a in assessment.answers.all()}
    result = risk.assess(answers)
    return [_(msgid) % params if params else _(msgid) for msgid, params in result.reasons]


def protection_panel(request: AuthenticatedHttpRequest, case: Any) -> dict[str, Any] | None:
    """Registered with cases.views.register_case_panel. Readers of security content only."""
    user = request.user
    if not policy.reads(user, Sensitivity.SECURITY):
        return None
    manage = policy.can(user, policy.RISK_MANAGE, case)
    name = policy.can(user, policy.STAFF_NAME, case)
    history = selectors.assessments(case)
    current = history[0] if history else None
    measures = selectors.measures_visible(user, case)
    if current is None and not measures and not manage:
        return None
    today = clock.today()
    return {
        "template": "protection/_case_panel.html",
        "current": current,
        "reasons": reasons_text(current) if current else [],
        "overdue": bool(current and current.reassess_by < today),
        # At high or critical risk the person's whereabouts are withheld (protection.models).
        "restricted": bool(current and current.level in RESTRICTED_LEVELS),
        "history": history[1:],
        "measures": measures,
        "named": selectors.named_staff(case),
        "whereabouts_visible": policy.may_see_whereabouts(user, case),
        "may": {"manage": manage, "name": name},
    }


@access("case", policy.RISK_MANAGE, methods=("GET", "POST"))
def risk_assess_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    form = RiskForm(request.POST or None, initial={"assessed_on": clock.today()}, auto_id="risk_%s")

    def run(d: dict[str, Any]) -> str:
        a = services.risk_assess(
            user=request.user,
            case=case,
            answers=form.answers(),
            assessed_on=d["assessed_on"],
            level=d["level"] or None,
            raised_reason=d["raised_reason"],
        )
        return _("Risk assessed: %(level)s.") % {"level": a.get_level_display()}

    return case_form(
        request, case, form, run, title=_("Assess the risk"), template="protection/_risk_fields.html"
    )


@access("case", policy.RISK_MANAGE, methods=("GET", "POST"))
def measure_add_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    form = MeasureForm(request.POST or None, initial={"started_on": clock.today()}, auto_id="measure_%s")

    def run(d: dict[str, Any]) -> str:
        services.measure_add(
            user=request.user,
            case=case,
            kind=d["kind"],
            responsible=d["responsible"],
            started_on=d["started_on"],
        )
        return _("Protection measure recorded.")

    return case_form(
        request,
        case,
        form,
        run,
        title=_("Record a protection measure"),
        template="protection/_measure_fields.html",
    )


@access("case", policy.RISK_MANAGE, methods=("POST",))
def measure_end_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:

    def run(d: dict[str, Any]) -> str:
        measure = services.measure_in_case(user=request.user, case=case, pk=d["measure"])
        services.measure_end(
            user=request.user,
            measure=measure,
            expected_version=d["version"],
            ended_on=d["ended_on"],
            reason=d["reason"],
        )
        return _("Protection measure ended.")

    return _post(request, case, MeasureEndForm(request.POST), run)


@access("case", policy.STAFF_NAME, methods=("GET", "POST"))
def staff_name_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    form = NameStaffForm(request.POST or None, case=case, auto_id="named_%s")

    def run(d: dict[str, Any]) -> str:
        services.staff_name(user=request.user, case=case, named=d["user"])
        return _("Named.")

    return case_form(
        request, case, form, run, title=_("Name a staff member"), submit=_("Add to the named staff")
    )


@access("case", policy.STAFF_NAME, methods=("POST",))
def staff_unname_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:

    def run(d: dict[str, Any]) -> str:
        row = NamedStaff.objects.filter(case=case, pk=d["named"]).first()
        if row is None:
            raise DomainError(_("There is no such named person in this case."), field="named")
        services.staff_unname(user=request.user, row=row, expected_version=d["version"])
        return _("No longer named.")

    return _post(request, case, UnnameForm(request.POST), run)


# --- A child's family assessment -------------------------------------------------------------------


class FamilyAssessmentForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_lazy("Outcome"), choices=FamilyOutcome.choices, widget=forms.RadioSelect
    )
    assessed_on = forms.DateField(label=_lazy("Assessed on"), widget=DATE)


def family_panel(request: AuthenticatedHttpRequest, case: Any) -> dict[str, Any] | None:
    """A child's case: whether the child may go back to the family, and the CSW's form."""
    user = request.user
    if not case.is_child or not policy.can(user, policy.FAMILY_READ):
        return None
    may = policy.can(user, policy.FAMILY_ASSESS, case)
    return {
        "template": "protection/_family_panel.html",
        "assessment": selectors.family_assessment(case),
        "allowed": selectors.family_return_allowed(case),
        "may": may,
    }


@access("case", policy.FAMILY_ASSESS, methods=("GET", "POST"))
def family_assess_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    form = FamilyAssessmentForm(
        request.POST or None, initial={"assessed_on": clock.today()}, auto_id="family_%s"
    )

    def run(d: dict[str, Any]) -> str:
        services.family_assess(
            user=request.user, case=case, outcome=d["outcome"], assessed_on=d["assessed_on"]
        )
        return _("Family assessment recorded.")

    return case_form(request, case, form, run, title=_("Record the family assessment"))
