"""A paginator that counts at most ``cap`` rows.

The Centre is involved in every case: an exact COUNT over a million cases costs more than the page
itself. Lists show the newest ``cap`` rows and ask the user to narrow the search beyond that.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    # Counted with one ``COUNT`` over a slice: a queryset, never a list.
    object_list: QuerySet[Any]

    def __init__(self, object_list: QuerySet[Any], per_page: int, cap: int = 1000, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        return min(self.object_list[: self.cap + 1].count(), self.cap + 1)

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        return max(1, -(-min(self.count, self.cap) // self.per_page))
