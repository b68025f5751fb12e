"""The transnational and consent section of the case page, and the small actions it posts to."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from opennrm import policy
from opennrm.accounts.models import Organisation
from opennrm.accounts.roles import Perm
from opennrm.cases.models import Case
from opennrm.cases.views import case_form, post_case_action
from opennrm.core.http import AuthenticatedHttpRequest, access
from opennrm.identification import transnational
from opennrm.identification.models import ConsentHow, ConsentPurpose
from opennrm.lib import clock
from opennrm.lib.errors import DomainError
from opennrm.lib.scripts import in_active_script

DATE = forms.DateInput(attrs={"type": "date"})


class _OrganisationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        country = f", {obj.country}" if obj.country else ""
        return f"{in_active_script(obj.name)} ({obj.get_type_display()}{country})"


def _organisations(types: Iterable[str]) -> QuerySet[Organisation]:
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


def transnational_panel(request: AuthenticatedHttpRequest, case: Any) -> dict[str, Any] | None:
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
    return {
        "template": "identification/_transnational_panel.html",
        "may": may,
        "referral": referral,
        "consents": consents,
        "contacts": contacts,
        "embassy_consent": transnational.valid_consent_in(consents, purpose=ConsentPurpose.EMBASSY_CONTACT),
    }


# --- Actions -------------------------------------------------------------------------------------


def _post(
    request: AuthenticatedHttpRequest, case: Any, form: forms.Form, action: Callable[[dict[str, Any]], str]
) -> HttpResponse:
    """Run one action; ``action`` returns the message to show on success."""
    return post_case_action(request, case, form, lambda d: messages.success(request, action(d)))


@access("case", Perm.INVOLVEMENT_MANAGE, methods=("GET", "POST"))
def transnational_register_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    form = TransnationalForm(request.POST or None, auto_id="transnational_%s")

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

    return case_form(
        request, case, form, run, title=_("Register as a transnational case"), submit=_("Register")
    )


@access("case", Perm.CASE_EDIT, methods=("GET", "POST"))
def consent_record_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    form = ConsentForm(request.POST or None, initial={"recorded_on": clock.today()}, auto_id="consent_%s")

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

    return case_form(request, case, form, run, title=_("Record a consent or a refusal"))


@access("case", Perm.CASE_EDIT, methods=("POST",))
def consent_withdraw_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:

    def run(d: dict[str, Any]) -> str:
        consent = case.consents.filter(pk=d["consent"]).first()
        if consent is None:
            raise DomainError(_("There is no such consent in this case."), field="consent")
        transnational.consent_withdraw(user=request.user, consent=consent, withdrawn_on=d["withdrawn_on"])
        return _("Consent withdrawn.")

    return _post(request, case, ConsentWithdrawForm(request.POST), run)


@access("case", Perm.CASE_EDIT, methods=("GET", "POST"))
def embassy_contact_view(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    form = EmbassyContactForm(
        request.POST or None, initial={"contacted_on": clock.today()}, auto_id="embassy_%s"
    )

    def run(d: dict[str, Any]) -> str:
        transnational.embassy_contact_record(
            user=request.user,
            case=case,
            embassy=d["embassy"],
            contacted_on=d["contacted_on"],
            purpose=d["purpose"],
        )
        return _("Embassy contact recorded.")

    return case_form(request, case, form, run, title=_("Record a contact with the embassy"))
