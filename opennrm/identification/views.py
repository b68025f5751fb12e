"""HTML views of the identification workflow: parse, call a selector or service, render."""

from __future__ import annotations

import contextlib
import urllib.parse
from typing import Any

from django import forms as djforms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from opennrm import policy
from opennrm.accounts.roles import Perm
from opennrm.audit.services import audit_record
from opennrm.cases.models import Case, Incident
from opennrm.cases.views import case_form, post_case_action
from opennrm.core.http import AuthenticatedHttpRequest, access
from opennrm.identification import indicators, selectors, services
from opennrm.identification.forms import (
    AgeAssessmentForm,
    DecisionForm,
    GuardianForm,
    ProcedureRecordForm,
    ReferralForm,
    ReferralResponseForm,
    ReferralWithdrawForm,
    ScreeningForm,
    text_in,
)
from opennrm.lib import clock
from opennrm.lib.errors import DomainError


def identification_panel(request: AuthenticatedHttpRequest, case: Any) -> dict[str, Any]:
    """The identification section of the case page (registered with cases.views.register_case_panel)."""
    user = request.user
    access = policy.case_access(user, case)
    referrals = selectors.referrals(user=user, case=case)
    may = {
        "screen": access.can(policy.SCREENING_RECORD),
        "refer": access.can(policy.REFERRAL_MAKE),
        "procedure": access.can(policy.PROCEDURE_RUN),
        "decide": access.can(policy.DECISION_ISSUE),
        "age": access.can(policy.AGE_ASSESS),
        "guardian": access.can(policy.GUARDIAN_APPOINT),
    }
    open_procedure = selectors.open_procedure(case=case)
    decisions = selectors.decisions(user=user, case=case)
    reflection = selectors.reflection_period(case=case)
    # A first decision needs a running procedure; a review needs a decision to review.
    may["decide_now"] = may["decide"] and bool(open_procedure or decisions)
    return {
        "template": "identification/_case_panel.html",
        "may": may,
        "bar": selectors.removal_bar(case=case, procedure_open=open_procedure is not None, period=reflection),
        "child": selectors.child_protection(user=user, case=case),
        "reflection": reflection,
        "foreign": services.is_foreign_national(case),
        "screenings": selectors.screenings(user=user, case=case, answers=False, limit=10),
        "group_size": policy.visible_cases(user).filter(incident_id=case.incident_id).count()
        if may["screen"]
        else 0,
        "referrals": [
            {
                "referral": r,
                "respond": r.respondable_by(user),
                "withdraw": r.withdrawable_by(user),
            }
            for r in referrals
        ],
        "procedure": open_procedure,
        "records": selectors.procedure_records(user=user, case=case)
        if open_procedure or may["decide"]
        else [],
        "decisions": decisions,
        "today": clock.today(),
        "may_record": may["procedure"] and bool(open_procedure),
        "may_opinion": bool(open_procedure)
        and not may["procedure"]
        and policy.can(user, policy.PROCEDURE_CONTRIBUTE, case),
    }


def _chosen_set(request: HttpRequest) -> tuple[str, indicators.IndicatorSet | None]:
    """The indicator set (and version, else the latest) named by the form or the query string."""
    set_code = request.POST.get("indicator_set") or request.GET.get("set") or ""
    version = request.POST.get("indicator_version") or request.GET.get("version") or ""
    try:
        return set_code, indicators.get_set(set_code, version) if version else indicators.latest(set_code)
    except indicators.UnknownIndicatorSet:
        return set_code, None


# --- Screening ---------------------------------------------------------------------------------


@access("case", policy.SCREENING_RECORD, methods=("GET", "POST"))
def screening_new_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    lang = get_language() or "sr"
    set_code, iset = _chosen_set(request)
    if iset is None:
        sets = [
            {"set": s, "title": text_in(s.title, lang)}
            for s in indicators.available()
            if s.is_for(is_child=case.is_child)
        ]
        return render(
            request,
            "identification/screening_choose.html",
            {"case": case, "sets": sets, "unknown": bool(set_code)},
            status=400 if request.method == "POST" else 200,
        )
    form = ScreeningForm(
        request.POST or None,
        indicator_set=iset,
        initial={"screened_on": clock.today(), "setting": "interview"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            screening = services.screening_record(
                user=request.user,
                case=case,
                indicator_set=iset.code,
                version=iset.version,
                answers=form.answers(),
                setting=form.cleaned_data["setting"],
                screened_on=form.cleaned_data["screened_on"],
                interpreter_used=form.cleaned_data["interpreter_used"],
            )
            messages.success(request, _("Screening saved."))
            return redirect("identification:screening", code=case.code, pk=screening.pk)
        except DomainError as exc:
            form.add_error(None, exc.message)
    return render(
        request,
        "identification/screening_form.html",
        {"case": case, "form": form, "iset": iset, "title": text_in(iset.title, lang)},
        status=400 if form.errors else 200,
    )


@access("incident", policy.SCREENING_RECORD, methods=("GET", "POST"))
def group_screening_view(request: AuthenticatedHttpRequest, incident: Incident) -> HttpResponse:
    """The indicators a group shares, answered once for everyone of the incident the user sees."""
    from opennrm.identification import group

    lang = get_language() or "sr"
    set_code, iset = _chosen_set(request)
    cases = policy.visible_cases(request.user).filter(incident=incident)
    context: dict[str, Any] = {"incident": incident, "count": cases.count()}
    if iset is None:
        sets = [
            {"set": s, "title": text_in(s.title, lang)}
            for s in indicators.available()
            if s.applies_to == "any"
        ]
        return render(
            request,
            "identification/group_screening_choose.html",
            {**context, "sets": sets, "unknown": bool(set_code)},
            status=400 if request.method == "POST" else 200,
        )
    form = ScreeningForm(
        request.POST or None,
        indicator_set=iset,
        initial={"screened_on": clock.today(), "setting": "workplace_inspection"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            count = group.group_screening_record(
                user=request.user,
                incident_code=incident.code,
                shared_screening={
                    "indicator_set": iset.code,
                    "version": iset.version,
                    "answers": form.answers(),
                    "setting": form.cleaned_data["setting"],
                    "screened_on": form.cleaned_data["screened_on"],
                    "interpreter_used": form.cleaned_data["interpreter_used"],
                },
            )
            messages.success(
                request,
                ngettext(
                    "The shared indicators were recorded for %(n)d person.",
                    "The shared indicators were recorded for %(n)d persons.",
                    count,
                )
                % {"n": count},
            )
            return redirect(f"{reverse('cases:list')}?{urllib.parse.urlencode({'q': incident.code})}")
        except DomainError as exc:
            form.add_error(None, exc.message)
    return render(
        request,
        "identification/screening_form.html",
        {**context, "form": form, "iset": iset, "title": text_in(iset.title, lang), "group": True},
        status=400 if form.errors else 200,
    )


@access("case", Perm.CASE_VIEW)
def screening_detail_view(request: AuthenticatedHttpRequest, case: Case, pk: int) -> HttpResponse:
    screening = selectors.screening_get(user=request.user, case=case, pk=pk)
    lang = get_language() or "sr"
    explanation: list[str] = []
    met: list[dict[str, Any]] = []
    iset = None
    with contextlib.suppress(indicators.UnknownIndicatorSet):
        iset = indicators.get_set(screening.indicator_set, screening.indicator_version)
    answers = {a.indicator: a.answer for a in screening.answers.all()}
    evaluation = None
    if iset is not None:
        try:
            evaluation = indicators.evaluate(iset, answers, is_child=screening.as_child)
        except ValueError:
            # Stored answers always evaluated once; this guards against a data file changed in place.
            evaluation = None
    if iset is not None and evaluation is not None:
        explanation = indicators.explain(evaluation, iset, lang)
        strengths = dict(evaluation.met)
        met = [
            {"id": i, "label": iset.item_label(i, lang), "strength": strengths.get(i)}
            for i, _s in evaluation.met
        ]
    audit_record(
        actor=request.user,
        action="read",
        object_type="screening",
        object_id=screening.pk,
        case_code=case.code,
    )
    return render(
        request,
        "identification/screening_detail.html",
        {
            "case": case,
            "screening": screening,
            "iset": iset,
            "title": text_in(iset.title, lang) if iset else screening.indicator_set,
            "explanation": explanation,
            "met": met,
            "unknown": sum(1 for v in answers.values() if v == "unknown"),
            "answered": len(answers),
        },
    )


# --- Referrals ---------------------------------------------------------------------------------


@access("case", policy.REFERRAL_MAKE, methods=("GET", "POST"))
def referral_create_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        # The service decides which purposes this user may refer for.
        form = ReferralForm(request.POST)
    else:
        form = ReferralForm(
            purposes=services.purposes_for(user=user, case=case),
            exclude_org=user.organisation_id,
            auto_id="referral_%s",
        )

    def run(d: dict[str, Any]) -> str:
        services.referral_create(
            user=user,
            case=case,
            to_organisation=d["to_organisation"],
            purpose=d["purpose"],
            urgent=d["urgent"],
        )
        return _("Referral sent.")

    return case_form(request, case, form, run, title=_("Refer this case"), submit=_("Send referral"))


@access("case", Perm.CASE_VIEW, methods=("POST",))
def referral_respond_view(request: AuthenticatedHttpRequest, case: Case, pk: int) -> HttpResponse:
    referral = selectors.referral_get(user=request.user, case=case, pk=pk)

    def run(d: dict[str, Any]) -> None:
        accept = d["decision"] == "accept"
        services.referral_respond(
            user=request.user,
            referral=referral,
            accept=accept,
            reason=d["reason"],
            expected_version=d["version"],
        )
        messages.success(request, _("Referral accepted.") if accept else _("Referral declined."))

    response = post_case_action(request, case, ReferralResponseForm(request.POST), run)
    # After declining, the organisation may no longer see the case: go to its referral inbox.
    if not policy.can(request.user, Perm.CASE_VIEW, case):
        return redirect("identification:inbox")
    return response


@access("case", Perm.CASE_VIEW, methods=("POST",))
def referral_withdraw_view(request: AuthenticatedHttpRequest, case: Case, pk: int) -> HttpResponse:
    referral = selectors.referral_get(user=request.user, case=case, pk=pk)

    def run(d: dict[str, Any]) -> None:
        services.referral_withdraw(
            user=request.user, referral=referral, reason=d["reason"], expected_version=d["version"]
        )
        messages.success(request, _("Referral withdrawn."))

    return post_case_action(request, case, ReferralWithdrawForm(request.POST), run)


@access("perm", Perm.CASE_VIEW)
def referral_inbox_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    pending = selectors.referral_inbox(user=request.user, limit=200)
    return render(request, "identification/inbox.html", {"referrals": pending})


# --- Procedure and decision --------------------------------------------------------------------


@access("case", policy.PROCEDURE_RUN, methods=("POST",))
def procedure_start_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    def run(d: dict[str, Any]) -> None:
        services.procedure_start(user=request.user, case=case)
        messages.success(request, _("Identification procedure started."))

    return post_case_action(request, case, djforms.Form(request.POST), run)


@access("case", policy.PROCEDURE_CONTRIBUTE, methods=("GET", "POST"))
def procedure_record_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    """A record of the procedure (the Centre: interviews, documents, indicators) or, with ``?kind=opinion``
    or for another organisation in the case, its opinion."""
    user = request.user
    opinion = request.GET.get("kind") == "opinion" or not policy.can(user, policy.PROCEDURE_RUN, case)
    form = ProcedureRecordForm(
        request.POST or None,
        case=case,
        allowed=policy.readable_sensitivities(user),
        initial={"happened_on": clock.today(), **({"kind": "opinion"} if opinion else {})},
        auto_id="opinion_%s" if opinion else "record_%s",
    )

    def run(d: dict[str, Any]) -> str:
        services.procedure_record_add(
            user=user,
            case=case,
            kind=d["kind"],
            happened_on=d["happened_on"],
            organisation=d["organisation"],
            text=d["text"],
            sensitivity=d["sensitivity"],
        )
        return _("Record added.")

    if opinion:
        return case_form(
            request,
            case,
            form,
            run,
            title=_("Give your organisation's opinion to the Centre"),
            submit=_("Send opinion"),
            template="identification/_opinion_fields.html",
        )
    return case_form(
        request,
        case,
        form,
        run,
        title=_("Add an interview, documents, indicators or an opinion"),
        submit=_("Add record"),
    )


@access("case", policy.DECISION_ISSUE, methods=("GET", "POST"))
def decision_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    current = services.current_decision(case)
    form = DecisionForm(request.POST or None, initial={"kind": "review" if current else "initial"})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.decision_issue(
                user=request.user,
                case=case,
                outcome=d["outcome"],
                reasons=d["reasons"],
                forms=d["forms_of_exploitation"],
                legal_basis=d["legal_basis"],
                kind=d["kind"] or None,
            )
            messages.success(request, _("Decision issued."))
            return redirect("cases:detail", code=case.code)
        except DomainError as exc:
            field = {"forms": "forms_of_exploitation"}.get(exc.field or "", exc.field)
            form.add_error(field if field in form.fields else None, exc.message)
    return render(
        request,
        "identification/decision_form.html",
        {
            "case": case,
            "form": form,
            "current": current,
            "decisions": selectors.decisions(user=request.user, case=case),
            "records": selectors.procedure_records(user=request.user, case=case),
            "screenings": selectors.screenings(user=request.user, case=case),
        },
        status=400 if form.errors else 200,
    )


# --- Children ----------------------------------------------------------------------------------


@access("case", policy.AGE_ASSESS, methods=("GET", "POST"))
def age_assessment_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    form = AgeAssessmentForm(request.POST or None, initial={"assessed_on": clock.today()}, auto_id="age_%s")

    def run(d: dict[str, Any]) -> str:
        services.age_assessment_record(user=request.user, case=case, **d)
        return _("Age assessment recorded.")

    return case_form(request, case, form, run, title=_("Record an age assessment"))


@access("case", policy.GUARDIAN_APPOINT, methods=("POST",))
def guardian_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    def run(d: dict[str, Any]) -> None:
        services.guardian_appoint(user=request.user, case=case, appointed_on=d["appointed_on"])
        messages.success(request, _("Guardian appointment recorded."))

    return post_case_action(request, case, GuardianForm(request.POST), run)
