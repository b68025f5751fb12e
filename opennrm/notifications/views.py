"""HTML views for the user's own notifications: parse, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext

from opennrm.core.http import AuthenticatedHttpRequest, access
from opennrm.lib.errors import DomainError
from opennrm.notifications import selectors, services
from opennrm.notifications.kinds import render as render_title


@access("authenticated")
def notification_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(selectors.notification_list(user=request.user, unread_only=unread_only), 50).get_page(
        request.GET.get("page")
    )
    rows = [{"n": n, "title": render_title(n)} for n in page.object_list]
    return render(
        request,
        "notifications/list.html",
        {"page": page, "rows": rows, "unread_only": unread_only},
    )


@access("authenticated", methods=("POST",))
def notification_read_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    mark_all = request.POST.get("all") == "1"
    ids: list[int] | None = None
    if not mark_all:
        try:
            ids = [int(v) for v in request.POST.getlist("id")]
        except ValueError:
            ids = None
    try:
        count = services.mark_read(user=request.user, ids=ids, all=mark_all)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d notification marked as read.", "%(count)d notifications marked as read.", count
            )
            % {"count": count},
        )
    return redirect("notifications:list")
