from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from opennrm.audit.services import audit_batch


class AuditBatchMiddleware:
    """Append a request's read entries in one go (one lock, one INSERT) when the request ends."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit_batch():
            return self.get_response(request)
