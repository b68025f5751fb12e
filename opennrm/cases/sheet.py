"""The case sheet: every part of one case that the case page shows, read in one query.

A rich case page reads some thirty tables (referrals, decisions, services, placements, risk …). Asked
one by one through the ORM, each read cost far more to build in Python than to run in the database, and
the page paid it thirty times. The apps register their parts here (``register_part`` in their
AppConfig.ready(), so this layer imports none of them); ``load`` reads every part of a case with a
single SELECT whose columns are JSON arrays of each part's rows, built once per process from the
ORM's own SQL, and gives back model instances, as the ORM would.

What is not done here: the sheet reads rows, never decides who sees them. Selectors still filter by
the user's sensitivity classes and the whereabouts gate, decrypt, and audit what is read; they take
their rows from the sheet when the case carries one (``rows``) and query as before otherwise (API,
services, commands).

Why written here: Django has no portable JSON array aggregate in 5.2 and no way to reuse compiled
SQL; this module adds the two for one narrow use (rows of one case, by its id).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection, models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

if TYPE_CHECKING:
    from opennrm.cases.models import Case

# Stands for the case's id while a part's SQL is compiled; replaced by the real id at each read.
_CASE = -2_147_480_111


@dataclass(frozen=True)
class Part:
    """Rows of ``model`` that belong to a case through ``case_path`` (a lookup ending at the case's id)."""

    name: str
    model: type[models.Model]
    case_path: str = "case_id"
    # The rows' order (the model's own by default) and at most ``limit`` rows; the order is kept in
    # Python, as JSON aggregation has none.
    order_by: tuple[str, ...] | None = None
    limit: int | None = None
    # Constant filters (``{"ended_on__isnull": True}``) and fields left out (large or unused).
    where: dict[str, Any] = field(default_factory=dict)
    exclude_fields: tuple[str, ...] = ()
    # Foreign keys to fill from the directory of names: field -> "organisation" or "user".
    names: dict[str, str] = field(default_factory=dict)
    # Rows reached through a join that may meet the same row twice (a facility of two placements).
    distinct: bool = False


PARTS: dict[str, Part] = {}


def register_part(part: Part) -> None:
    PARTS[part.name] = part
    _compiled.clear()


def _order(part: Part) -> tuple[str, ...]:
    return part.order_by if part.order_by is not None else tuple(part.model._meta.ordering or ())


def _fields(part: Part) -> list[models.Field]:
    return [f for f in part.model._meta.concrete_fields if f.name not in part.exclude_fields]


def _column_sql(f: models.Field, vendor: str) -> str:
    col = f's."{f.column}"'
    if isinstance(f, models.BinaryField):
        return f"encode({col}, 'hex')" if vendor == "postgresql" else f"hex({col})"
    if isinstance(f, models.JSONField) and vendor == "sqlite":
        return f"json({col})"
    return col


def _part_sql(part: Part, vendor: str) -> tuple[str, list[Any]]:
    qs = part.model._default_manager.filter(**{part.case_path: _CASE}, **part.where)
    qs = qs.order_by(*_order(part))
    if part.distinct:
        qs = qs.distinct()
    if part.limit:
        qs = qs[: part.limit]
    fields = _fields(part)
    inner, params = qs.values_list(*[f.attname for f in fields]).query.sql_with_params()
    columns = ", ".join(_column_sql(f, vendor) for f in fields)
    if vendor == "postgresql":
        # The columns come from the model's fields and the inner SQL from the ORM: no input reaches them.
        sql = f"(SELECT COALESCE(json_agg(json_build_array({columns})), '[]'::json) FROM ({inner}) s)"  # noqa: S608
    else:
        sql = f"(SELECT json_group_array(json_array({columns})) FROM ({inner}) s)"  # noqa: S608
    return sql, list(params)


@dataclass
class _Compiled:
    sql: str
    params: list[Any]
    positions: list[int]
    names: list[str]


_compiled: dict[tuple[str, tuple[str, ...]], _Compiled] = {}


def _compile(names: tuple[str, ...]) -> _Compiled:
    vendor = connection.vendor
    key = (vendor, names)
    if key not in _compiled:
        parts, params = [], []
        for name in names:
            sql, p = _part_sql(PARTS[name], vendor)
            parts.append(sql)
            params += p
        positions = [i for i, p in enumerate(params) if p == _CASE]
        if len(positions) != len(names):
            raise ValueError(f"every part must filter on the case exactly once: {names}")
        _compiled[key] = _Compiled("SELECT " + ", ".join(parts), params, positions, list(names))
    return _compiled[key]


def _decoder(f: models.Field) -> Callable[[Any], Any]:
    if isinstance(f, models.DateTimeField):

        def datetime_(v: Any) -> Any:
            if v is None:
                return None
            value = parse_datetime(v.replace(" ", "T", 1))
            if value is not None and timezone.is_naive(value):
                value = timezone.make_aware(value, dt.UTC)
            return value

        return datetime_
    if isinstance(f, models.DateField):
        return lambda v: None if v is None else parse_date(v)
    if isinstance(f, models.BinaryField):
        return lambda v: None if v is None else bytes.fromhex(v)
    if isinstance(f, models.BooleanField):
        return lambda v: None if v is None else bool(v)
    if isinstance(f, models.JSONField):
        return lambda v: json.loads(v) if isinstance(v, str) else v
    if isinstance(f, models.DecimalField | models.UUIDField | models.TimeField | models.DurationField):
        raise TypeError(f"the case sheet does not read {type(f).__name__} ({f})")
    return lambda v: v


def _instances(part: Part, raw: Any) -> list[models.Model]:
    rows = json.loads(raw) if isinstance(raw, str) else (raw or [])
    fields = _fields(part)
    decoders = [_decoder(f) for f in fields]
    attnames = [f.attname for f in fields]
    db = connection.alias
    out = [
        part.model.from_db(db, attnames, [d(v) for d, v in zip(decoders, row, strict=True)]) for row in rows
    ]
    for key in reversed(_order(part)):
        # Stable sorts from the last key to the first give the part's order. An empty value sorts first
        # (SQLite's habit; PostgreSQL puts it last): the same page on both databases.
        name = key.lstrip("-")
        out.sort(key=_by(name), reverse=key.startswith("-"))
    return out


def _sort_key(value: Any) -> tuple[int, Any]:
    return (0, value) if value is None else (1, value)


def _by(name: str) -> Callable[[models.Model], tuple[int, Any]]:
    """The sort key on the attribute ``name`` of a row."""
    return lambda o: _sort_key(getattr(o, name))


def load(case: Case, names: list[str] | None = None) -> dict[str, list[models.Model]]:
    """Read the parts ``names`` (all registered ones by default) of ``case`` and keep them on it."""
    from opennrm.accounts import directory

    chosen = tuple(sorted(names if names is not None else PARTS))
    compiled = _compile(chosen)
    params = list(compiled.params)
    for i in compiled.positions:
        params[i] = case.pk
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, params)
        row = cursor.fetchone()
    sheet = {name: _instances(PARTS[name], raw) for name, raw in zip(compiled.names, row, strict=True)}
    for name, rows in sheet.items():
        if PARTS[name].names:
            directory.attach(rows, **PARTS[name].names)
    case._sheet = sheet
    return sheet


def rows(case: models.Model, name: str, fallback: Callable[[], Any]) -> list[Any]:
    """The part ``name`` of the case if its sheet was read in this request, else ``fallback()``."""
    sheet = getattr(case, "_sheet", None)
    if sheet is not None and name in sheet:
        return list(sheet[name])
    return list(fallback())


def attach_children(
    parents: list[models.Model], children: list[models.Model], *, fk: str, cache: str
) -> None:
    """Give each parent its children as a prefetched relation (``parent.<cache>.all()`` runs no query),
    as prefetch_related would."""
    by_parent: dict[Any, list[models.Model]] = {}
    for child in children:
        by_parent.setdefault(getattr(child, fk), []).append(child)
    for parent in parents:
        manager = getattr(parent, cache)
        qs = manager.get_queryset()
        qs._result_cache = by_parent.get(parent.pk, [])
        qs._prefetch_done = True
        # Django's own prefetch cache of the instance, created on first use as prefetch_related does.
        prefetched = vars(parent).setdefault("_prefetched_objects_cache", {})
        prefetched[manager.field.remote_field.cache_name] = qs
