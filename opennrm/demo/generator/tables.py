"""The rows of one batch, kept as tuples in each model's column order and written in one go: with COPY on
PostgreSQL, with ``executemany`` on SQLite.

Django's ``bulk_create`` spends most of its time building model instances and compiling a multi-row
INSERT (about 60 % of the generator's time at 200 persons/s). Here a row is a tuple, the table and
column names come from the model's ``_meta`` (never spelled out: a model may move to another app, with
its table or not), and the database assigns nothing: ids are reserved in ranges from the table's
sequence, so that a child row names its parent without a round trip.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import connection, models, transaction
from psycopg.adapt import Dumper
from psycopg.pq import Format

# A column without a default that the generator did not fill: SQLite refuses it with the column's name
# (see _insert_sqlite); on PostgreSQL psycopg cannot adapt it and the COPY fails.
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()

# Serialises the id reservations of the generator's worker processes (two processes must not read the
# same ``nextval`` and both move the sequence on from it). An arbitrary constant of this module.
RESERVE_LOCK = 7_413_202_611

ID_CHUNK = 20_000

_TEXT = (models.CharField, models.TextField)

# One encoder for the run: ``json.dumps`` with a non-default argument builds a new one on every call.
dumps: Callable[[Any], str] = json.JSONEncoder(ensure_ascii=False).encode


class JsonText(str):
    """A JSON column's value dumped already (``Table.add`` dumps any other value)."""


def _default(field: models.Field) -> Any:
    if field.has_default():
        default = field.default
        if callable(default):
            # dict and list are the JSON defaults (dumped once); anything else (timezone.now) is a
            # moment the generator must give.
            return JsonText(dumps(default())) if default in (dict, list) else MISSING
        return JsonText(dumps(default)) if isinstance(field, models.JSONField) else default
    if field.null:
        return None
    if isinstance(field, _TEXT):
        return ""
    return MISSING


class Ids:
    """Ids of one table, taken from ranges reserved in the database ID_CHUNK at a time."""

    def __init__(self, reserve: Callable[[int], range], chunk: int = ID_CHUNK):
        self._reserve = reserve
        self._chunk = chunk
        self._left: Iterator[int] = iter(())

    def take(self) -> int:
        for pk in self._left:
            return pk
        self._left = iter(self._reserve(self._chunk))
        return next(self._left)


class Table:
    """The rows of one model for the batch being built."""

    def __init__(self, model: type[models.Model], ids: Ids | None):
        meta = model._meta
        self.model = model
        self.db_table = meta.db_table
        # Without ids of our own (rows nothing points at) the database numbers the rows.
        self.fields = [f for f in meta.concrete_fields if ids is not None or not f.primary_key]
        self.names = tuple(f.attname for f in self.fields)
        self.columns = tuple(f.column for f in self.fields)
        self.defaults = tuple(_default(f) for f in self.fields)
        self.known = frozenset(self.names)
        # JSON is dumped when the row is added: the rows hold its text, as COPY and SQLite take it.
        self.json = tuple(i for i, f in enumerate(self.fields) if isinstance(f, models.JSONField))
        # Stamped from the row's moment (``at``): when it happened, as the service would have saved it.
        self.stamps = tuple(
            f.attname
            for f in self.fields
            if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add)
        )
        self.has_at = "at" in self.names
        self.ids = ids
        self.rows: list[tuple[Any, ...]] = []
        self.pg_types: list[int] | None = None  # the columns' type oids, for a binary COPY
        self.written = 0

    def add(self, at: dt.datetime | None = None, **values: Any) -> int:
        """Add a row; returns its id (0 for a table the database numbers)."""
        pk = 0
        if self.ids is not None:
            # An id taken beforehand (``table.ids.take()``) when other rows had to name it first.
            pk = values["id"] = values.get("id") or self.ids.take()
        for name in self.stamps:
            if name not in values:
                values[name] = at
        if self.has_at:
            values["at"] = at  # the timeline's own column of that name
        if not self.known.issuperset(values):
            raise TypeError(f"{self.db_table}: no column {', '.join(sorted(set(values) - self.known))}")
        row = list(map(values.get, self.names, self.defaults))
        for i in self.json:
            if type(row[i]) is not JsonText:
                row[i] = dumps(row[i])
        self.rows.append(tuple(row))
        return pk

    def order(self, *names: str) -> list[int] | None:
        """How to reorder a row given as ``names`` into the table's columns (None: it is in order).
        For the tables filled most (the timeline), which skip ``add``."""
        if set(names) != set(self.names) or len(names) != len(self.names):
            raise TypeError(f"{self.db_table}: the columns are {', '.join(self.names)}")
        permutation = [names.index(n) for n in self.names]
        return None if permutation == list(range(len(names))) else permutation

    def __len__(self) -> int:
        return len(self.rows)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


class _JsonbText(Dumper):
    """jsonb in COPY's binary format from JSON text (the rows hold the text): a version byte, the text."""

    format = Format.BINARY

    def dump(self, obj: str) -> bytes:
        return b"\x01" + obj.encode()


@functools.cache
def _jsonb_dumper(oid: int) -> type[Dumper]:
    return type("JsonbTextDumper", (_JsonbText,), {"oid": oid})


def _column_types(table: Table) -> list[int]:
    """The type of each column, by its oid (binary COPY must name them)."""
    if table.pg_types is None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                "AND NOT attisdropped",
                [_quote(table.db_table)],
            )
            oids = dict(cursor.fetchall())
        table.pg_types = [oids[c] for c in table.columns]
    return table.pg_types


def _copy(table: Table) -> None:
    """COPY ... FROM STDIN in the binary format through psycopg 3 on Django's connection (inside its
    transaction): half the time of the text format, on both sides."""
    columns = ", ".join(_quote(c) for c in table.columns)
    types = _column_types(table)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        # By oid only, and on this cursor only: every other query keeps psycopg's own JSON dumper.
        raw.adapters.register_dumper(None, _jsonb_dumper(raw.adapters.types["jsonb"].oid))
        with raw.copy(f"COPY {_quote(table.db_table)} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(types)
            write = copy.write_row
            for row in table.rows:
                write(row)


def _insert_sqlite(table: Table) -> None:
    """The slower path: each value through its field's own conversion, as Django would save it."""
    fields = table.fields
    # JSON columns hold their text already; everything else goes through its field.
    prepare = [_as_is if i in table.json else f.get_db_prep_save for i, f in enumerate(fields)]
    rows = []
    for row in table.rows:
        values = []
        for field, prep, value in zip(fields, prepare, row, strict=True):
            if value is MISSING:
                raise ValueError(f"{table.db_table}.{field.column}: no value given")
            values.append(prep(value, connection))
        rows.append(values)
    columns = ", ".join(_quote(c) for c in table.columns)
    marks = ", ".join(["%s"] * len(table.columns))
    with connection.cursor() as cursor:
        sql = f"INSERT INTO {_quote(table.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 (names from the model)
        cursor.executemany(sql, rows)


def _as_is(value: Any, connection: Any) -> Any:
    return value


def write(tables: list[Table]) -> None:
    """Write and empty every table, in the given (dependency) order, in the caller's transaction."""
    insert = _copy if connection.vendor == "postgresql" else _insert_sqlite
    for table in tables:
        if table.rows:
            insert(table)
            table.written += len(table.rows)
            table.rows.clear()


# ---- ids ----------------------------------------------------------------------------------------------


def reserver(model: type[models.Model]) -> Callable[[int], range]:
    """How to reserve ``n`` consecutive ids of ``model``'s table."""
    table, pk = model._meta.db_table, model._meta.pk.column
    if connection.vendor == "postgresql":

        def reserve_pg(n: int) -> range:
            # nextval and setval are two steps: the advisory lock keeps the other worker out between
            # them. A writer that is not the generator could still slip in: never run it beside a live
            # instance (the command refuses production mode).
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s)", [RESERVE_LOCK])
                try:
                    cursor.execute(
                        "SELECT setval(s::regclass, nextval(s::regclass) + %s - 1) FROM pg_get_serial_sequence(%s, %s) AS s",
                        [n, _quote(table), pk],
                    )
                    last = cursor.fetchone()[0]
                finally:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [RESERVE_LOCK])
            return range(last - n + 1, last + 1)

        return reserve_pg

    # SQLite: one writer at a time and no sequence to move; the counter lives in this process, above
    # the highest id ever used (AUTOINCREMENT keeps that in sqlite_sequence).
    state: dict[str, int] = {}

    def reserve_sqlite(n: int) -> range:
        if "next" not in state:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COALESCE(MAX({_quote(pk)}), 0) FROM {_quote(table)}")  # noqa: S608 (names from the model)
                highest = cursor.fetchone()[0]
                cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s", [table])
                state["next"] = max(highest, cursor.fetchone()[0]) + 1
        first = state["next"]
        state["next"] = first + n
        return range(first, first + n)

    return reserve_sqlite


# ---- foreign keys ---------------------------------------------------------------------------------------
# PostgreSQL checks a foreign key row by row, at commit: a third of the database's work in the load. Where
# the role may, the generator's sessions skip those checks (``session_replication_role``, as a restore
# does) and the load checks every key of the rows it wrote at the end, one anti-join per key (an eighth
# of the cost). The check constraints and unique indexes stay on throughout.


def may_skip_key_checks() -> bool:
    """Whether this role may skip the row-by-row foreign key checks (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper OR (current_setting('server_version_num')::int >= 150000 "
            "AND has_parameter_privilege('session_replication_role', 'SET')) "
            "FROM pg_roles WHERE rolname = current_user"
        )
        return bool(cursor.fetchone()[0])


def key_checks(on: bool) -> None:
    """Turn this session's row-by-row foreign key checks (all triggers: only update and delete guards
    are defined besides) on or off."""
    with connection.cursor() as cursor:
        cursor.execute("RESET session_replication_role" if on else "SET session_replication_role = replica")


def highest_ids(models_written: list[type[models.Model]]) -> dict[str, int]:
    """Each table's highest id before the load: the rows above it are the load's."""
    out = {}
    with connection.cursor() as cursor:
        for model in models_written:
            meta = model._meta
            cursor.execute(f"SELECT COALESCE(MAX({_quote(meta.pk.column)}), 0) FROM {_quote(meta.db_table)}")  # noqa: S608 (names from the model)
            out[meta.db_table] = cursor.fetchone()[0]
    return out


def missing_keys(models_written: list[type[models.Model]], since: dict[str, int]) -> list[str]:
    """The foreign keys of the rows above ``since`` that name no row: "table.column (n rows)"."""
    problems = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")  # a hash of the ids of the largest parent
        for model in models_written:
            meta = model._meta
            table, pk = meta.db_table, meta.pk.column
            for field in meta.concrete_fields:
                if not (field.is_relation and field.db_constraint):
                    continue
                target = field.target_field
                column = _quote(field.column)
                cursor.execute(
                    f"SELECT COUNT(*) FROM {_quote(table)} c WHERE c.{_quote(pk)} > %s AND c.{column} IS NOT NULL "  # noqa: S608 (names from the model)
                    f"AND NOT EXISTS (SELECT 1 FROM {_quote(target.model._meta.db_table)} p "
                    f"WHERE p.{_quote(target.column)} = c.{column})",
                    [since.get(table, 0)],
                )
                (count,) = cursor.fetchone()
                if count:
                    problems.append(f"{table}.{field.column} ({count} rows)")
    return problems


# ---- after the load ---------------------------------------------------------------------------------


def analyze(models_written: list[type[models.Model]], *, parallel: int = 2) -> None:
    """Fresh statistics (and on PostgreSQL a visibility map for index-only scans) for every table
    written. VACUUM cannot run inside a transaction (as in tests); ANALYZE alone can. Outside one, two
    tables at a time, each on a connection of its own (the largest first)."""
    tables = [m._meta.db_table for m in models_written]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {_quote(table)}")
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname = ANY(%s) ORDER BY pg_total_relation_size(oid) DESC",
            [tables],
        )
        tables = [name for (name,) in cursor.fetchall()]

    def vacuum(table: str) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM (ANALYZE) {_quote(table)}")
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=parallel) as pool:
        list(pool.map(vacuum, tables))
