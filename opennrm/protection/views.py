"""The security section of the case page and the small actions it posts to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from opennrm import policy
from opennrm.accounts.models import Organisation, User
from opennrm.accounts.roles import Sensitivity
from opennrm.cases import selectors as case_selectors
from opennrm.cases.models import Involvement
from opennrm.cases.views import post_case_action
from opennrm.core.http import access
from opennrm.lib.dates import local_today
from opennrm.lib.errors import DomainError
from opennrm.lib.scripts import in_active_script
from opennrm.protection import risk, selectors, services
from opennrm.protection.models import (
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
        return f"{obj.get_full_name() or obj.username} ({in_active_script(obj.organisation.name)})"


class NameStaffForm(forms.Form):
    user = _UserChoice(label=_lazy("Staff member"), queryset=User.objects.none())

    def __init__(self, *args: Any, case: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if case is not None:
            orgs = Involvement.objects.active().filter(case=case).values("organisation_id")
            self.fields["user"].queryset = (
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


def protection_panel(request: HttpRequest, case: Any) -> dict[str, Any] | None:
    """Registered with cases.views.register_case_panel. Readers of security content only."""
    user = request.user
    if not policy.may_read_class(user, Sensitivity.SECURITY):
        return None
    manage = policy.can(user, policy.RISK_MANAGE, case)
    name = policy.can(user, policy.STAFF_NAME, case)
    current = selectors.current_assessment(case)
    measures = selectors.measures_visible(user, case)
    if current is None and not measures and not manage:
        return None
    today = local_today()
    return {
        "template": "protection/_case_panel.html",
        "current": current,
        "reasons": reasons_text(current) if current else [],
        "overdue": bool(current and current.reassess_by < today),
        "history": selectors.assessments(case)[1:],
        "measures": measures,
        "named": selectors.named_staff(case),
        "whereabouts_visible": policy.may_see_whereabouts(user, case),
        "may": {"manage": manage, "name": name},
        "risk_form": RiskForm(initial={"assessed_on": today}, auto_id="risk_%s") if manage else None,
        "measure_form": MeasureForm(initial={"started_on": today}, auto_id="measure_%s") if manage else None,
        "name_form": NameStaffForm(case=case, auto_id="named_%s") if name else None,
    }


def _post(request: HttpRequest, case: Any, form: forms.Form, action: Callable[[dict[str, Any]], str]):
    return post_case_action(request, case, form, lambda d: messages.success(request, action(d)))


@access("case", policy.RISK_MANAGE, methods=("POST",))
def risk_assess_view(request: HttpRequest, code: str) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, code=code)
    policy.require(request.user, policy.RISK_MANAGE, case)
    form = RiskForm(request.POST)

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

    return _post(request, case, form, run)


@access("case", policy.RISK_MANAGE, methods=("POST",))
def measure_add_view(request: HttpRequest, code: str) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, code=code)
    policy.require(request.user, policy.RISK_MANAGE, case)

    def run(d: dict[str, Any]) -> str:
        services.measure_add(
            user=request.user,
            case=case,
            kind=d["kind"],
            responsible=d["responsible"],
            started_on=d["started_on"],
        )
        return _("Protection measure recorded.")

    return _post(request, case, MeasureForm(request.POST), run)


@access("case", policy.RISK_MANAGE, methods=("POST",))
def measure_end_view(request: HttpRequest, code: str) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, code=code)
    policy.require(request.user, policy.RISK_MANAGE, case)

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


@access("case", policy.STAFF_NAME, methods=("POST",))
def staff_name_view(request: HttpRequest, code: str) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, code=code)
    policy.require(request.user, policy.STAFF_NAME, case)

    def run(d: dict[str, Any]) -> str:
        services.staff_name(user=request.user, case=case, named=d["user"])
        return _("Named.")

    return _post(request, case, NameStaffForm(request.POST, case=case), run)


@access("case", policy.STAFF_NAME, methods=("POST",))
def staff_unname_view(request: HttpRequest, code: str) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, code=code)
    policy.require(request.user, policy.STAFF_NAME, case)

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


def may_read_family(user: Any) -> bool:
    """The family's assessment is for those who work with the child's care and safety."""
    return bool(policy.readable_sensitivities(user) & {Sensitivity.PSYCHOSOCIAL, Sensitivity.SECURITY})


def family_panel(request: HttpRequest, case: Any) -> dict[str, Any] | None:
    """A child's case: whether the child may go back to the family, and the CSW's form."""
    user = request.user
    if not case.is_child or not may_read_family(user):
        return None
    may = policy.can(user, policy.FAMILY_ASSESS, case)
    return {
        "template": "protection/_family_panel.html",
        "assessment": selectors.family_assessment(case),
        "allowed": selectors.family_return_allowed(case),
        "form": FamilyAssessmentForm(initial={"assessed_on": local_today()}, auto_id="family_%s")
        if may
        else None,
    }


@access("case", policy.FAMILY_ASSESS, methods=("POST",))
def family_assess_view(request: HttpRequest, code: str) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, code=code)
    policy.require(request.user, policy.FAMILY_ASSESS, case)

    def run(d: dict[str, Any]) -> str:
        services.family_assess(
            user=request.user, case=case, outcome=d["outcome"], assessed_on=d["assessed_on"]
        )
        return _("Family assessment recorded.")

    return _post(request, case, FamilyAssessmentForm(request.POST), run)
