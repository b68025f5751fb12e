"""The residence and health-care section of the case page, and the small actions it posts to."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from opennrm import policy
from opennrm.cases.models import Case
from opennrm.cases.views import case_form
from opennrm.core.http import AuthenticatedHttpRequest, access
from opennrm.lib import clock
from opennrm.people.models import is_foreign_national
from opennrm.residence import rules, selectors, services
from opennrm.residence.models import HealthCoverageBasis, PermitDecision, ResidenceGround

DATE = forms.DateInput(attrs={"type": "date"})


class PermitApplyForm(forms.Form):
    ground = forms.ChoiceField(
        label=_lazy("Ground"),
        choices=ResidenceGround.choices,
        help_text=_lazy("Legal information: never printed on documents the person shows to others."),
    )
    applied_on = forms.DateField(label=_lazy("Applied on"), widget=DATE)
    issuing_authority = forms.CharField(
        label=_lazy("Issuing authority"),
        max_length=services.MAX_AUTHORITY,
        required=False,
        help_text=_lazy("The police administration, for example PU za grad Beograd. No names of officers."),
    )


class PermitDecideForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decision = forms.ChoiceField(
        label=_lazy("Decision"),
        choices=[(PermitDecision.GRANTED, _lazy("granted")), (PermitDecision.REFUSED, _lazy("refused"))],
        widget=forms.RadioSelect,
    )
    decided_on = forms.DateField(label=_lazy("Decided on"), widget=DATE)
    valid_from = forms.DateField(label=_lazy("Valid from"), widget=DATE, required=False)
    valid_until = forms.DateField(label=_lazy("Valid until"), widget=DATE, required=False)


class PermitRenewForm(forms.Form):
    applied_on = forms.DateField(label=_lazy("Renewal applied for on"), widget=DATE)
    ground = forms.ChoiceField(
        label=_lazy("Ground"),
        choices=[("", _lazy("the same as the permit renewed")), *ResidenceGround.choices],
        required=False,
    )


class HealthCoverageForm(forms.Form):
    entitled = forms.ChoiceField(
        label=_lazy("Entitled to free health care"),
        choices=[("yes", _lazy("yes")), ("no", _lazy("no"))],
        widget=forms.RadioSelect,
    )
    basis = forms.ChoiceField(
        label=_lazy("Basis"), choices=[("", "—"), *HealthCoverageBasis.choices], required=False
    )
    from_on = forms.DateField(label=_lazy("From"), widget=DATE)
    until_on = forms.DateField(label=_lazy("Until"), widget=DATE, required=False)


# --- The panel -----------------------------------------------------------------------------------


def residence_panel(request: AuthenticatedHttpRequest, case: Any) -> dict[str, Any] | None:
    """Registered with cases.views.register_case_panel: shown for a foreign national, or where
    permits or health coverage are recorded."""
    user = request.user
    reads_ground = policy.can(user, policy.RESIDENCE_GROUND_READ)
    reads_coverage = policy.can(user, policy.HEALTH_COVERAGE_READ)
    # Writing the permit file needs the legal class too (services._require_permit_writer).
    manage = policy.can(user, policy.PLAN_MANAGE, case) and reads_ground
    manage_coverage = policy.can(user, policy.PLAN_MANAGE, case) and reads_coverage
    foreign = is_foreign_national(case)
    permits = selectors.permits_visible(user, case)
    coverages = selectors.health_coverages(user, case)
    if not foreign and not permits and not coverages:
        return None
    state = selectors.validity(case)
    if not reads_ground and state["state"] not in ("valid", "expiring"):
        # A school or a shelter learns that there is a permit in force, not that there is none.
        state = {"state": "withheld", "permit": None}
    rows = []
    # A legal reader has the whole chain: which permits already have a renewal open or granted.
    renewed = {p.renewal_of_id for p in permits if p.renewal_of_id and p.decision in rules.OPEN_OR_GRANTED}
    for p in permits if reads_ground else []:
        renewable = manage and p.decision == PermitDecision.GRANTED and p.pk not in renewed
        rows.append(
            {
                "permit": p,
                "decide": manage and p.decision == PermitDecision.PENDING,
                "renew": renewable,
            }
        )
    pending = any(p.decision == PermitDecision.PENDING for p in permits)
    return {
        "template": "residence/_case_panel.html",
        "reads_ground": reads_ground,
        "reads_coverage": reads_coverage,
        "foreign": foreign,
        "state": state,
        "rows": rows,
        "lead_days": rules.reminder_lead_days(),
        "coverages": coverages,
        "current_coverage": selectors.current_coverage(case) if reads_coverage else None,
        "may_apply": manage and foreign and not pending,
        "may_coverage": manage_coverage,
    }


# --- Actions -------------------------------------------------------------------------------------


@access("case", policy.PLAN_MANAGE, methods=("GET", "POST"))
def permit_apply_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    form = PermitApplyForm(request.POST or None, initial={"applied_on": clock.today()}, auto_id="permit_%s")

    def run(d: dict[str, Any]) -> str:
        services.permit_apply(
            user=request.user,
            case=case,
            ground=d["ground"],
            applied_on=d["applied_on"],
            issuing_authority=d["issuing_authority"],
        )
        return _("Application for a residence permit recorded.")

    return case_form(request, case, form, run, title=_("Record an application for a residence permit"))


@access("case", policy.PLAN_MANAGE, methods=("GET", "POST"))
def permit_decide_view(request: AuthenticatedHttpRequest, case: Case, pk: int) -> HttpResponse:
    permit = selectors.permit_get(user=request.user, case=case, pk=pk)
    form = PermitDecideForm(
        request.POST or None,
        initial={"version": permit.version, "decided_on": clock.today()},
        auto_id=f"decide{pk}_%s",
    )

    def run(d: dict[str, Any]) -> str:
        services.permit_decide(
            user=request.user,
            permit=permit,
            decision=d["decision"],
            decided_on=d["decided_on"],
            valid_from=d["valid_from"],
            valid_until=d["valid_until"],
            expected_version=d["version"],
        )
        return _("Decision on the residence permit recorded.")

    return case_form(request, case, form, run, title=_("Record the decision"))


@access("case", policy.PLAN_MANAGE, methods=("GET", "POST"))
def permit_renew_view(request: AuthenticatedHttpRequest, case: Case, pk: int) -> HttpResponse:
    permit = selectors.permit_get(user=request.user, case=case, pk=pk)
    form = PermitRenewForm(
        request.POST or None, initial={"applied_on": clock.today()}, auto_id=f"renew{pk}_%s"
    )

    def run(d: dict[str, Any]) -> str:
        services.permit_renew(
            user=request.user, permit=permit, applied_on=d["applied_on"], ground=d["ground"] or None
        )
        return _("Application to renew the residence permit recorded.")

    return case_form(request, case, form, run, title=_("Record an application to renew"))


@access("case", policy.PLAN_MANAGE, methods=("GET", "POST"))
def health_coverage_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    form = HealthCoverageForm(request.POST or None, initial={"from_on": clock.today()}, auto_id="coverage_%s")

    def run(d: dict[str, Any]) -> str:
        services.health_coverage_record(
            user=request.user,
            case=case,
            entitled=d["entitled"] == "yes",
            basis=d["basis"],
            from_on=d["from_on"],
            until_on=d["until_on"],
        )
        return _("Health coverage recorded.")

    return case_form(request, case, form, run, title=_("Record the entitlement to free health care"))
