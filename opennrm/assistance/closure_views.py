"""The "Follow-up and closure" section of the case page and the actions it posts to."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from opennrm import policy
from opennrm.accounts.models import Organisation
from opennrm.accounts.roles import Perm
from opennrm.assistance import closure
from opennrm.assistance.models import (
    CaseClosure,
    ClosureReason,
    ClosureStatus,
    FollowUp,
    FollowUpMethod,
    FollowUpOutcome,
)
from opennrm.cases.models import Case, CaseStatus, Involvement
from opennrm.cases.views import case_form
from opennrm.cases.views import post_case_message as _post
from opennrm.core.http import AuthenticatedHttpRequest, access
from opennrm.lib import clock
from opennrm.lib.errors import DomainError
from opennrm.lib.scripts import in_active_script

DATE = forms.DateInput(attrs={"type": "date"})


class _OrgChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{in_active_script(obj.name)} ({obj.get_type_display()})"


class ReintegrationForm(forms.Form):
    follow_up_by = _OrgChoice(label=_lazy("Followed up by"), queryset=Organisation.objects.none())
    interval_days = forms.IntegerField(
        label=_lazy("Contact every (days)"), min_value=7, max_value=180, initial=30
    )
    months = forms.IntegerField(
        label=_lazy("For (months)"), min_value=1, max_value=closure.MAX_MONTHS, initial=12
    )
    started_on = forms.DateField(label=_lazy("From"), widget=DATE)

    def __init__(self, *args: Any, case: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if case is not None:
            involved = Involvement.objects.active().filter(case=case).values("organisation_id")
            field = self.fields["follow_up_by"]
            assert isinstance(field, _OrgChoice)
            field.queryset = Organisation.objects.filter(pk__in=involved).order_by("name")


class FollowUpForm(forms.Form):
    follow_up = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    done_on = forms.DateField(label=_lazy("Done on"), widget=DATE, required=False)
    method = forms.ChoiceField(label=_lazy("How"), choices=FollowUpMethod.choices)
    outcome = forms.ChoiceField(label=_lazy("Outcome"), choices=FollowUpOutcome.choices)


class ClosureRequestForm(forms.Form):
    reason = forms.ChoiceField(label=_lazy("Reason"), choices=ClosureReason.choices)
    explanation = forms.CharField(
        label=_lazy("Explanation"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_lazy("What was achieved and why assistance ends. No names."),
    )


class ClosureReviewForm(forms.Form):
    closure = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decision = forms.ChoiceField(
        label=_lazy("Decision"),
        choices=[("approve", _lazy("approve: close the case")), ("reject", _lazy("do not approve"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_lazy("Note"), max_length=500, required=False, help_text=_lazy("Required when not approving.")
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_lazy("Why the case is reopened"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


def closure_panel(request: AuthenticatedHttpRequest, case: Any) -> dict[str, Any] | None:
    user = request.user
    plan = closure.reintegration_plan(case)
    follow_ups = closure.case_follow_ups(case) if plan else []
    closures = closure.case_closures(case)
    manage = policy.can(user, policy.PLAN_MANAGE, case)
    record = policy.can(user, policy.FOLLOW_UP_RECORD, case)
    request_closure = policy.can(user, policy.CLOSURE_REQUEST, case)
    review = policy.can(user, policy.CLOSURE_REVIEW, case)
    earlier = (
        closure.earlier_matches(case, user=user) if policy.can(user, Perm.INVOLVEMENT_MANAGE, case) else []
    )
    if not (plan or closures or manage or request_closure or earlier or record):
        return None
    today = clock.today()
    pending = next((c for c in closures if c.status == ClosureStatus.REQUESTED), None)
    return {
        "template": "assistance/_closure_panel.html",
        "plan": plan,
        "follow_ups": follow_ups,
        "next_follow_up": next((f for f in follow_ups if f.done_on is None), None),
        "today": today,
        "methods": FollowUpMethod.choices,
        # The explanation may say what happened to the person; first-line readers see the outcome only.
        "read_explanations": policy.can(user, Perm.CASE_EDIT, case),
        "outcomes": FollowUpOutcome.choices,
        "closures": closures,
        "pending": pending,
        # Cases the user does not see are counted, never named or dated.
        "earlier": [c for c in earlier if c.visible],
        "earlier_hidden": sum(1 for c in earlier if not c.visible),
        "may": {"record": record, "review": review and pending and pending.reviewable_by(user)},
        "may_plan": manage and plan is None and case.status in (CaseStatus.IDENTIFIED, CaseStatus.ASSISTED),
        "may_request": request_closure and case.status != CaseStatus.CLOSED and pending is None,
        "may_reopen": request_closure and case.status == CaseStatus.CLOSED,
    }


@access("case", policy.PLAN_MANAGE, methods=("GET", "POST"))
def reintegration_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    form = ReintegrationForm(
        request.POST or None, case=case, initial={"started_on": clock.today()}, auto_id="reint_%s"
    )

    def run(d: dict[str, Any]) -> str:
        closure.reintegration_start(
            user=request.user,
            case=case,
            follow_up_by=d["follow_up_by"],
            interval_days=d["interval_days"],
            months=d["months"],
            started_on=d["started_on"],
        )
        return _("Reintegration follow-up planned.")

    return case_form(request, case, form, run, title=_("Plan reintegration follow-up"), submit=_("Plan"))


@access("case", policy.FOLLOW_UP_RECORD, methods=("POST",))
def follow_up_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:

    def run(d: dict[str, Any]) -> str:
        row = FollowUp.objects.filter(case=case, pk=d["follow_up"]).select_related("case", "plan").first()
        if row is None:
            raise DomainError(_("There is no such follow-up in this case."), field="follow_up")
        closure.follow_up_record(
            user=request.user,
            follow_up=row,
            outcome=d["outcome"],
            method=d["method"],
            expected_version=d["version"],
            done_on=d["done_on"],
        )
        return _("Follow-up recorded.")

    return _post(request, case, FollowUpForm(request.POST), run)


@access("case", policy.CLOSURE_REQUEST, methods=("GET", "POST"))
def closure_request_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    form = ClosureRequestForm(request.POST or None, auto_id="closure_%s")

    def run(d: dict[str, Any]) -> str:
        closure.closure_request(
            user=request.user, case=case, reason=d["reason"], explanation=d["explanation"]
        )
        return _("Closure requested: it awaits the Centre head's review.")

    return case_form(request, case, form, run, title=_("Request closure"), submit=_("Request closure"))


@access("case", policy.CLOSURE_REVIEW, methods=("POST",))
def closure_review_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:

    def run(d: dict[str, Any]) -> str:
        row = CaseClosure.objects.filter(case=case, pk=d["closure"]).select_related("case").first()
        if row is None:
            raise DomainError(_("There is no such closure in this case."), field="closure")
        approve = d["decision"] == "approve"
        closure.closure_review(
            user=request.user, closure=row, approve=approve, expected_version=d["version"], note=d["note"]
        )
        return _("Case closed.") if approve else _("Closure not approved.")

    return _post(request, case, ClosureReviewForm(request.POST), run)


@access("case", policy.CLOSURE_REQUEST, methods=("GET", "POST"))
def reopen_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    form = ReopenForm(request.POST or None, auto_id="reopen_%s")

    def run(d: dict[str, Any]) -> str:
        closure.case_reopen(user=request.user, case=case, reason=d["reason"])
        return _("The case was reopened.")

    return case_form(request, case, form, run, title=_("Reopen the case"), submit=_("Reopen"))
