"""The assistance section of the case page, the providers' inbox and the coordinator's figures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from opennrm import policy
from opennrm.accounts.models import Organisation
from opennrm.accounts.roles import Perm, Sensitivity
from opennrm.assistance import selectors, services
from opennrm.assistance.models import (
    AssistanceService,
    ConsentHow,
    CooperationStance,
    DataConsent,
    DeclineReason,
    NeedPriority,
    ServiceStatus,
    ServiceType,
)
from opennrm.audit.services import audit_record
from opennrm.cases import selectors as case_selectors
from opennrm.cases.views import post_case_action
from opennrm.core.http import access
from opennrm.lib.dates import local_today
from opennrm.lib.errors import DomainError
from opennrm.lib.scripts import in_active_script

DATE = forms.DateInput(attrs={"type": "date"})
NOT_NEEDED = ""


class _ProviderChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{in_active_script(obj.name)} ({obj.get_type_display()})"


class NeedsForm(forms.Form):
    assessed_on = forms.DateField(label=_lazy("Assessed on"), widget=DATE)
    with_person = forms.BooleanField(
        label=_lazy("Assessed together with the person"), required=False, initial=True
    )
    interpreter_language = forms.CharField(
        label=_lazy("Interpreter used (language)"), max_length=20, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(NOT_NEEDED, _lazy("not needed")), *NeedPriority.choices]
        for value, label in ServiceType.choices:
            self.fields[f"need_{value}"] = forms.ChoiceField(label=label, choices=choices, required=False)

    def need_fields(self) -> list[Any]:
        return [self[f"need_{v}"] for v in ServiceType.values]

    def needs(self) -> dict[str, str]:
        return {
            v: self.cleaned_data[f"need_{v}"]
            for v in ServiceType.values
            if self.cleaned_data.get(f"need_{v}") != NOT_NEEDED
        }


class ServiceRequestForm(forms.Form):
    service_type = forms.ChoiceField(label=_lazy("Service"), choices=ServiceType.choices)
    provider = _ProviderChoice(label=_lazy("Provider"), queryset=services.provider_choices())
    planned_from = forms.DateField(label=_lazy("Planned from"), widget=DATE)
    planned_until = forms.DateField(label=_lazy("Planned until"), widget=DATE, required=False)
    urgent = forms.BooleanField(label=_lazy("Urgent"), required=False)
    data_consent = forms.ChoiceField(
        label=_lazy("The person agreed to share with the provider"),
        choices=DataConsent.choices,
        widget=forms.RadioSelect,
        initial=DataConsent.REQUEST_ONLY,
    )
    consent_how = forms.ChoiceField(label=_lazy("Consent given"), choices=ConsentHow.choices)
    consent_on = forms.DateField(label=_lazy("Consent date"), widget=DATE)
    interpreter_language = forms.CharField(
        label=_lazy("Interpreter needed (language)"),
        max_length=20,
        required=False,
        help_text=_lazy("Left empty: taken from the person's languages when an interpreter is needed."),
    )


class ServiceStepForm(forms.Form):
    service = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    status = forms.ChoiceField(label=_lazy("New status"), choices=ServiceStatus.choices)
    on = forms.DateField(label=_lazy("Date"), widget=DATE, required=False)
    decline_reason = forms.ChoiceField(
        label=_lazy("Reason category"), choices=[("", "—"), *DeclineReason.choices], required=False
    )
    reason = forms.CharField(
        label=_lazy("Reason"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_lazy("Required when the service is refused or declined. No names."),
    )


class ConsentWithdrawForm(forms.Form):
    service = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    withdrawn_on = forms.DateField(label=_lazy("Withdrawn on"), widget=DATE, required=False)


class PlanForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    agreed_with_person_on = forms.DateField(
        label=_lazy("Agreed with the person on"), widget=DATE, required=False
    )
    review_due_on = forms.DateField(label=_lazy("Next review"), widget=DATE, required=False)


class ApproveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CooperationForm(forms.Form):
    stance = forms.ChoiceField(label=_lazy("Stance"), choices=CooperationStance.choices)
    recorded_on = forms.DateField(label=_lazy("Date"), widget=DATE)


# --- The panel -----------------------------------------------------------------------------------


def _step_choices(service: AssistanceService, *, provider: bool, coordinator: bool) -> list[tuple[str, str]]:
    # The person's refusal is the coordinator's to record; every other step is the provider's.
    return [
        (s, ServiceStatus(s).label)
        for s in service.next_statuses()
        if (coordinator if s == ServiceStatus.REFUSED_BY_PERSON else provider)
    ]


def assistance_panel(request: HttpRequest, case: Any) -> dict[str, Any] | None:
    """Registered with cases.views.register_case_panel."""
    user = request.user
    manage = policy.can(user, policy.PLAN_MANAGE, case)
    approve = case.is_child and policy.can(user, policy.PLAN_APPROVE, case)
    plan = selectors.plan_for(case)
    rows = []
    for s in selectors.services_visible(user, case):
        provider = s.provider_id == user.organisation_id
        steps = _step_choices(s, provider=provider, coordinator=manage)
        rows.append(
            {
                "service": s,
                "steps": steps,
                "step_form": ServiceStepForm(
                    initial={"service": s.pk, "version": s.version}, auto_id=f"step{s.pk}_%s"
                )
                if steps
                else None,
            }
        )
    reads_legal = Sensitivity.LEGAL in policy.readable_sensitivities(user)
    cooperation = selectors.cooperation_records(case) if reads_legal else []
    if plan is None and not rows and not manage and not cooperation:
        return None
    today = local_today()
    assessments = selectors.needs_visible(user, case) if manage or plan else []
    request_form = None
    if manage:
        request_form = ServiceRequestForm(
            initial={"planned_from": today, "consent_on": today}, auto_id="service_%s"
        )
    return {
        "template": "assistance/_case_panel.html",
        "plan": plan,
        "rows": rows,
        "assessment": assessments[0] if assessments else None,
        "assessment_count": len(assessments),
        "cooperation": cooperation,
        "reads_legal": reads_legal,
        "may": {"manage": manage, "approve": approve, "cooperation": policy.can(user, Perm.NOTE_ADD, case)},
        "assistable": case.status in services.ASSISTABLE,
        "needs_form": NeedsForm(initial={"assessed_on": today}, auto_id="needs_%s") if manage else None,
        "request_form": request_form,
        "plan_form": PlanForm(
            initial={
                "version": plan.version,
                "agreed_with_person_on": plan.agreed_with_person_on,
                "review_due_on": plan.review_due_on,
            },
            auto_id="plan_%s",
        )
        if manage and plan
        else None,
        "approve_form": ApproveForm(initial={"version": plan.version}) if approve and plan else None,
        "cooperation_form": CooperationForm(initial={"recorded_on": today}, auto_id="coop_%s")
        if reads_legal and policy.can(user, Perm.NOTE_ADD, case)
        else None,
    }


# --- Actions on the case page --------------------------------------------------------------------


def _post(request: HttpRequest, case: Any, form: forms.Form, action: Callable[[dict[str, Any]], str]):
    return post_case_action(request, case, form, lambda d: messages.success(request, action(d)))


def _service_in(case: Any, pk: int) -> AssistanceService:
    service = (
        AssistanceService.objects.filter(case=case, pk=pk).select_related("case", "plan", "provider").first()
    )
    if service is None:
        raise DomainError(_("There is no such service in this case."), field="service")
    return service


@access("case", policy.PLAN_MANAGE, methods=("POST",))
def needs_assess_view(request: HttpRequest, code: str) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, code=code)
    policy.require(request.user, policy.PLAN_MANAGE, case)
    form = NeedsForm(request.POST)

    def run(d: dict[str, Any]) -> str:
        services.needs_assess(
            user=request.user,
            case=case,
            needs=form.needs(),
            assessed_on=d["assessed_on"],
            with_person=d["with_person"],
            interpreter_language=d["interpreter_language"],
        )
        return _("Needs assessment recorded.")

    return _post(request, case, form, run)


@access("case", policy.PLAN_MANAGE, methods=("POST",))
def service_request_view(request: HttpRequest, code: str) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, code=code)
    policy.require(request.user, policy.PLAN_MANAGE, case)

    def run(d: dict[str, Any]) -> str:
        services.service_request(
            user=request.user,
            case=case,
            service_type=d["service_type"],
            provider=d["provider"],
            planned_from=d["planned_from"],
            planned_until=d["planned_until"],
            urgent=d["urgent"],
            data_consent=d["data_consent"],
            consent_how=d["consent_how"],
            consent_on=d["consent_on"],
            interpreter_language=d["interpreter_language"] or None,
        )
        return _("Service requested.")

    return _post(request, case, ServiceRequestForm(request.POST), run)


@access("case", policy.SERVICE_STEP, methods=("POST",))
def service_step_view(request: HttpRequest, code: str) -> HttpResponse:
    """A step on a service from the case page (the provider's steps also from its inbox)."""
    case = case_selectors.case_get(user=request.user, code=code)
    policy.require(request.user, policy.SERVICE_STEP, case)

    def run(d: dict[str, Any]) -> str:
        service = _service_in(case, d["service"])
        services.service_update_status(
            user=request.user,
            service=service,
            status=d["status"],
            expected_version=d["version"],
            on=d["on"],
            decline_reason=d["decline_reason"],
            reason=d["reason"],
        )
        return _("Service updated.")

    return _post(request, case, ServiceStepForm(request.POST), run)


@access("case", policy.PLAN_MANAGE, methods=("POST",))
def service_consent_withdraw_view(request: HttpRequest, code: str) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, code=code)
    policy.require(request.user, policy.PLAN_MANAGE, case)

    def run(d: dict[str, Any]) -> str:
        services.service_consent_withdraw(
            user=request.user,
            service=_service_in(case, d["service"]),
            expected_version=d["version"],
            withdrawn_on=d["withdrawn_on"],
        )
        return _("Consent withdrawn: the provider no longer reads the case file.")

    return _post(request, case, ConsentWithdrawForm(request.POST), run)


@access("case", policy.PLAN_MANAGE, methods=("POST",))
def plan_update_view(request: HttpRequest, code: str) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, code=code)
    policy.require(request.user, policy.PLAN_MANAGE, case)

    def run(d: dict[str, Any]) -> str:
        plan = selectors.plan_for(case)
        if plan is None:
            services.plan_open(
                user=request.user,
                case=case,
                agreed_with_person_on=d["agreed_with_person_on"],
                review_due_on=d["review_due_on"],
            )
            return _("Assistance plan opened.")
        services.plan_update(
            user=request.user,
            plan=plan,
            expected_version=d["version"],
            agreed_with_person_on=d["agreed_with_person_on"],
            review_due_on=d["review_due_on"],
        )
        return _("Assistance plan saved.")

    data = request.POST.copy()
    data.setdefault("version", "1")
    return _post(request, case, PlanForm(data), run)


@access("case", policy.PLAN_APPROVE, methods=("POST",))
def plan_approve_view(request: HttpRequest, code: str) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, code=code)
    policy.require(request.user, policy.PLAN_APPROVE, case)

    def run(d: dict[str, Any]) -> str:
        plan = selectors.plan_for(case)
        if plan is None:
            raise DomainError(_("There is no plan to approve yet."), field="plan")
        services.plan_approve(user=request.user, plan=plan, expected_version=d["version"])
        return _("Plan approved.")

    return _post(request, case, ApproveForm(request.POST), run)


@access("case", policy.COOPERATION_RECORD, methods=("POST",))
def cooperation_view(request: HttpRequest, code: str) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, code=code)
    policy.require(request.user, policy.COOPERATION_RECORD, case)

    def run(d: dict[str, Any]) -> str:
        services.cooperation_record(
            user=request.user, case=case, stance=d["stance"], recorded_on=d["recorded_on"]
        )
        return _("Recorded. It changes nothing in the person's assistance.")

    return _post(request, case, CooperationForm(request.POST), run)


# --- The provider's inbox ------------------------------------------------------------------------


@access("perm", Perm.CASE_VIEW, methods=("GET", "POST"))
def provider_inbox_view(request: HttpRequest) -> HttpResponse:
    """Service requests to the user's organisation, with the provider's steps."""
    user = request.user
    if request.method == "POST":
        form = ServiceStepForm(request.POST)
        if not form.is_valid():
            for field, errors in form.errors.items():
                messages.error(request, f"{form.fields[field].label}: {' '.join(errors)}")
            return redirect("assistance:inbox")
        d = form.cleaned_data
        try:
            service = services.service_for_provider(user=user, pk=d["service"])
            services.service_update_status(
                user=user,
                service=service,
                status=d["status"],
                expected_version=d["version"],
                on=d["on"],
                decline_reason=d["decline_reason"],
                reason=d["reason"],
            )
            messages.success(request, _("Service updated."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("assistance:inbox")
    show_all = request.GET.get("all") == "1"
    rows = []
    for s in selectors.provider_inbox(user, include_closed=show_all)[:200]:
        steps = _step_choices(s, provider=True, coordinator=False)
        rows.append(
            {
                "service": s,
                "steps": steps,
                "form": ServiceStepForm(
                    initial={"service": s.pk, "version": s.version}, auto_id=f"in{s.pk}_%s"
                )
                if steps
                else None,
                # The case link works only where the person agreed to share the case file.
                "case_visible": policy.can(user, Perm.CASE_VIEW, s.case),
            }
        )
    audit_record(
        actor=user,
        action="read",
        object_type="assistance_service",
        object_id="inbox",
        detail={"count": len(rows)},
    )
    return render(request, "assistance/inbox.html", {"rows": rows, "show_all": show_all})


# --- The coordinator's figures -------------------------------------------------------------------


@access("perm", Perm.STATS_VIEW)
def assistance_statistics_view(request: HttpRequest) -> HttpResponse:
    by_type = [{**r, "label": ServiceType(r["service_type"]).label} for r in selectors.service_statistics()]
    return render(
        request,
        "assistance/statistics.html",
        {"by_type": by_type, "conditioned": selectors.conditioned_refusals()},
    )
