"""The first-line report: a person of concern registered in one short form (any first-line organisation)."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from opennrm.accounts.roles import Perm
from opennrm.audit.services import audit_record
from opennrm.cases import services
from opennrm.cases.forms import apply_error, attributes_from, identity_from, lines
from opennrm.core.http import AuthenticatedHttpRequest, access
from opennrm.intake.forms import IntakeForm
from opennrm.lib.errors import DomainError, NotFound


@access("perm", Perm.CASE_CREATE, methods=("GET", "POST"))
def intake_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            with transaction.atomic():
                incident = None
                if d["incident_code"]:
                    try:
                        incident = services.incident_for_user(
                            user=request.user, code=d["incident_code"].strip()
                        )
                    except NotFound:
                        raise DomainError(
                            _("No incident with this code is known to your organisation."),
                            field="incident_code",
                        ) from None
                case = services.intake_register(
                    user=request.user,
                    person_attributes={
                        **attributes_from(d),
                        "age_estimate_min": d["age_estimate_min"],
                        "age_estimate_max": d["age_estimate_max"],
                    },
                    identity=identity_from(d),
                    referral_source=d["referral_source"],
                    incident=incident,
                    incident_data={
                        "title": d["incident_title"],
                        "municipality": d["municipality"],
                        "country_of_exploitation": d["country_of_exploitation"],
                        "started_on": d["started_on"],
                        "forms": d["forms_of_exploitation"],
                        "suspects": [{"label": label} for label in lines(d["suspects"])],
                    },
                    summary=d["summary"],
                )
            messages.success(
                request,
                _("Case %(code)s opened. The Centre for Protection of Victims has been informed.")
                % {"code": case.code},
            )
            return redirect("cases:detail", code=case.code)
        except DomainError as exc:
            apply_error(form, exc)
            audit_record(
                actor=request.user, action="rejected", object_type="case", detail={"field": exc.field or ""}
            )
    return render(request, "intake/intake.html", {"form": form}, status=400 if form.errors else 200)
