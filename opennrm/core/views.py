from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext

from opennrm.core.http import access


@access("public")
def healthz_view(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@access("public")
def bench_bare_view(request: HttpRequest) -> HttpResponse:
    """The benchmark baseline: a bare Django view on the same server (enabled with OPENNRM_BENCH=1)."""
    return HttpResponse("ok", content_type="text/plain")


def not_found_view(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404 for a path no route matches: JSON in the API's error shape under /api/ (a client of the API
    never gets an HTML page), the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"message": gettext("Not found."), "extra": {}}, status=404)
    return render(request, "404.html", status=404)
