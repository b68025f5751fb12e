"""Every list of the API answers in the same envelope: ``{"count", "capped", "next", "previous", "results"}``.

The count stops at ``COUNT_CAP`` (the Centre sees every case: counting a million rows on each page would
cost more than the page); ``capped`` says the true number is larger. Views that list set
``pagination_class = Pagination`` (the schema then describes the envelope and the ``page`` and
``page_size`` parameters) and answer with ``paginate``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from opennrm.core.pagination import CappedPaginator

COUNT_CAP = 1000


class _Paginator(CappedPaginator):
    def __init__(self, object_list: Any, per_page: int, **kwargs: Any):
        super().__init__(object_list, per_page, cap=COUNT_CAP, **kwargs)


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = _Paginator

    def _whole(self, request: Any, name: str, high: int | None) -> int | None:
        raw = request.query_params.get(name)
        if raw is None:
            return None
        # Out of range is an error the client hears about, not a value silently replaced.
        if not raw.isdigit() or int(raw) < 1 or (high is not None and int(raw) > high):
            message = (
                _("Enter a whole number from 1 to %(high)d.") % {"high": high}
                if high
                else _("Enter a whole number of at least 1.")
            )
            raise ValidationError({name: [message]})
        return int(raw)

    def get_page_size(self, request: Any) -> int:
        return self._whole(request, self.page_size_query_param, self.max_page_size) or self.page_size

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        self._whole(request, self.page_query_param, None)
        return super().paginate_queryset(queryset, request, view=view)

    def get_paginated_response(self, data: Any) -> Response:
        assert self.page is not None  # paginate_queryset ran first
        paginator: Any = self.page.paginator  # the capped paginator of this module
        return Response(
            {
                "count": min(paginator.count, COUNT_CAP),
                "capped": paginator.capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        envelope = super().get_paginated_response_schema(schema)
        envelope["properties"]["count"] = {
            "type": "integer",
            "minimum": 0,
            "maximum": COUNT_CAP,
            "description": f"The number of results, at most {COUNT_CAP} (see capped).",
        }
        envelope["properties"]["capped"] = {
            "type": "boolean",
            "description": f"True when there are more than {COUNT_CAP} results: narrow the query to see them.",
        }
        envelope["required"] = ["count", "capped", "next", "previous", "results"]
        return envelope

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        params = super().get_schema_operation_parameters(view)
        for p in params:
            # What the paginator accepts (a page beyond the last answers 404, which is documented).
            if p["name"] == self.page_query_param:
                p["schema"] = {"type": "integer", "minimum": 1}
            if p["name"] == self.page_size_query_param:
                p["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return params


# The name the views used before the envelope said how many results there are.
StandardPagination = Pagination


def paginate(request: Any, view: Any, queryset: Any, serialise: Callable[[Any], Any]) -> Response:
    """One page of ``queryset`` in the envelope, its rows serialised with ``serialise(page)``."""
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serialise(page))
