import pytest

from opennrm.cases.models import Case
from opennrm.core.pagination import CappedPaginator


@pytest.mark.django_db
def test_a_capped_paginator_counts_no_further_than_its_cap(world):
    exact = CappedPaginator(Case.objects.order_by("id"), 1, cap=10)
    assert exact.count == 2 and not exact.capped and exact.num_pages == 2
    capped = CappedPaginator(Case.objects.order_by("id"), 1, cap=1)
    assert capped.capped and capped.num_pages == 1
    assert list(capped.page(1).object_list) == [Case.objects.order_by("id").first()]
