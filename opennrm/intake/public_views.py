"""The public report page (no account) and the Centre's triage queue of those reports."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from opennrm import policy
from opennrm.audit.services import audit_record
from opennrm.core.http import AuthenticatedHttpRequest, access
from opennrm.core.middleware import client_ip
from opennrm.intake import public_reports
from opennrm.intake.models import PublicReportHint, PublicReportStatus
from opennrm.lib.errors import DomainError
from opennrm.people.models import Sex

# --- Forms (parse only; the rules are in public_reports) ----------------------------------------


class PublicReportForm(forms.Form):
    text = forms.CharField(
        label=_lazy("What did you see or hear?"),
        max_length=public_reports.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_lazy("Where and when it happened, who seemed to be in trouble, and why you are worried."),
    )
    exploitation_hint = forms.ChoiceField(
        label=_lazy("What does it seem to be about?"),
        choices=PublicReportHint.choices,
        initial=PublicReportHint.UNKNOWN,
        required=False,
        widget=forms.RadioSelect,
    )
    municipality = forms.CharField(
        label=_lazy("Place (town or municipality)"),
        max_length=public_reports.MAX_MUNICIPALITY,
        required=False,
    )
    contact = forms.CharField(
        label=_lazy("How can we contact you? (optional)"),
        max_length=public_reports.MAX_CONTACT,
        required=False,
        help_text=_lazy("Only if you want us to contact you: a phone number or an e-mail address."),
    )


class ReviewForm(forms.Form):
    status = forms.ChoiceField(
        label=_lazy("Status"),
        choices=[(s.value, s.label) for s in (PublicReportStatus.IN_REVIEW, PublicReportStatus.NO_ACTION)],
        widget=forms.RadioSelect,
    )
    outcome_note = forms.CharField(
        label=_lazy("Note"),
        max_length=public_reports.MAX_OUTCOME_NOTE,
        required=False,
        help_text=_lazy("Why no action is taken, in brief. No names."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class RegisterForm(forms.Form):
    """The least needed to open a case; the rest is added on the case."""

    given_names = forms.CharField(label=_lazy("Given name(s)"), max_length=200, required=False)
    family_names = forms.CharField(label=_lazy("Family name(s)"), max_length=200, required=False)
    sex = forms.ChoiceField(label=_lazy("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    age_estimate_min = forms.IntegerField(
        label=_lazy("Estimated age from"), required=False, min_value=0, max_value=120
    )
    age_estimate_max = forms.IntegerField(
        label=_lazy("Estimated age to"), required=False, min_value=0, max_value=120
    )
    citizenship = forms.RegexField(
        label=_lazy("Citizenship"),
        regex=r"^[A-Za-z]{2}$",
        required=False,
        max_length=2,
        help_text=_lazy("Two-letter country code, for example RS, BA, VN."),
        error_messages={"invalid": _lazy("Enter a two-letter ISO country code.")},
    )
    incident_title = forms.CharField(
        label=_lazy("What was seen, in brief"),
        max_length=200,
        help_text=_lazy('No names: for example "Workers kept in a factory in Subotica".'),
    )


def _form_errors(request: HttpRequest, form: forms.Form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        text = " ".join(map(str, errors))  # an ErrorList yields its messages as text
        messages.error(request, f"{label}: {text}" if label else text)


# --- The public page -----------------------------------------------------------------------------


@access("public", methods=("GET", "POST"))
def public_report_view(request: HttpRequest) -> HttpResponse:
    """Anyone may tell the Centre what they saw. Nothing comes back: no code, no status, no link."""
    if request.method == "POST":
        if not public_reports.throttle_allows(client_ip(request)):
            return render(
                request,
                "intake/public_report.html",
                {"form": PublicReportForm(), "limited": True},
                status=429,
            )
        form = PublicReportForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                public_reports.public_report_submit(
                    text=d["text"],
                    contact=d["contact"],
                    exploitation_hint=d["exploitation_hint"],
                    municipality=d["municipality"],
                    language=get_language() or "",
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                public_reports.throttle_count(client_ip(request))
                return redirect("intake:public_report_thanks")
        return render(request, "intake/public_report.html", {"form": form}, status=400)
    return render(request, "intake/public_report.html", {"form": PublicReportForm()})


@access("public")
def public_report_thanks_view(request: HttpRequest) -> HttpResponse:
    # The same page for everyone, whether or not a report was just sent: it confirms nothing.
    return render(request, "intake/public_report_thanks.html")


# --- Triage --------------------------------------------------------------------------------------


@access("perm", policy.TRIAGE)
def triage_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "intake/triage.html",
        {"reports": public_reports.public_reports_queue(user=request.user)},
    )


@access("perm", policy.TRIAGE, methods=("GET", "POST"))
def triage_detail_view(request: AuthenticatedHttpRequest, report_code: str) -> HttpResponse:
    report = public_reports.public_report_get(user=request.user, code=report_code)
    review_form = ReviewForm(initial={"version": report.version}, auto_id="review_%s")
    register_form = RegisterForm(auto_id="register_%s")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "review":
                review_form = ReviewForm(request.POST, auto_id="review_%s")
                if review_form.is_valid():
                    d = review_form.cleaned_data
                    public_reports.public_report_review(
                        user=request.user,
                        report=report,
                        status=d["status"],
                        outcome_note=d["outcome_note"],
                        expected_version=d["version"],
                    )
                    messages.success(request, _("Report updated."))
                    return redirect("intake:triage_report", report_code=report.code)
            elif action == "register":
                register_form = RegisterForm(request.POST, auto_id="register_%s")
                if register_form.is_valid():
                    case = _register(request, report, register_form.cleaned_data)
                    messages.success(
                        request, _("Case %(code)s opened from the report.") % {"code": case.code}
                    )
                    return redirect("cases:detail", code=case.code)
            else:
                messages.error(request, _("Choose what to do with the report."))
        except DomainError as exc:
            messages.error(request, exc.message)
            audit_record(
                actor=request.user,
                action="rejected",
                object_type="public_report",
                object_id=report.code,
                detail={"field": exc.field or ""},
            )
        status = 400
    account = public_reports.public_report_read(user=request.user, report=report)
    return render(
        request,
        "intake/triage_detail.html",
        {
            "report": report,
            "account": account,
            "review_form": review_form if report.status != PublicReportStatus.REGISTERED else None,
            "register_form": register_form if report.status != PublicReportStatus.REGISTERED else None,
        },
        status=status,
    )


def _register(request: AuthenticatedHttpRequest, report: Any, d: dict[str, Any]) -> Any:
    return public_reports.public_report_register(
        user=request.user,
        report=report,
        person_attributes={
            "sex": d["sex"],
            "citizenship": (d["citizenship"] or "").upper(),
            "age_estimate_min": d["age_estimate_min"],
            "age_estimate_max": d["age_estimate_max"],
        },
        identity={"given_names": d["given_names"], "family_names": d["family_names"]},
        incident_data={"title": d["incident_title"]},
    )
