"""The case sheet reads every part of a case in one query, as the ORM would read it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opennrm.cases import sheet
from opennrm.testing import fill_case


def _values(part: sheet.Part, obj) -> tuple:
    return tuple(getattr(obj, f.attname) for f in sheet._fields(part))


@pytest.mark.django_db
def test_every_part_reads_the_rows_and_values_the_orm_reads(world):
    case = fill_case(world, n=3)
    with CaptureQueriesContext(connection) as ctx:
        parts = sheet.load(case)
    assert len([q for q in ctx.captured_queries if "json" in q["sql"].lower()]) == 1
    assert set(parts) == set(sheet.PARTS)
    for name, part in sheet.PARTS.items():
        qs = part.model._default_manager.filter(**{part.case_path: case.pk}, **part.where)
        if part.distinct:
            qs = qs.distinct()
        orm = list(qs.order_by(*sheet._order(part))[: part.limit] if part.limit else qs)
        assert orm, f"the filled case has no {name}"
        assert sorted(map(repr, (_values(part, o) for o in orm))) == sorted(
            map(repr, (_values(part, o) for o in parts[name]))
        ), name
        assert all(type(o) is part.model and o.pk for o in parts[name]), name


@pytest.mark.django_db
def test_parts_keep_their_order_newest_first(world):
    case = fill_case(world, n=4)
    parts = sheet.load(case)
    timeline = parts["timeline"]
    assert [(e.at, e.pk) for e in timeline] == sorted(((e.at, e.pk) for e in timeline), reverse=True)
    decisions = parts["decisions"]
    assert [d.pk for d in decisions] == sorted((d.pk for d in decisions), reverse=True)


@pytest.mark.django_db
def test_rows_fall_back_to_the_query_without_a_sheet(world):
    case = fill_case(world, n=2)
    assert sheet.rows(case, "tasks", lambda: ["queried"]) == ["queried"]
    sheet.load(case, ["tasks"])
    assert sorted(t.title for t in sheet.rows(case, "tasks", lambda: ["queried"])) == [
        "Review the new report",
        "Task 0",
        "Task 1",
    ]
