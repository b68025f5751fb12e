"""The transnational and consent section of the case page, and the small actions it posts to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from opennrm import policy
from opennrm.accounts.models import Organisation
from opennrm.accounts.roles import Perm
from opennrm.cases import selectors as case_selectors
from opennrm.cases.views import post_case_action
from opennrm.core.http import access
from opennrm.identification import transnational
from opennrm.identification.models import ConsentHow, ConsentPurpose
from opennrm.lib.dates import local_today
from opennrm.lib.errors import DomainError
from opennrm.lib.scripts import in_active_script

DATE = forms.DateInput(attrs={"type": "date"})


class _OrganisationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        country = f", {obj.country}" if obj.country else ""
        return f"{in_active_script(obj.name)} ({obj.get_type_display()}{country})"


def _organisations(types: set[str]) -> Any:
    return Organisation.objects.filter(is_active=True, type__in=sorted(types)).order_by("name")


class TransnationalForm(forms.Form):
    foreign_authority = _OrganisationChoice(
        label=_lazy("Referring foreign authority or international organisation"),
        queryset=_organisations(transnational.FOREIGN_AUTHORITY_TYPES),
    )
    country = forms.RegexField(
        label=_lazy("Country"),
        regex=r"^[A-Za-z]{2}$",
        max_length=2,
        help_text=_lazy("Two-letter country code, for example AT, BA, XK."),
        error_messages={"invalid": _lazy("Enter a two-letter ISO country code.")},
    )
    identified_abroad = forms.BooleanField(label=_lazy("Identified as a victim abroad"), required=False)
    identified_on = forms.DateField(label=_lazy("Identified on"), required=False, widget=DATE)
    plan_return = forms.BooleanField(
        label=_lazy("Plan the return home and reintegration"), required=False, initial=True
    )


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_lazy("Purpose"), choices=ConsentPurpose.choices)
    answer = forms.ChoiceField(
        label=_lazy("The person's answer"),
        choices=[("given", _lazy("consents")), ("refused", _lazy("refuses"))],
        widget=forms.RadioSelect,
    )
    how = forms.ChoiceField(label=_lazy("How"), choices=ConsentHow.choices)
    recorded_on = forms.DateField(label=_lazy("Date"), widget=DATE)


class ConsentWithdrawForm(forms.Form):
    consent = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    withdrawn_on = forms.DateField(label=_lazy("Withdrawn on"), required=False, widget=DATE)


class EmbassyContactForm(forms.Form):
    embassy = _OrganisationChoice(
        label=_lazy("Embassy"), queryset=_organisations(transnational.EMBASSY_TYPES)
    )
    contacted_on = forms.DateField(label=_lazy("Contacted on"), widget=DATE)
    purpose = forms.CharField(
        label=_lazy("What was asked"),
        max_length=200,
        help_text=_lazy("For example: travel documents, verification of nationality. No names."),
    )


# --- The panel -----------------------------------------------------------------------------------


def transnational_panel(request: HttpRequest, case: Any) -> dict[str, Any] | None:
    """Registered with cases.views.register_case_panel. Shown when there is something to show or to do."""
    user = request.user
    referral = transnational.transnational_get(case=case)
    consents = transnational.consents(case=case)
    contacts = transnational.embassy_contacts(case=case)
    may = {
        "register": referral is None and policy.can(user, Perm.INVOLVEMENT_MANAGE, case),
        "edit": policy.can(user, Perm.CASE_EDIT, case),
    }
    if referral is None and not consents and not contacts and not any(may.values()):
        return None
    today = local_today()
    return {
        "template": "identification/_transnational_panel.html",
        "may": may,
        "referral": referral,
        "consents": consents,
        "contacts": contacts,
        "embassy_consent": transnational.has_valid_consent(case=case, purpose=ConsentPurpose.EMBASSY_CONTACT),
        "transnational_form": TransnationalForm(auto_id="transnational_%s") if may["register"] else None,
        "consent_form": ConsentForm(initial={"recorded_on": today}, auto_id="consent_%s")
        if may["edit"]
        else None,
        "contact_form": EmbassyContactForm(initial={"contacted_on": today}, auto_id="embassy_%s")
        if may["edit"]
        else None,
    }


# --- Actions -------------------------------------------------------------------------------------


def _post(
    request: HttpRequest, case: Any, form: forms.Form, action: Callable[[dict[str, Any]], str]
) -> HttpResponse:
    """Run one action; ``action`` returns the message to show on success."""
    return post_case_action(request, case, form, lambda d: messages.success(request, action(d)))


@access("case", Perm.INVOLVEMENT_MANAGE, methods=("POST",))
def transnational_register_view(request: HttpRequest, code: str) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, code=code)
    policy.require(request.user, Perm.INVOLVEMENT_MANAGE, case)

    def run(d: dict[str, Any]) -> str:
        transnational.transnational_register(
            user=request.user,
            case=case,
            foreign_authority=d["foreign_authority"],
            country=d["country"],
            identified_abroad=d["identified_abroad"],
            identified_on=d["identified_on"],
            plan_return=d["plan_return"],
        )
        return _("Registered as a transnational case.")

    return _post(request, case, TransnationalForm(request.POST), run)


@access("case", Perm.CASE_EDIT, methods=("POST",))
def consent_record_view(request: HttpRequest, code: str) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, code=code)
    policy.require(request.user, Perm.CASE_EDIT, case)

    def run(d: dict[str, Any]) -> str:
        consent = transnational.consent_record(
            user=request.user,
            case=case,
            purpose=d["purpose"],
            given=d["answer"] == "given",
            how=d["how"],
            recorded_on=d["recorded_on"],
        )
        return _("Consent recorded.") if consent.given else _("Refusal recorded.")

    return _post(request, case, ConsentForm(request.POST), run)


@access("case", Perm.CASE_EDIT, methods=("POST",))
def consent_withdraw_view(request: HttpRequest, code: str) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, code=code)
    policy.require(request.user, Perm.CASE_EDIT, case)

    def run(d: dict[str, Any]) -> str:
        consent = case.consents.filter(pk=d["consent"]).first()
        if consent is None:
            raise DomainError(_("There is no such consent in this case."), field="consent")
        transnational.consent_withdraw(user=request.user, consent=consent, withdrawn_on=d["withdrawn_on"])
        return _("Consent withdrawn.")

    return _post(request, case, ConsentWithdrawForm(request.POST), run)


@access("case", Perm.CASE_EDIT, methods=("POST",))
def embassy_contact_view(request: HttpRequest, code: str) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, code=code)
    policy.require(request.user, Perm.CASE_EDIT, case)

    def run(d: dict[str, Any]) -> str:
        transnational.embassy_contact_record(
            user=request.user,
            case=case,
            embassy=d["embassy"],
            contacted_on=d["contacted_on"],
            purpose=d["purpose"],
        )
        return _("Embassy contact recorded.")

    return _post(request, case, EmbassyContactForm(request.POST), run)
