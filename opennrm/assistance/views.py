"""The assistance section of the case page, the providers' inbox and the coordinator's figures."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
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
from opennrm.cases.models import Case
from opennrm.cases.views import case_form
from opennrm.cases.views import post_case_message as _post
from opennrm.core.http import AuthenticatedHttpRequest, access
from opennrm.core.pagination import CappedPaginator
from opennrm.lib import clock
from opennrm.lib.errors import DomainError, NotFound
from opennrm.lib.scripts import in_active_script

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

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

    def __init__(
        self, *args: Any, steps: list[tuple[str, StrOrPromise]] | None = None, provider: bool = True, **kwargs
    ):
        super().__init__(*args, **kwargs)
        if steps is not None:
            field = self.fields["status"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = steps
        if not provider:
            # The reason categories are the provider's (why it declines); the coordinator records the
            # person's refusal in words.
            del self.fields["decline_reason"]


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


def _step_choices(
    service: AssistanceService, *, provider: bool, coordinator: bool
) -> list[tuple[str, StrOrPromise]]:
    return [
        (s, ServiceStatus(s).label) for s in service.steps_for(provider=provider, coordinator=coordinator)
    ]


def assistance_panel(request: AuthenticatedHttpRequest, case: Any) -> dict[str, Any] | None:
    """Registered with cases.views.register_case_panel. The forms are fetched when opened (case_form)."""
    user = request.user
    manage = policy.can(user, policy.PLAN_MANAGE, case)
    approve = case.is_child and policy.can(user, policy.PLAN_APPROVE, case)
    plan = selectors.plan_for(case)
    rows = [
        {
            "service": s,
            "steps": _step_choices(s, provider=s.provider_id == user.organisation_id, coordinator=manage),
        }
        for s in selectors.services_visible(user, case)
    ]
    reads_legal = policy.reads(user, Sensitivity.LEGAL)
    cooperation = selectors.cooperation_records(case) if reads_legal else []
    if plan is None and not rows and not manage and not cooperation:
        return None
    assessments = selectors.needs_visible(user, case) if manage or plan else []
    return {
        "template": "assistance/_case_panel.html",
        "plan": plan,
        "rows": rows,
        "assessment": assessments[0] if assessments else None,
        "assessment_count": len(assessments),
        "cooperation": cooperation,
        "reads_legal": reads_legal,
        "may": {
            "manage": manage,
            "approve": approve and plan is not None,
            "cooperation": reads_legal and policy.can(user, policy.COOPERATION_RECORD, case),
        },
        "assistable": case.status in services.ASSISTABLE,
    }


# --- Actions on the case page --------------------------------------------------------------------


def _step(user: Any, service: AssistanceService, d: dict[str, Any]) -> None:
    """One step from a ServiceStepForm (case page and provider inbox alike)."""
    services.service_update_status(
        user=user,
        service=service,
        status=d["status"],
        expected_version=d["version"],
        on=d["on"],
        decline_reason=d["decline_reason"],
        reason=d["reason"],
    )


def _service_in(case: Any, pk: int) -> AssistanceService:
    service = (
        AssistanceService.objects.filter(case=case, pk=pk).select_related("case", "plan", "provider").first()
    )
    if service is None:
        raise DomainError(_("There is no such service in this case."), field="service")
    return service


@access("case", policy.PLAN_MANAGE, methods=("GET", "POST"))
def needs_assess_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    form = NeedsForm(request.POST or None, initial={"assessed_on": clock.today()}, auto_id="needs_%s")

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

    return case_form(
        request,
        case,
        form,
        run,
        title=_("Record a needs assessment"),
        template="assistance/_needs_fields.html",
    )


@access("case", policy.PLAN_MANAGE, methods=("GET", "POST"))
def service_request_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    today = clock.today()
    form = ServiceRequestForm(
        request.POST or None, initial={"planned_from": today, "consent_on": today}, auto_id="service_%s"
    )

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

    return case_form(request, case, form, run, title=_("Request a service"), submit=_("Request"))


@access("case", policy.SERVICE_STEP, methods=("GET", "POST"))
def service_step_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    """A step on a service from the case page (the provider's steps also from its inbox). GET takes the
    service as ``?service=`` and offers the steps this user may record."""
    user = request.user
    if request.method == "GET":
        pk = request.GET.get("service", "")
        if not pk.isdigit():
            return HttpResponseBadRequest(_("Choose a service."), content_type="text/plain; charset=utf-8")
        service = next((s for s in selectors.services_visible(user, case) if str(s.pk) == pk), None)
        if service is None:
            raise NotFound()
        provider = service.provider_id == user.organisation_id
        steps = _step_choices(
            service, provider=provider, coordinator=policy.can(user, policy.PLAN_MANAGE, case)
        )
        form = ServiceStepForm(
            initial={"service": service.pk, "version": service.version},
            steps=steps,
            provider=provider,
            auto_id=f"step{service.pk}_%s",
        )
    else:
        form = ServiceStepForm(request.POST)

    def run(d: dict[str, Any]) -> str:
        _step(user, _service_in(case, d["service"]), d)
        return _("Service updated.")

    return case_form(request, case, form, run, title=_("Next step"))


@access("case", policy.PLAN_MANAGE, methods=("POST",))
def service_consent_withdraw_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:

    def run(d: dict[str, Any]) -> str:
        services.service_consent_withdraw(
            user=request.user,
            service=_service_in(case, d["service"]),
            expected_version=d["version"],
            withdrawn_on=d["withdrawn_on"],
        )
        return _("Consent withdrawn: the provider no longer reads the case file.")

    return _post(request, case, ConsentWithdrawForm(request.POST), run)


@access("case", policy.PLAN_MANAGE, methods=("GET", "POST"))
def plan_update_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    plan = selectors.plan_for(case)

    def run(d: dict[str, Any]) -> str:
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

    if request.method == "POST":
        data = request.POST.copy()
        data.setdefault("version", "1")
        form = PlanForm(data)
    else:
        initial: dict[str, Any] = {"version": 1}
        if plan is not None:
            initial = {
                "version": plan.version,
                "agreed_with_person_on": plan.agreed_with_person_on,
                "review_due_on": plan.review_due_on,
            }
        form = PlanForm(initial=initial, auto_id="plan_%s")
    return case_form(request, case, form, run, title=_("Agreement and review"))


@access("case", policy.PLAN_APPROVE, methods=("POST",))
def plan_approve_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:

    def run(d: dict[str, Any]) -> str:
        plan = selectors.plan_for(case)
        if plan is None:
            raise DomainError(_("There is no plan to approve yet."), field="plan")
        services.plan_approve(user=request.user, plan=plan, expected_version=d["version"])
        return _("Plan approved.")

    return _post(request, case, ApproveForm(request.POST), run)


@access("case", policy.COOPERATION_RECORD, methods=("GET", "POST"))
def cooperation_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    form = CooperationForm(request.POST or None, initial={"recorded_on": clock.today()}, auto_id="coop_%s")

    def run(d: dict[str, Any]) -> str:
        services.cooperation_record(
            user=request.user, case=case, stance=d["stance"], recorded_on=d["recorded_on"]
        )
        return _("Recorded. It changes nothing in the person's assistance.")

    return case_form(request, case, form, run, title=_("Record the stance"))


# --- The provider's inbox ------------------------------------------------------------------------


@access("perm", Perm.CASE_VIEW, methods=("GET", "POST"))
def provider_inbox_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Service requests to the user's organisation, with the provider's steps."""
    user = request.user
    if request.method == "POST":
        form = ServiceStepForm(request.POST)
        if not form.is_valid():
            for field, errors in form.errors.items():
                text = " ".join(map(str, errors))  # an ErrorList yields its messages as text
                messages.error(request, f"{form.fields[field].label}: {text}")
            return redirect("assistance:inbox")
        d = form.cleaned_data
        try:
            _step(user, services.service_for_provider(user=user, pk=d["service"]), d)
            messages.success(request, _("Service updated."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("assistance:inbox")
    show_all = request.GET.get("all") == "1"
    page = CappedPaginator(selectors.provider_inbox(user, include_closed=show_all), 50).get_page(
        request.GET.get("page")
    )
    services_on_page = selectors.with_case_visible(user, list(page.object_list))
    rows = [{"service": s, "steps": s.steps_for(provider=True, coordinator=False)} for s in services_on_page]
    audit_record(
        actor=user,
        action="read",
        object_type="assistance_service",
        object_id="inbox",
        detail={"count": len(rows)},
    )
    return render(request, "assistance/inbox.html", {"rows": rows, "page": page, "show_all": show_all})


@access("organisation", policy.CASE_VIEW)
def provider_step_form_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The provider's next step on one of its services, fetched when the row is opened (or as a page of
    its own without JavaScript); it is sent to the inbox."""
    service = services.service_for_provider(user=request.user, pk=pk)
    form = ServiceStepForm(
        initial={"service": service.pk, "version": service.version},
        steps=_step_choices(service, provider=True, coordinator=False),
        auto_id=f"in{service.pk}_%s",
    )
    context = {
        "form": form,
        "action_url": reverse("assistance:inbox"),
        "submit": _("Save"),
        "title": _("Next step"),
        "form_template": "cases/_form_fields.html",
        "service": service,
    }
    if request.headers.get("HX-Request"):
        return render(request, "cases/_form.html", context)
    return render(request, "assistance/step_page.html", context)


# --- The coordinator's figures -------------------------------------------------------------------


@access("perm", Perm.STATS_VIEW)
def assistance_statistics_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    by_type = [{**r, "label": ServiceType(r["service_type"]).label} for r in selectors.service_statistics()]
    return render(
        request,
        "assistance/statistics.html",
        {"by_type": by_type, "conditioned": selectors.conditioned_refusals()},
    )
