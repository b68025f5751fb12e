"""Benchmark: registering a group of 500 persons in one step (opennrm.intake.group.group_register).

    make bench                         # runs bench/run.py, then this script
    .venv/bin/python bench/group_intake.py

The issue's target: 500 persons registered in under two seconds. Each figure is the median of 5 runs
of the service, in-process (no HTTP), on a temporary SQLite file and, when it answers, on PostgreSQL
(a scratch database ``opennrm_bench_group`` on the server of BENCH_DATABASE_URL, default
127.0.0.1:5432, created for the run and dropped at the end). Baselines measured in the same run on the
same database: the same persons registered one by one with the single-person services (extrapolated
from 5 runs of 100), and the floor of a bare ``bulk_create`` of 500 rows of a three-column table.

The results are printed and appended to bench/results/latest.md (which bench/run.py writes first).
Unknown arguments (those of bench/run.py, such as --quick) are ignored.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/opennrm_bench"
SCRATCH_DB = "opennrm_bench_group"
GROUP = 500
RUNS = 5
SINGLES = 100  # single registrations per run of the one-by-one baseline (scaled to GROUP)
TARGET_SECONDS = 2.0
ANSWERS = {"DR-01": "yes", "DR-08": "yes", "EX-01": "yes", "EX-04": "yes", "CD-01": "yes", "CD-14": "yes"}


def log(message: str) -> None:
    # Progress goes to stderr: the measuring child's stdout carries only its JSON result.
    print(message, file=sys.stderr, flush=True)


# ---- the measuring child (one database per process: Django is configured once) -------------------


def letters(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(97 + r) + out
    return out


def rows(run: int, n: int) -> list[dict]:
    """Obviously fake workers; a tenth of them 16 or 17 years old (children are screened with the
    children's rule, so the shared screening is evaluated twice)."""
    return [
        {
            "given_names": "Radnik",
            "family_names": f"Bench{letters(run)}x{letters(i)}",
            "sex": "male" if i % 3 else "female",
            "age_min": "16" if i % 10 == 0 else "25",
            "age_max": "17" if i % 10 == 0 else "45",
            "citizenship": "VN",
            "languages": "vi; en",
            "interpreter_needed": "da",
            "document_number": f"B{run:03d}{i:06d}",
        }
        for i in range(n)
    ]


def child(database_url: str) -> dict:
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "OPENNRM_MODE": "demo",
            "OPENNRM_REQUIRE_2FA": "0",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from opennrm.accounts import services as account_services
    from opennrm.accounts.models import OrganisationType
    from opennrm.accounts.roles import RoleCode
    from opennrm.cases import services as case_services
    from opennrm.identification import services as identification_services

    try:
        # Group intake lives in the intake app (its screening and referral handover in identification).
        from opennrm.intake import group
    except ImportError:  # a tree from before the intake app
        from opennrm.identification import group  # type: ignore[no-redef]
    from opennrm.people.models import LookupKind, PersonLookup

    call_command("migrate", verbosity=0, interactive=False)
    account_services.roles_sync()
    centre = account_services.organisation_create(
        actor=None, code="bench-centre", name="Centar (bench)", type=OrganisationType.CENTRE
    )
    inspectorate = account_services.organisation_create(
        actor=None,
        code="bench-inspectorate",
        name="Inspekcija (bench)",
        type=OrganisationType.LABOUR_INSPECTORATE,
    )
    inspector = account_services.user_create(
        actor=None,
        username="bench-inspector",
        password=None,
        organisation=inspectorate,
        role_code=RoleCode.LABOUR_INSPECTOR,
    )
    for role in (RoleCode.CENTRE_CASE_MANAGER, RoleCode.CENTRE_HEAD):
        account_services.user_create(
            actor=None, username=f"bench-{role}", password=None, organisation=centre, role_code=role
        )
    incident = {"title": "Workers kept in a factory (benchmark)", "forms": ["labour"]}
    shared = {
        "indicator_set": "labour",
        "version": "2026.1",
        "answers": ANSWERS,
        "setting": "workplace_inspection",
    }
    run_counter = iter(range(1, 10_000))

    def group_plain() -> None:
        group.group_register(
            user=inspector,
            incident_code=None,
            incident_data=incident,
            rows=rows(next(run_counter), GROUP),
            referral_source="other_government",
        )

    def group_full() -> None:
        group.group_register(
            user=inspector,
            incident_code=None,
            incident_data=incident,
            rows=rows(next(run_counter), GROUP),
            referral_source="other_government",
            shared_screening=shared,
            refer_to=centre,
        )

    def singles(*, full: bool) -> None:
        run = next(run_counter)
        first = None
        for row in rows(run, SINGLES):
            # Each person as the one-person page would do it, each call its own transaction.
            attributes, identity = group.clean_rows([row])[0]
            case = case_services.intake_register(
                user=inspector,
                person_attributes=attributes,
                identity=identity,
                referral_source="other_government",
                incident=first,
                incident_data=incident,
            )
            first = first or case.incident
            if full:
                identification_services.screening_record(
                    user=inspector,
                    case=case,
                    indicator_set="labour",
                    version="2026.1",
                    answers=ANSWERS,
                    setting="workplace_inspection",
                )
                identification_services.referral_create(
                    user=inspector, case=case, to_organisation=centre, purpose="identification"
                )

    floor_person = group.clean_rows(rows(0, 1))
    with transaction.atomic():
        anchor = case_services.intake_register_group(
            user=inspector,
            incident=case_services.incident_create(user=inspector, data=incident),
            persons=floor_person,
            referral_source="other_government",
        )[0].person

    def floor() -> None:
        PersonLookup.objects.bulk_create(
            [
                PersonLookup(person_id=anchor.pk, kind=LookupKind.CONTACT, digest=os.urandom(32).hex())
                for _ in range(GROUP)
            ]
        )

    def timed(fn, **kw) -> list[float]:
        fn(**kw)  # warm-up: caches, indicator files, the data key
        samples = []
        for _ in range(RUNS):
            started = time.perf_counter()
            fn(**kw)
            samples.append(time.perf_counter() - started)
        return samples

    out = {"engine": connection.vendor, "server": "", "rows": {}}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            out["server"] = cursor.fetchone()[0]
    else:
        import sqlite3

        out["server"] = sqlite3.sqlite_version
    log(f"  [{connection.vendor}] floor: bulk_create of {GROUP} bare rows …")
    out["rows"]["floor"] = timed(floor)
    log(f"  [{connection.vendor}] group_register, {GROUP} persons …")
    out["rows"]["group"] = timed(group_plain)
    log(f"  [{connection.vendor}] group_register, {GROUP} persons + shared screening + referral …")
    out["rows"]["group_full"] = timed(group_full)
    log(f"  [{connection.vendor}] one by one: {SINGLES} × intake_register …")
    out["rows"]["singles"] = [s * GROUP / SINGLES for s in timed(singles, full=False)]
    log(f"  [{connection.vendor}] one by one: {SINGLES} × (intake_register + screening + referral) …")
    out["rows"]["singles_full"] = [s * GROUP / SINGLES for s in timed(singles, full=True)]
    connection.close()
    return out


# ---- the orchestrating parent ---------------------------------------------------------------------


def run_child(database_url: str) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", database_url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        timeout=1800,
    )
    lines = completed.stdout.splitlines()
    if completed.returncode:
        raise SystemExit(
            f"the benchmark on {database_url.split('@')[-1]} failed (exit {completed.returncode})"
        )
    return json.loads(next(line for line in reversed(lines) if line.startswith("{")))


def postgres_url() -> str | None:
    """The scratch database's URL on the benchmark server, or None when no server answers."""
    base = os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG)
    parts = urllib.parse.urlsplit(base)
    if parts.scheme not in ("postgres", "postgresql"):
        return None
    try:
        import psycopg

        admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{SCRATCH_DB}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{SCRATCH_DB}"')
    except Exception as exc:  # no server, no rights: SQLite alone is still a result
        log(f"PostgreSQL not used ({type(exc).__name__}: {str(exc).strip().splitlines()[0][:120]})")
        return None
    return urllib.parse.urlunsplit(parts._replace(path=f"/{SCRATCH_DB}"))


def drop_postgres(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{SCRATCH_DB}" WITH (FORCE)')


LABELS = {
    "group": f"`group_register`, {GROUP} persons",
    "group_full": f"`group_register`, {GROUP} persons + shared screening + referral",
    "singles": f"baseline: {GROUP} × `intake_register` one by one",
    "singles_full": f"baseline: {GROUP} × (`intake_register` + `screening_record` + `referral_create`)",
    "floor": f"floor: `bulk_create` of {GROUP} rows of a 3-column table",
}
BASELINE_FOR = {"group": "singles", "group_full": "singles_full"}
LOAD = {"before": 0.0}


def report(results: list[dict]) -> str:
    import django

    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## Group intake, {now}",
        "",
        f"- `bench/group_intake.py`: median of {RUNS} runs after one warm-up, in-process (no HTTP), each run a "
        f"new incident; {GROUP} persons, a tenth of them children, every one with an encrypted identity, a "
        "document number and languages. One-by-one baselines: "
        f"{RUNS} runs of {SINGLES} calls, scaled to {GROUP}.",
        f"- Python {platform.python_version()}, Django {django.get_version()}, {os.cpu_count()} CPUs; "
        + "; ".join(f"{r['engine']} {r['server']}" for r in results),
        f"- target: {GROUP} persons registered in under {TARGET_SECONDS:.0f} s; load average (1 min) before and "
        f"after: {LOAD['before']:.2f} / {os.getloadavg()[0]:.2f} (other work on the machine shows here)",
        "",
        "| database | what | median s | min s | ms per person | vs one by one | vs bulk floor |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        medians = {k: statistics.median(v) for k, v in r["rows"].items()}
        for key in ("group", "group_full", "singles", "singles_full", "floor"):
            median = medians[key]
            versus = (
                f"{median / medians[BASELINE_FOR[key]]:.2f}× ({medians[BASELINE_FOR[key]] / median:.0f}× faster)"
                if key in BASELINE_FOR
                else ""
            )
            floor = f"{median / medians['floor']:.0f}×" if key != "floor" else "1×"
            mark = " ✓" if key.startswith("group") and median < TARGET_SECONDS else ""
            mark = " ✗" if key.startswith("group") and median >= TARGET_SECONDS else mark
            lines.append(
                f"| {r['engine']} | {LABELS[key]} | {median:.3f}{mark} | {min(r['rows'][key]):.3f} "
                f"| {median / GROUP * 1000:.2f} | {versus} | {floor} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--child", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args, _ignored = parser.parse_known_args()  # bench/run.py's options (--quick …) are not ours
    if args.child:
        print(json.dumps(child(args.child)), flush=True)
        return

    LOAD["before"] = os.getloadavg()[0]
    results = []
    tmpdir = Path(tempfile.mkdtemp(prefix="opennrm-bench-group-"))
    try:
        log(f"group intake on SQLite ({tmpdir / 'bench.sqlite3'}) …")
        results.append(run_child(f"sqlite:///{tmpdir / 'bench.sqlite3'}"))
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    pg = None if args.no_postgres else postgres_url()
    if pg is not None:
        try:
            log(f"group intake on PostgreSQL ({re.sub(r'//[^@]*@', '//', pg)}) …")
            results.append(run_child(pg))
        finally:
            drop_postgres(pg)

    text = report(results)
    print()
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    latest = RESULTS / "latest.md"
    separator = "\n" if latest.exists() and latest.stat().st_size else ""
    with latest.open("a") as f:  # bench/run.py wrote the file first: add to it
        f.write(separator + text)
    log(f"appended to {latest}")


if __name__ == "__main__":
    main()
