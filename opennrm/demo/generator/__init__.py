"""Synthetic data at scale, for benchmarks: up to a few million persons, with everything that happens to
their cases, as the services would have written it — but written in bulk.

Per batch of persons: draw incidents, persons and each case's path of statuses (``intake``); reserve
the codes (``core.codes.next_codes``, by year) and the ids (ranges of each table's sequence, so that a
child row names its parent without a round trip); build every row of the case's workflow along its
path (``identification``, then ``aftercare``) as tuples in each model's column order (``tables``); then
write them in one transaction, with COPY on PostgreSQL (``executemany`` on SQLite). Codes and ids are
reserved outside that transaction, so that two worker processes never wait on each other's row locks.

One audit entry records the whole generation instead of one per row: the rows are synthetic and
nobody read or changed personal data. The one account the rows name (the Centre head who signs the
identification decisions) is created once, inactive and without a usable password. At the end every
table written is analysed (VACUUM ANALYZE outside a transaction), so the planner sees its size.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, connections, reset_queries, transaction

from opennrm.accounts.models import Organisation, OrganisationType
from opennrm.audit.services import audit_record
from opennrm.core.models import CodeSequence
from opennrm.demo.generator.aftercare import Aftercare
from opennrm.demo.generator.facilities import FACILITIES, FACILITY_PREFIX, facilities_ensure
from opennrm.demo.generator.identification import Identification
from opennrm.demo.generator.intake import Intake
from opennrm.demo.generator.tables import (
    analyze,
    highest_ids,
    key_checks,
    may_skip_key_checks,
    missing_keys,
    write,
)
from opennrm.demo.generator.world import MODELS, Batch, World, decider
from opennrm.lib import clock
from opennrm.people.models import Person
from opennrm.protection.models import RiskAssessment
from opennrm.protection.services import whereabouts_restriction_refresh
from opennrm.shelters.models import Facility, FacilitySpecialisation

__all__ = ["FACILITIES", "FACILITY_PREFIX", "Generated", "facilities_ensure", "generate"]

# Below this many persons a second process costs more than it saves.
PARALLEL_FROM = 20_000


@dataclass
class Generated:
    persons: int = 0
    cases: int = 0  # more than persons: a few persons come back in a second case
    incidents: int = 0
    public_reports: int = 0  # reports that did not become a case
    seconds: float = 0.0
    facilities: int = 0
    workers: int = 1
    # The foreign keys were checked once at the end, not row by row (PostgreSQL, a role that may).
    keys_checked_at_end: bool = False
    # Rows written, by table.
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, other: Generated) -> None:
        self.persons += other.persons
        self.cases += other.cases
        self.incidents += other.incidents
        self.public_reports += other.public_reports
        for table, n in other.rows.items():
            self.rows[table] = self.rows.get(table, 0) + n


def _centre() -> Organisation:
    centre = (
        Organisation.objects.filter(type=OrganisationType.CENTRE, parent__isnull=True).order_by("id").first()
    )
    if centre is None:
        raise ValueError("no Centre organisation: create the demo organisations first")
    return centre


def _run(
    *,
    persons: int,
    seed: int,
    batch_size: int,
    worker: int,
    workers: int,
    report: Callable[[int], None],
    skip_checks: bool = False,
) -> Generated:
    """Generate ``persons`` in batches on this process's connection; ``report(n)`` after each batch."""
    if skip_checks:
        key_checks(on=False)
        try:
            return _run(persons=persons, seed=seed, batch_size=batch_size, worker=worker, workers=workers,
                        report=report)  # fmt: skip
        finally:
            key_checks(on=True)
    centre = _centre()
    world = World(
        orgs=list(Organisation.objects.filter(is_active=True)),
        centre=centre,
        facilities=list(Facility.objects.select_related("operator").order_by("id")),
    )
    intake, identification = Intake(world), Identification(world)
    aftercare = Aftercare(world, worker=worker, workers=workers)
    batch = Batch()
    rng = random.Random(seed if workers == 1 else f"{seed}/{worker}")
    out = Generated()
    while out.persons < persons:
        size = min(batch_size, persons - out.persons)
        incidents, drafts = intake.draw(rng, size)
        stories = intake.register(batch, rng, incidents, drafts)  # codes and ids: outside the transaction
        for story in stories:
            looked_at = identification.case(batch, rng, story)
            intake.review_task(batch, story, looked_at)
            aftercare.case(batch, rng, story)
            intake.case_row(batch, story)
        out.public_reports += intake.public_reports(batch, rng, size)
        with transaction.atomic():
            write(batch.tables)
        reset_queries()  # DEBUG keeps every query; a million-row load must not
        out.persons += size
        out.cases += len(stories)
        out.incidents += len(incidents)
        report(size)
    out.rows = batch.counts()
    return out


def _worker(
    persons: int, seed: int, batch_size: int, worker: int, workers: int, skip_checks: bool, queue: Any
) -> None:
    """One worker process (forked): its own connection, its share of the persons."""
    connections.close_all()  # never use the parent's sockets
    try:
        result = _run(
            persons=persons,
            seed=seed,
            batch_size=batch_size,
            worker=worker,
            workers=workers,
            report=lambda n: queue.put(("batch", n)),
            skip_checks=skip_checks,
        )
        queue.put(("done", result))
    except BaseException as exc:  # the parent must hear of it, or it waits forever
        queue.put(("error", f"{type(exc).__name__}: {exc}"))
        raise
    finally:
        connections.close_all()


def _parallel(
    *, persons: int, seed: int, batch_size: int, workers: int, tick: Callable[[int], None], skip_checks: bool
) -> Generated:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    connections.close_all()  # a forked child must not inherit an open connection
    shares = [persons * (w + 1) // workers - persons * w // workers for w in range(workers)]
    processes = [
        context.Process(
            target=_worker, args=(shares[w], seed, batch_size, w, workers, skip_checks, queue), daemon=True
        )
        for w in range(workers)
    ]
    for process in processes:
        process.start()
    out, running, errors = Generated(), workers, []
    while running:
        kind, value = queue.get()
        if kind == "batch":
            tick(value)
        else:
            running -= 1
            if kind == "done":
                out.add(value)
            else:
                errors.append(value)
    for process in processes:
        process.join()
    if errors:
        raise RuntimeError("generator worker failed: " + "; ".join(errors))
    return out


def _workers(workers: int | None, persons: int) -> int:
    """Two processes on PostgreSQL for a large run outside a transaction (SQLite has one writer)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    if workers is not None:
        return max(1, workers)
    return 2 if persons >= PARALLEL_FROM and (os.cpu_count() or 1) >= 2 else 1


def generate(
    *,
    persons: int,
    seed: int,
    batch_size: int = 5000,
    progress: Callable[[str], None] = lambda _m: None,
    workers: int | None = None,
) -> Generated:
    """Add ``persons`` persons with their cases (and the facilities, once); see the module's doc."""
    centre = _centre()
    started = time.monotonic()
    before = Facility.objects.count()
    with transaction.atomic():
        facilities_ensure(today=clock.today())
        decider(centre)  # before any worker starts: they all sign with it
    out = Generated(facilities=Facility.objects.count() - before, workers=_workers(workers, persons))
    tables = [model for model, _own_ids in MODELS]
    out.keys_checked_at_end = may_skip_key_checks()
    since = highest_ids(tables) if out.keys_checked_at_end else {}
    assessed_before = RiskAssessment.objects.order_by("-id").values_list("id", flat=True).first() or 0
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        elapsed = time.monotonic() - started
        progress(
            f"  {done:>9,} / {persons:,} persons  {elapsed:7.1f} s  ({done / max(elapsed, 1e-9):,.0f}/s)"
        )

    skip = out.keys_checked_at_end
    if out.workers == 1:
        result = _run(persons=persons, seed=seed, batch_size=batch_size, worker=0, workers=1, report=tick,
                      skip_checks=skip)  # fmt: skip
    else:
        result = _parallel(persons=persons, seed=seed, batch_size=batch_size, workers=out.workers, tick=tick,
                           skip_checks=skip)  # fmt: skip
    out.add(result)
    if skip:
        progress("  checking the foreign keys of the rows written …")
        missing = missing_keys(tables, since)
        if missing:
            raise RuntimeError("generated rows name rows that do not exist: " + ", ".join(missing))
    # The rows were written past the services: keep the column the whereabouts gate trusts, for the
    # persons of the cases assessed in this run (one UPDATE).
    progress("  marking the persons at high or critical risk …")
    assessed = RiskAssessment.objects.filter(id__gt=assessed_before).values("case__person_id")
    whereabouts_restriction_refresh(Person.objects.filter(pk__in=assessed))
    audit_record(
        actor=None,
        action="create",
        object_type="generated_data",
        actor_username="system",
        detail={
            "persons": out.persons,
            "cases": out.cases,
            "incidents": out.incidents,
            "public_reports": out.public_reports,
            "facilities": out.facilities,
            "rows": out.rows,
            "seed": seed,
            "synthetic": True,
        },
    )
    written = [m for m, _own in MODELS if m._meta.db_table in out.rows]
    analyze([*written, Facility, FacilitySpecialisation, CodeSequence])
    out.seconds = time.monotonic() - started
    return out
