from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from opennrm.accounts.roles import Perm
from opennrm.audit import selectors
from opennrm.audit.forms import AuditFilterForm
from opennrm.audit.services import audit_record
from opennrm.audit.verify import verify_chain
from opennrm.core.http import AuthenticatedHttpRequest, access
from opennrm.core.pagination import CappedPaginator


@access("perm", Perm.AUDIT_VIEW)
def audit_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = selectors.filters_from(form.cleaned_data) if form.is_valid() else {}
    page = CappedPaginator(selectors.audit_events(**filters), 50, cap=5000).get_page(request.GET.get("page"))
    # Browsing the trail is itself recorded: who watched the watchers.
    audit_record(
        actor=request.user,
        action="read",
        object_type="audit",
        detail={"filters": {k: str(v) for k, v in filters.items()}},
    )
    return render(request, "audit/list.html", {"form": form, "page": page})


@access("perm", Perm.AUDIT_VIEW, methods=("POST",))
def audit_verify_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    result = verify_chain()
    audit_record(actor=request.user, action="read", object_type="audit", detail={"verify": result.ok})
    return render(request, "audit/verify.html", {"result": result})
