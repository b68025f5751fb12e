"""Benchmark of OpenNRM's pages and API calls against the floor of the same server, sequentially and
under concurrent load, across data scales, with one and two workers, and of the audit chain.

    make bench                                            # PostgreSQL, 100,000 persons
    make bench BENCH_ARGS=--quick                         # SQLite in a temporary file, 2,000 persons
    make bench BENCH_ARGS="--scales 10000,100000,1000000" # one database per scale, and a scale table

One scale: create the database if missing (PostgreSQL at BENCH_DATABASE_URL or --database-url; never
the DATABASE_URL of your working instance), migrate, generate synthetic persons up to --persons (kept
between runs; --regenerate starts over), ensure one benchmark user per role in an organisation involved
in many cases, count each row's SQL queries in-process, start gunicorn on a free port of 127.0.0.1, log
in through the real login form, time sequential keep-alive requests, then --clients concurrent clients
(each with its own connection and session or token), compare case API throughput with 1 and 2 workers,
stop gunicorn, measure how many audit entries per second 1 and 2 processes append, and verify the chain.
The report (markdown) goes to bench/results/latest.md; each target is printed with whether it holds.

With --scales, each scale runs in its own process on its own database and the report ends with a table
of every row's p95 at each scale. The issue's targets are listed in bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import audit_load
import load
from load import HOST, Client, CpuUse, Measure, Probe
from report import (
    CASE_TARGET,
    HOME_TARGET,
    Check,
    header,
    role_label,
    scale_label,
    scale_report,
    scale_table,
    targets,
    targets_table,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/opennrm_bench"
REFERENCE_SCALE = 100_000  # the scale whose database is DEFAULT_PG (the others get a suffix)
# The free-bed search of a typical placement: an adult woman with one accompanying child, across all
# facilities. The page gets it as the search form submits it, the API as its query parameters.
FREE_BED_SEARCH = {"sex": "female", "children": 1}
FREE_BED_PAGE = "/facilities/?sex=female&children=1&specialisation="
FREE_BED_API = "/api/v1/facilities/?sex=female&children=1"

SKIPPABLE = ("load", "workers", "audit")
RANDOM_SAMPLE = 5000  # random case ids drawn; the visible ones are the random rows' cases
RICH_CASES = 20  # the richest of those are the rich rows' cases
FORM_CASES = 20  # random cases whose pages are read in-process for the URLs of their on-demand forms
# The random rows measure this many of the visible random cases, each opened once in the warm-up: the
# rows then measure the page's work, not the reading of the database's files into memory (at a million
# persons the database is larger than what the machine keeps cached; see the report's "cache" line).
MEASURED_CASES = 60
# The case page's action forms are fetched when their section opens (htmx: hx-get on a <details>, and
# hx-trigger "load" for one opened with the page); the forms rows fetch them as htmx does.
ON_DEMAND = re.compile(r'<details class="on-demand"( open)?[^>]*? hx-get="([^"]+)"')
HTMX = {"HX-Request": "true"}
QUERY_SAMPLES = 3  # in-process requests counted per row (after one warm-up)
TRANSACTION_CONTROL = {"BEGIN", "COMMIT", "ROLLBACK"}

# Role codes (strings, so that this module imports without Django). Each benchmark user sits in the
# organisation of these types that is involved in the most cases: the Centre's staff in the Centre, a
# reporter in a health centre or school, shelter staff with an operator of facilities.
HOME_ROLES = (
    "first_line_reporter",
    "centre_case_manager",
    "centre_head",
    "social_worker",
    "police_investigator",
    "prosecutor",
    "labour_inspector",
    "ngo_case_worker",
    "shelter_staff",
)
ENTRY_ROLES = ("national_coordinator", "oversight_inspector", "system_admin")  # a small entry page
ROLE_ORG_TYPES: dict[str, tuple[str, ...]] = {
    "first_line_reporter": ("health", "school", "hotline"),
    "centre_case_manager": ("centre",),
    "centre_head": ("centre",),
    "social_worker": ("social_work_centre",),
    "police_investigator": ("police",),
    "prosecutor": ("prosecution",),
    "labour_inspector": ("labour_inspectorate",),
    "ngo_case_worker": ("ngo",),
    "shelter_staff": ("shelter", "ngo"),
    "national_coordinator": ("coordination_office",),
    "oversight_inspector": ("oversight_body",),
    "system_admin": ("coordination_office",),
}
CASE_MANAGER = "centre_case_manager"  # sees every case: the case rows' user
PROVIDER_ROLES = ("ngo_case_worker", "shelter_staff")  # candidates for the service-provider inbox


STARTED = time.monotonic()


def log(message: str) -> None:
    # Elapsed minutes and seconds: which phase takes the time of a long run.
    elapsed = int(time.monotonic() - STARTED)
    print(f"[{elapsed // 60:3d}:{elapsed % 60:02d}] {message}", flush=True)


def username_of(role: str) -> str:
    return "bench-" + role.replace("_", "-")


# ---- database ------------------------------------------------------------------------------------


def ensure_postgres_database(url: str, *, regenerate: bool) -> None:
    """Create the benchmark database if it does not exist (dropping it first with --regenerate)."""
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise SystemExit(f"unexpected database name {name!r}")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None
        if exists and regenerate:
            log(f"dropping database {name} (--regenerate)")
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = False
        if not exists:
            log(f"creating database {name}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def scale_database_url(base: str, n: int, overrides: dict[int, str]) -> str:
    """The database of one scale: an override, the base database for 100,000, or the base name with
    the scale as a suffix (opennrm_bench_10k, opennrm_bench_1m)."""
    if n in overrides:
        return overrides[n]
    if n == REFERENCE_SCALE:
        return base
    parts = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_{scale_label(n)}"))


@dataclass
class BenchUser:
    role: str
    username: str
    organisation: str  # code
    organisation_name: str
    involvements: int  # active involvements of the organisation (about the cases it sees)
    password: str = ""
    token: str = ""


@dataclass
class Setup:
    persons: int
    generated: int = 0
    generation_seconds: float | None = None
    generator: str = ""  # which generator wrote this run's persons (the package, or the old module)
    engine: str = ""
    drift: list[str] = field(default_factory=list)
    users: dict[str, BenchUser] = field(default_factory=dict)
    load_tokens: list[str] = field(default_factory=list)  # the case manager's, one per concurrent client
    random_codes: list[str] = field(default_factory=list)
    rich_codes: list[str] = field(default_factory=list)
    # Average rows per case of the random and of the rich sample (timeline events, services, …).
    richness: dict[str, dict[str, float]] = field(default_factory=dict)
    # What the database holds beyond persons and cases (placements, plans, …), for the report.
    contents: dict[str, int] = field(default_factory=dict)
    free_beds: tuple[int, int] = (0, 0)  # facilities the free-bed search finds, of all facilities
    referral_role: str = CASE_MANAGER
    referral_rows: int = 0
    services_role: str = "ngo_case_worker"
    services_rows: int = 0
    # The on-demand forms of FORM_CASES random case pages: every form's URL, and those opened with the
    # page (a browser fetches them right after it); per action (the URL without the case code), how many.
    form_urls: list[str] = field(default_factory=list)
    open_form_urls: list[str] = field(default_factory=list)
    form_cases: int = 0
    form_actions: dict[str, list[int]] = field(default_factory=dict)  # action: [offered, opened]
    database: dict[str, Any] = field(default_factory=dict)  # connection settings the server runs with


def schema_drift() -> list[str]:
    """Indexes, constraints and columns the models declare but the database lacks.

    A benchmark database is kept between runs; if a migration that already ran was edited in place
    (say, an index added to 0001_initial), ``migrate`` does nothing and the numbers would be measured
    without it."""
    from django.apps import apps
    from django.db import connection

    missing = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if not model.__module__.startswith("opennrm.") or not model._meta.managed:
                continue
            table = model._meta.db_table
            existing = connection.introspection.get_constraints(cursor, table)
            columns = {c.name for c in connection.introspection.get_table_description(cursor, table)}
            for item in [*model._meta.indexes, *model._meta.constraints]:
                if item.name not in existing:
                    missing.append(f"{table}.{item.name}")
            for f in model._meta.local_concrete_fields:
                if f.column not in columns:
                    missing.append(f"{table}.{f.column}")
    return missing


def contents() -> dict[str, int]:
    """Row counts of what the generator writes after identification (the home page and the free-bed
    search read these)."""
    from opennrm.assistance.models import (
        OPEN_SERVICE_STATUSES,
        AssistancePlan,
        AssistanceService,
        CaseClosure,
        FollowUp,
    )
    from opennrm.identification.models import Referral
    from opennrm.protection.models import RiskAssessment
    from opennrm.residence.models import ResidencePermit
    from opennrm.shelters.models import Facility, Placement

    return {
        "facilities": Facility.objects.count(),
        "placements": Placement.objects.count(),
        "current residents": Placement.objects.filter(status="placed").count(),
        "assistance plans": AssistancePlan.objects.count(),
        "services": AssistanceService.objects.count(),
        "open services": AssistanceService.objects.filter(status__in=OPEN_SERVICE_STATUSES).count(),
        "follow-ups": FollowUp.objects.count(),
        "risk assessments": RiskAssessment.objects.count(),
        "residence permits": ResidencePermit.objects.count(),
        "closures awaiting review": CaseClosure.objects.filter(status="requested").count(),
        "referrals": Referral.objects.count(),
        "MB of database": database_megabytes(),
    }


def memory_megabytes() -> dict[str, int]:
    """The machine's memory and what the kernel keeps cached of files (Linux; zeros elsewhere)."""
    try:
        info = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
        kb = {k: int(v.split()[0]) for k, v in info.items() if v.strip().endswith("kB")}
        return {"memory_mb": kb["MemTotal"] // 1024, "cached_mb": kb.get("Cached", 0) // 1024}
    except (OSError, KeyError, ValueError):
        return {"memory_mb": 0, "cached_mb": 0}


def database_megabytes() -> int:
    """The database's size on disk: against the machine's memory, it says how much of it stays cached."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return int(cursor.fetchone()[0]) // 2**20
    name = connection.settings_dict["NAME"]
    return os.path.getsize(name) // 2**20 if name and os.path.exists(str(name)) else 0


def bench_users() -> dict[str, BenchUser]:
    """One user per role, each in the organisation of its role's types with the most active
    involvements (so its home page and inboxes read as much as the generated data allows)."""
    from django.db.models import Count

    from opennrm.accounts import services as account_services
    from opennrm.accounts.models import Organisation, Role, User
    from opennrm.cases.models import Involvement
    from opennrm.cases.services import centre_organisation
    from opennrm.shelters.models import Facility

    # One pass over the involvements for every organisation (at a million cases, one per role would
    # scan them twelve times).
    involved = dict(
        Involvement.objects.active()
        .values("organisation_id")
        .annotate(n=Count("id"))
        .values_list("organisation_id", "n")
    )
    operators = set(Facility.objects.values_list("operator_id", flat=True))
    centre = centre_organisation()
    roles = set(Role.objects.values_list("code", flat=True))
    users: dict[str, BenchUser] = {}
    for role in (*HOME_ROLES, *ENTRY_ROLES):
        if role not in roles:
            raise SystemExit(f"role {role} is not in the database")
        types = ROLE_ORG_TYPES[role]
        if types == ("centre",) and centre is not None:
            candidates = [centre]
        else:
            candidates = list(Organisation.objects.filter(type__in=types, is_active=True).order_by("id"))
            if role == "shelter_staff":
                candidates = [o for o in candidates if o.pk in operators] or candidates
        if not candidates:
            raise SystemExit(f"no active organisation of type {', '.join(types)} for role {role}")
        org = max(candidates, key=lambda o: (involved.get(o.pk, 0), -o.pk))
        username = username_of(role)
        user = User.objects.filter(username=username).first()
        if user is None:
            user = account_services.user_create(
                actor=None,
                username=username,
                password=None,
                organisation=org,
                role_code=role,
                first_name="Bench",
                last_name=role.replace("_", " ").title(),
            )
        elif user.organisation_id != org.pk or not user.is_active:
            # A top-up may have moved the busiest organisation; the account exists only in the
            # benchmark database, so it is moved directly.
            user.organisation, user.is_active = org, True
            user.save(update_fields=["organisation", "is_active"])
        # A fresh random password every run; never printed or written anywhere.
        password = secrets.token_urlsafe(18)
        user.set_password(password)
        user.save(update_fields=["password"])
        users[role] = BenchUser(
            role=role,
            username=username,
            organisation=org.code,
            organisation_name=org.name,
            involvements=involved.get(org.pk, 0),
            password=password,
        )
    return users


def tokens(user_obj: Any, count: int) -> list[str]:
    """Revoke the user's old tokens, create ``count`` new ones (each concurrent API client has its own)."""
    from opennrm.accounts import services as account_services
    from opennrm.accounts.models import ApiToken

    for old in ApiToken.objects.filter(user=user_obj, revoked_at__isnull=True):
        account_services.token_revoke(actor=None, token=old)
    return [
        account_services.token_create(actor=None, user=user_obj, name="bench", days=1)[1]
        for _ in range(count)
    ]


def pick_cases(user_obj: Any, rng: random.Random) -> tuple[list[str], list[str], dict[str, dict[str, float]]]:
    """Random cases the user sees, and the richest of them (most kinds of records, then most rows).

    The rich ones come out of the random sample, so finding them costs a few indexed counts at any
    scale; the richest of 5,000 random cases are far richer than the average one."""
    from django.db.models import Count

    from opennrm import policy
    from opennrm.assistance.models import AssistanceService, FollowUp
    from opennrm.cases.models import Case, CaseNote, CaseTask, Involvement, TimelineEvent
    from opennrm.protection.models import RiskAssessment
    from opennrm.residence.models import ResidencePermit
    from opennrm.shelters.models import Placement

    bounds = Case.objects.order_by("id").values_list("id", flat=True)
    low, high = bounds.first(), bounds.last()
    if low is None:
        raise SystemExit("no cases in the benchmark database")
    ids = {rng.randint(low, high) for _ in range(RANDOM_SAMPLE)}
    visible = dict(policy.visible_cases(user_obj).filter(id__in=ids).values_list("id", "code"))
    if not visible:
        raise SystemExit("the case manager sees none of the sampled cases")
    counted = {
        "timeline events": TimelineEvent,
        "involvements": Involvement,
        "tasks": CaseTask,
        "notes": CaseNote,
        "services": AssistanceService,
        "placements": Placement,
        "follow-ups": FollowUp,
        "risk assessments": RiskAssessment,
        "residence permits": ResidencePermit,
    }
    per_case: dict[int, dict[str, int]] = defaultdict(dict)
    for label, model in counted.items():
        rows = model.objects.filter(case_id__in=list(visible)).values("case_id").annotate(n=Count("id"))
        for row in rows.values_list("case_id", "n"):
            per_case[row[0]][label] = row[1]

    def richness(case_id: int) -> tuple[int, int]:
        c = per_case.get(case_id, {})
        return (sum(1 for v in c.values() if v), sum(c.values()))

    ordered = sorted(visible, key=lambda i: (richness(i), i), reverse=True)
    rich = ordered[:RICH_CASES]

    def average(sample: list[int]) -> dict[str, float]:
        return {label: sum(per_case[i].get(label, 0) for i in sample) / len(sample) for label in counted}

    random_ids = sorted(visible)
    return (
        [visible[i] for i in random_ids],
        [visible[i] for i in rich],
        {"random": average(random_ids), "rich": average(rich)},
    )


def generate(args: argparse.Namespace, setup: Setup, missing: int) -> None:
    """Top the database up by ``missing`` persons (each batch of the generator is one transaction)."""
    from opennrm.demo.generator import generate as generate_persons
    from opennrm.people.models import Person

    started = time.monotonic()
    setup.generator = "`opennrm.demo.generator`"
    log(f"generating {missing:,} persons ({setup.persons:,} present) …")
    result = generate_persons(
        persons=missing, seed=args.seed + setup.persons, batch_size=args.batch_size or 5000, progress=log
    )
    setup.generation_seconds = time.monotonic() - started
    log(f"generated {result.persons:,} persons in {result.seconds:.0f} s with {result.workers} process(es)")
    present = Person.objects.count()
    setup.generated += present - setup.persons
    setup.persons = present


def prepare(args: argparse.Namespace) -> Setup:
    """Migrate, generate, create the benchmark users and pick cases, in this process."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from opennrm.accounts.models import User
    from opennrm.assistance import selectors as assistance_selectors
    from opennrm.demo import services as demo_services
    from opennrm.identification import selectors as identification_selectors
    from opennrm.people.models import Person
    from opennrm.shelters import selectors as shelter_selectors

    log("migrating …")
    call_command("migrate", verbosity=0, interactive=False)
    setup = Setup(persons=Person.objects.count(), engine=connection.vendor, drift=schema_drift())
    if setup.drift:
        log(f"WARNING: the database lacks {', '.join(setup.drift)}; run again with --regenerate")
    demo_services.organisations_ensure()
    missing = args.persons - setup.persons
    if missing > 0 and not args.no_generate:
        generate(args, setup, missing)  # imported only now: measuring kept data needs no generator
    else:
        log(f"{setup.persons:,} persons present; generation skipped")

    rng = random.Random(args.seed)
    log("benchmark users, tokens and cases …")
    setup.users = bench_users()
    accounts = {
        u.username: u for u in User.objects.filter(username__in=[b.username for b in setup.users.values()])
    }
    for role, bench in setup.users.items():
        count = max(1, args.clients) if role == CASE_MANAGER else 1
        issued = tokens(accounts[bench.username], count)
        bench.token = issued[0]
        if role == CASE_MANAGER:
            setup.load_tokens = issued
    manager = accounts[setup.users[CASE_MANAGER].username]
    setup.random_codes, setup.rich_codes, setup.richness = pick_cases(manager, rng)

    # The referral inbox of the user with the most pending referrals (the Centre when nobody has any),
    # the service inbox of the NGO or shelter user with the most open service requests.
    referrals = {
        role: len(identification_selectors.referral_inbox(user=accounts[b.username], limit=200))
        for role, b in setup.users.items()
        if role in HOME_ROLES
    }
    setup.referral_role = max(referrals, key=lambda r: (referrals[r], r == CASE_MANAGER))
    setup.referral_rows = referrals[setup.referral_role]
    provided = {
        role: assistance_selectors.provider_inbox(accounts[setup.users[role].username]).count()
        for role in PROVIDER_ROLES
    }
    setup.services_role = max(provided, key=lambda r: provided[r])
    setup.services_rows = provided[setup.services_role]

    setup.database = database_settings()
    discover_forms(setup, rng)
    setup.contents = contents()
    setup.free_beds = (
        shelter_selectors.free_beds_search(user=manager, **FREE_BED_SEARCH).count(),
        shelter_selectors.facility_list(user=manager).count(),
    )
    if not setup.free_beds[1]:
        raise SystemExit("the benchmark database has no facilities: run again with --regenerate")
    connection.close()
    return setup


def inprocess_client(user: BenchUser, *, api: bool) -> Any:
    """Django's test client as the user: the API with the user's token, pages with a session from a
    POST of the login form (as the browser gets one)."""
    from django.test import Client as DjangoClient

    if api:
        return DjangoClient(
            HTTP_HOST=HOST, HTTP_AUTHORIZATION=f"Bearer {user.token}", HTTP_ACCEPT="application/json"
        )
    client = DjangoClient(HTTP_HOST=HOST)
    response = client.post("/accounts/login/", {"username": user.username, "password": user.password})
    if response.status_code != 302:
        raise SystemExit(f"in-process login of {user.username} failed (HTTP {response.status_code})")
    return client


def discover_forms(setup: Setup, rng: random.Random) -> None:
    """The URLs of the on-demand forms of FORM_CASES random case pages of the case manager, read from
    the pages in-process (which forms a case offers depends on it: age assessment for a child,
    residence for a foreign national, …)."""
    client = inprocess_client(setup.users[CASE_MANAGER], api=False)
    codes = rng.sample(setup.random_codes, min(FORM_CASES, len(setup.random_codes)))
    actions: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for code in codes:
        response = client.get(f"/cases/{code}/")
        if response.status_code != 200:
            raise SystemExit(f"case page of {code}: HTTP {response.status_code} in-process")
        for opened, url in ON_DEMAND.findall(response.content.decode()):
            url = html.unescape(url)
            setup.form_urls.append(url)
            action = actions[url.replace(f"/{code}/", "/<code>/", 1)]
            action[0] += 1
            if opened:
                setup.open_form_urls.append(url)
                action[1] += 1
    setup.form_cases = len(codes)
    setup.form_actions = dict(sorted(actions.items()))


def database_settings() -> dict[str, Any]:
    """What the report says about the server's database connections: how long a connection is kept
    and whether statements are prepared on it (OPENNRM_DB_PREPARED: then a connection's first runs of
    each statement are slower, and each reconnection, every CONN_MAX_AGE seconds, starts over)."""
    from django.db import connection

    options = connection.settings_dict.get("OPTIONS") or {}
    return {
        "vendor": connection.vendor,
        "conn_max_age": connection.settings_dict.get("CONN_MAX_AGE"),
        "prepared": bool(options.get("server_side_binding")) and options.get("prepare_threshold") is not None,
        "prepare_threshold": options.get("prepare_threshold"),
    }


# ---- rows ----------------------------------------------------------------------------------------


@dataclass
class Row:
    key: str  # stable across scales (the scale table joins on it)
    name: str
    shown: str  # the path as the report shows it
    role: str  # whose session or token
    api: bool
    paths: load.PathFn
    group: str  # baseline, case, home, entry, other
    target: float | None = None  # p95 ≤ target × p95 of /api/v1/me/
    under_load: bool = False  # also measured with the concurrent clients
    headers: dict[str, str] = field(default_factory=dict)  # sent with each request (HX-Request)


def build_rows(setup: Setup) -> list[Row]:
    def fixed(path: str) -> load.PathFn:
        return lambda _rng: path

    sample = random.Random(1).sample(setup.random_codes, min(MEASURED_CASES, len(setup.random_codes)))

    def case(prefix: str, codes: list[str]) -> load.PathFn:
        return load.Paths([f"{prefix}{code}/" for code in codes])

    def one_of(urls: list[str]) -> load.PathFn:
        return lambda rng: rng.choice(urls)

    cm = CASE_MANAGER
    rows = [
        Row(
            "bare", "bare Django view (baseline)", "/bench/bare", cm, False, fixed("/bench/bare"), "baseline"
        ),
        # The cheapest authenticated call (token lookup, user, role, JSON): the targets' yardstick.
        Row(
            "me",
            "minimal authenticated API (baseline)",
            "/api/v1/me/",
            cm,
            True,
            fixed("/api/v1/me/"),
            "baseline",
        ),
        Row(
            "case_page",
            "case page, random cases",
            "/cases/<code>/",
            cm,
            False,
            case("/cases/", sample),
            "case",
            CASE_TARGET,
        ),
        Row(
            "case_page_rich",
            "case page, rich cases",
            "/cases/<code>/",
            cm,
            False,
            case("/cases/", setup.rich_codes),
            "case",
            CASE_TARGET,
        ),
        Row(
            "case_api",
            "case API, random cases",
            "/api/v1/cases/<code>/",
            cm,
            True,
            case("/api/v1/cases/", sample),
            "case",
            CASE_TARGET,
        ),
        Row(
            "case_api_rich",
            "case API, rich cases",
            "/api/v1/cases/<code>/",
            cm,
            True,
            case("/api/v1/cases/", setup.rich_codes),
            "case",
            CASE_TARGET,
        ),
    ]
    # The forms the case page no longer renders: those a browser fetches right after the page (opened
    # with it), and any one of them as a user opens its section. No target; the case page's share.
    if setup.open_form_urls:
        rows.append(
            Row(
                "case_forms_open",
                "case page forms opened with the page",
                "/cases/<code>/<action>/ (htmx)",
                cm,
                False,
                one_of(setup.open_form_urls),
                "other",
                headers=HTMX,
            )
        )
    if setup.form_urls:
        rows.append(
            Row(
                "case_forms",
                "case page forms, any one on demand",
                "/cases/<code>/<action>/ (htmx)",
                cm,
                False,
                one_of(setup.form_urls),
                "other",
                headers=HTMX,
            )
        )
    rows.append(Row("case_list", "case list page", "/cases/", cm, False, fixed("/cases/"), "other"))
    for role in HOME_ROLES:
        rows.append(
            Row(
                f"home_{role}",
                f"home page: {role_label(role)}",
                "/",
                role,
                False,
                fixed("/"),
                "home",
                HOME_TARGET,
            )
        )
    for role in ENTRY_ROLES:
        rows.append(
            Row(f"home_{role}", f"entry page: {role_label(role)}", "/", role, False, fixed("/"), "entry")
        )
    ref, svc = setup.referral_role, setup.services_role
    rows += [
        Row("referrals", "referral inbox page", "/referrals/", ref, False, fixed("/referrals/"), "other"),
        Row(
            "referrals_api",
            "referral inbox API",
            "/api/v1/referrals/inbox/",
            ref,
            True,
            fixed("/api/v1/referrals/inbox/"),
            "other",
        ),
        Row("free_beds", "free-bed search page", FREE_BED_PAGE, cm, False, fixed(FREE_BED_PAGE), "other"),
        Row("free_beds_api", "free-bed search API", FREE_BED_API, cm, True, fixed(FREE_BED_API), "other"),
        Row(
            "services", "service-provider inbox page", "/services/", svc, False, fixed("/services/"), "other"
        ),
        Row(
            "services_api",
            "service-provider inbox API",
            "/api/v1/services/inbox/",
            svc,
            True,
            fixed("/api/v1/services/inbox/"),
            "other",
        ),
    ]
    for row in rows:
        # Under load: the targets' rows and their yardsticks.
        row.under_load = row.group in {"baseline", "case", "home"}
    return rows


def count_queries(rows: list[Row], setup: Setup, seed: int, template: Path) -> dict[str, list[int]]:
    """SQL queries per request of each row, in-process with Django's test client (the server may also
    send them in a header: see bench/README.md). Also writes the audit entries of one case page
    request to ``template``, for the audit throughput measurement."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from opennrm.audit.models import AuditEvent

    sessions: dict[str, Any] = {}
    counts: dict[str, list[int]] = {}
    rng = random.Random(seed)
    for row in rows:
        user = setup.users[row.role]
        if row.api:
            client = inprocess_client(user, api=True)
        else:
            client = sessions.get(row.role)
            if client is None:
                client = sessions[row.role] = inprocess_client(user, api=False)
        client.get(row.paths(rng), headers=row.headers)  # warm-up: per-process caches
        counts[row.key] = []
        for i in range(QUERY_SAMPLES):
            last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
            with CaptureQueriesContext(connection) as captured:
                response = client.get(row.paths(rng), headers=row.headers)
            if response.status_code != 200:
                raise SystemExit(f"{row.name}: HTTP {response.status_code} in-process")
            # Statements only: Django logs BEGIN and COMMIT too, which the server-side hook (an
            # execute_wrapper) never sees; the two counts agree this way.
            statements = [q for q in captured.captured_queries if q["sql"] not in TRANSACTION_CONTROL]
            counts[row.key].append(len(statements))
            if row.key == "case_page" and i == 0:
                entries = list(
                    AuditEvent.objects.filter(id__gt=last)
                    .order_by("id")
                    .values("action", "object_type", "object_id", "case_code", "detail")
                )
                template.write_text(json.dumps(entries))
    connection.close()
    return counts


# ---- measuring -----------------------------------------------------------------------------------


@dataclass
class RowResult:
    row: Row
    queries_inprocess: list[int]
    seq: Measure | None = None
    load: Measure | None = None

    def queries(self) -> tuple[str, str]:
        """(count, source): the server's header when every measured response had it, else in-process."""
        if self.seq is not None and self.seq.queries and len(self.seq.queries) == len(self.seq.samples):
            ordered = sorted(self.seq.queries)
            low, high = ordered[0], ordered[-1]
            return (f"{low}" if low == high else f"{low}–{high}", "server")
        if not self.queries_inprocess:
            return ("", "")
        low, high = min(self.queries_inprocess), max(self.queries_inprocess)
        return (f"{low}" if low == high else f"{low}–{high}", "in-process")

    def as_dict(self) -> dict:
        r = self.row
        return {
            "key": r.key,
            "name": r.name,
            "path": r.shown,
            "role": r.role,
            "api": r.api,
            "group": r.group,
            "target": r.target,
            "htmx": bool(r.headers),
            "queries": self.queries()[0],
            "queries_source": self.queries()[1],
            "seq": self.seq.as_dict() if self.seq else None,
            "load": self.load.as_dict() if self.load else None,
        }


class Sessions:
    """The clients of one server: per role a logged-in browser session and an API client (sequential
    rows), and per role a pool of concurrent sessions, each logged in through the form."""

    def __init__(self, port: int, setup: Setup):
        self.port = port
        self.setup = setup
        self.browsers: dict[str, Client] = {}
        self.apis: dict[str, Client] = {}
        self.pools: dict[str, list[Client]] = {}

    def browser(self, role: str) -> Client:
        if role not in self.browsers:
            client = Client(self.port, {"Accept": "text/html"})
            user = self.setup.users[role]
            load.login(client, username=user.username, password=user.password)
            self.browsers[role] = client
        return self.browsers[role]

    def api(self, role: str) -> Client:
        if role not in self.apis:
            token = self.setup.users[role].token
            self.apis[role] = Client(
                self.port, {"Authorization": f"Bearer {token}", "Accept": "application/json"}
            )
        return self.apis[role]

    def pool(self, role: str, n: int) -> list[Client]:
        clients = self.pools.setdefault(role, [])
        user = self.setup.users[role]
        fresh = [Client(self.port, {"Accept": "text/html"}) for _ in range(n - len(clients))]
        load.parallel(
            [lambda c=c: load.login(c, username=user.username, password=user.password) for c in fresh]
        )
        clients += fresh
        return clients[:n]

    def api_pool(self, n: int) -> list[Client]:
        """The case manager's concurrent API clients, one token each (only the case manager's API rows
        run under load)."""
        return [
            Client(self.port, {"Authorization": f"Bearer {t}", "Accept": "application/json"})
            for t in (self.setup.load_tokens * n)[:n]
        ]

    def close(self) -> None:
        for c in [*self.browsers.values(), *self.apis.values(), *(c for p in self.pools.values() for c in p)]:
            c.close()


def run_sequential(rows: list[RowResult], sessions: Sessions, args: argparse.Namespace, probe: Probe) -> None:
    rng = random.Random(args.seed)
    for result in rows:
        row = result.row
        log(f"measuring {row.name} ({role_label(row.role)}) …")
        client = sessions.api(row.role) if row.api else sessions.browser(row.role)
        result.seq = load.measure_sequential(
            client,
            row.paths,
            rng,
            warmup=args.warmup,
            requests=args.requests,
            budget=args.row_seconds,
            name=row.name,
            headers=row.headers,
            probe=probe,
        )


def concurrent(row: Row, sessions: Sessions, args: argparse.Namespace, probe: Probe, seed: int) -> Measure:
    if row.api:
        if row.role != CASE_MANAGER:
            raise SystemExit(f"{row.name}: only the case manager has tokens for concurrent clients")
        clients = sessions.api_pool(args.clients)
    else:
        clients = sessions.pool(row.role, args.clients)
    measured = load.measure_concurrent(
        clients,
        row.paths,
        seed=seed,
        warmup_seconds=args.load_warmup,
        seconds=args.load_seconds,
        probe=probe,
        headers=row.headers,
    )
    if row.api:
        for c in clients:
            c.close()
    if measured.errors > max(3, len(measured.samples) // 20):
        raise SystemExit(f"{row.name} under load: {measured.errors} errors (last: {measured.last_error})")
    return measured


def run_load(rows: list[RowResult], sessions: Sessions, args: argparse.Namespace, probe: Probe) -> None:
    for i, result in enumerate(rows):
        if not result.row.under_load:
            continue
        log(f"measuring {result.row.name} with {args.clients} concurrent clients …")
        result.load = concurrent(result.row, sessions, args, probe, args.seed + i)


def run_workers(
    case_api: Row,
    main: subprocess.Popen,
    main_sessions: Sessions,
    setup: Setup,
    args: argparse.Namespace,
    env: dict[str, str],
    database_url: str,
) -> list[dict]:
    """Case API throughput with 1 and with 2 workers, the same clients and data, one right after the
    other (a second gunicorn with one worker on its own port; the main server when it has two)."""
    out = []
    for workers in (1, 2):
        if workers == args.workers:
            proc, sessions, own = main, main_sessions, False
        else:
            port = load.free_port()
            log(f"starting gunicorn with {workers} worker(s) on {HOST}:{port} …")
            proc = load.start_gunicorn(
                port=port, workers=workers, env=env, logfile=RESULTS / f"gunicorn-{workers}w.log"
            )
            sessions, own = Sessions(port, setup), True
        probe = Probe(proc.pid, database_url)
        try:
            log(f"measuring {case_api.name} with {workers} worker(s), {args.clients} clients …")
            measured = concurrent(case_api, sessions, args, probe, args.seed)
        finally:
            probe.close()
            if own:
                sessions.close()
                load.stop_gunicorn(proc)
        out.append({"workers": workers, **measured.as_dict()})
    return out


def run_audit(setup: Setup, args: argparse.Namespace, env: dict[str, str], template: Path) -> dict:
    if not template.exists() or not json.loads(template.read_text()):
        # No entry captured (should not happen: the case page audits its reads): a request's worth.
        code = setup.random_codes[0]
        template.write_text(
            json.dumps(
                [
                    {
                        "action": "read",
                        "object_type": "case",
                        "object_id": code,
                        "case_code": code,
                        "detail": {},
                    }
                ]
                * 3
            )
        )
    runs = []
    for processes in (1, 2):
        log(f"audit: {processes} process(es) appending for {args.audit_seconds:.0f} s …")
        runs.append(
            audit_load.run(
                processes=processes,
                seconds=args.audit_seconds,
                template=template,
                actor=setup.users[CASE_MANAGER].username,
                env=env,
            )
        )
    log("audit: opennrm audit verify …")
    return {"runs": runs, "verify": audit_load.verify(env), "template": json.loads(template.read_text())}


# ---- report --------------------------------------------------------------------------------------


def code_version() -> str:
    """The commit the server ran, and whether the working tree differed from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{commit}{' with uncommitted changes' if dirty else ''}"


# ---- one scale -----------------------------------------------------------------------------------


def run_scale(args: argparse.Namespace, database_url: str) -> dict:
    """Everything at one scale, in this process (Django is configured once per process)."""
    import django

    env = dict(os.environ)
    env.update({
        "DATABASE_URL": database_url,
        "OPENNRM_MODE": "demo",
        "OPENNRM_REQUIRE_2FA": "0",
        "OPENNRM_BENCH": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    })  # fmt: skip
    # --env last: it may change what the server runs with (OPENNRM_DB_PREPARED=0, a CONN_MAX_AGE), and
    # the in-process counting and the audit processes run with the same.
    env.update(dict(args.env))
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    RESULTS.mkdir(parents=True, exist_ok=True)
    loadavg = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    setup = prepare(args)
    rows = build_rows(setup)
    scratch = Path(tempfile.mkdtemp(prefix="opennrm-bench-"))
    template = scratch / "audit-template.json"
    log("counting queries in-process …")
    counts = count_queries(rows, setup, args.seed, template)
    results = [RowResult(row, counts.get(row.key, [])) for row in rows]

    port = load.free_port()
    log(f"starting gunicorn on {HOST}:{port} …")
    code = code_version()  # what the server is about to load
    proc = load.start_gunicorn(port=port, workers=args.workers, env=env, logfile=RESULTS / "gunicorn.log")
    sessions = Sessions(port, setup)
    probe = Probe(proc.pid, database_url)
    workers_runs: list[dict] = []
    try:
        before = probe.snapshot()
        run_sequential(results, sessions, args, probe)
        seq_cpu = CpuUse.between(before, probe.snapshot())
        if "load" not in args.skip:
            run_load(results, sessions, args, probe)
        if "workers" not in args.skip:
            case_api = next(r.row for r in results if r.row.key == "case_api")
            workers_runs = run_workers(case_api, proc, sessions, setup, args, env, database_url)
    finally:
        probe.close()
        sessions.close()
        load.stop_gunicorn(proc)
    audit = None
    if "audit" not in args.skip:
        audit = run_audit(setup, args, env, template)  # with the server stopped: nothing else appends
    shutil.rmtree(scratch, ignore_errors=True)

    setup_dict = {
        "persons": setup.persons,
        "generated": setup.generated,
        "generation_seconds": setup.generation_seconds,
        "engine": setup.engine,
        "drift": setup.drift,
        "contents": setup.contents,
        "free_beds": setup.free_beds,
        "referral_role": setup.referral_role,
        "referral_rows": setup.referral_rows,
        "services_role": setup.services_role,
        "services_rows": setup.services_rows,
        "random_codes": setup.random_codes,
        "rich_codes": setup.rich_codes,
        "richness": setup.richness,
        "generator": setup.generator,
        "database": setup.database,
        "form_cases": setup.form_cases,
        "form_urls": len(setup.form_urls),
        "open_form_urls": len(setup.open_form_urls),
        "form_actions": setup.form_actions,
        # Never the passwords or tokens.
        "users": {
            role: {
                "role": u.role,
                "username": u.username,
                "organisation": u.organisation,
                "involvements": u.involvements,
            }
            for role, u in setup.users.items()
        },
    }
    shown_db = (
        "temporary SQLite file"
        if database_url.startswith("sqlite")
        else urllib.parse.urlsplit(database_url).path.lstrip("/")
    )
    return {
        "persons": setup.persons,
        "database": shown_db,
        "workers": args.workers,
        "django": django.get_version(),
        "code": code,
        "loadavg": loadavg,
        "measured_cases": MEASURED_CASES,
        **memory_megabytes(),
        "seq_cpu": seq_cpu.as_dict(),
        "args": {
            k: getattr(args, k)
            for k in (
                "warmup",
                "requests",
                "row_seconds",
                "clients",
                "load_warmup",
                "load_seconds",
                "audit_seconds",
            )
        },
        "env": [f"{k}={v}" for k, v in args.env],
        "setup": setup_dict,
        "rows": [r.as_dict() for r in results],
        "workers_runs": workers_runs,
        "audit": audit,
    }


def write_report(text: str, stamp_name: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.md").write_text(text)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"{stamp}-{stamp_name}.md").write_text(text)
    print()
    print(text)
    log(f"written to {RESULTS / 'latest.md'}")


def single(args: argparse.Namespace) -> None:
    if args.sqlite:
        tmpdir = Path(tempfile.mkdtemp(prefix="opennrm-bench-"))
        database_url = f"sqlite:///{tmpdir / 'bench.sqlite3'}"
    else:
        tmpdir = None
        database_url = args.database_url
        ensure_postgres_database(database_url, regenerate=args.regenerate)
    try:
        result = run_scale(args, database_url)
    finally:
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(result))
        return  # the parent of a --scales run writes the report
    text = "\n".join([header(args.clients), scale_report(result), targets_table(targets(result), "Targets")])
    write_report(text, f"{result['setup']['engine']}-{result['persons']}")


def multi(args: argparse.Namespace, argv: list[str]) -> None:
    """One child process per scale (each configures Django on its own database), then the scale table.
    The worker comparison and the audit measurement run at the largest scale only."""
    overrides = dict(args.scale_database)
    passthrough = strip_options(
        argv, {"--scales": 1, "--scale-database": 1, "--persons": 1, "--database-url": 1, "--json": 1}
    )
    results: list[tuple[int, dict]] = []
    with tempfile.TemporaryDirectory(prefix="opennrm-bench-") as tmp:
        for i, n in enumerate(args.scales):
            out = Path(tmp) / f"{n}.json"
            command = [
                sys.executable,
                str(Path(__file__)),
                *passthrough,
                "--persons",
                str(n),
                "--json",
                str(out),
            ]
            if not args.sqlite:
                command += ["--database-url", scale_database_url(args.database_url, n, overrides)]
            if i < len(args.scales) - 1:
                skip = sorted({*args.skip, "workers", "audit"})
                command += ["--skip", ",".join(skip)]
            log(f"==== scale {n:,} ====")
            proc = subprocess.run(command, cwd=ROOT, check=False)
            if proc.returncode:
                # Keep what the scales before it measured (a long run should not lose them).
                if results:
                    parts = [header(args.clients), *(scale_report(r) for _n, r in results)]
                    write_report("\n".join(parts), "partial-" + "-".join(scale_label(m) for m, _r in results))
                raise SystemExit(f"the run at {n:,} persons failed ({proc.returncode})")
            results.append((n, json.loads(out.read_text())))
    table, scale_checks = scale_table(results)
    parts = [header(args.clients)]
    all_checks: list[Check] = []
    for n, result in results:
        parts.append(scale_report(result))
        all_checks += [(f"@{scale_label(n)}: {what}", *rest) for what, *rest in targets(result)]
    if table:
        parts.append(table)
    parts.append(targets_table(all_checks + scale_checks, "Targets"))
    write_report("\n".join(parts), "scales-" + "-".join(scale_label(n) for n, _r in results))


def strip_options(argv: list[str], options: dict[str, int]) -> list[str]:
    """``argv`` without the given options (and their values, as ``--x v`` or ``--x=v``)."""
    out, skip = [], 0
    for item in argv:
        if skip:
            skip -= 1
            continue
        name = item.split("=", 1)[0]
        if name in options:
            skip = 0 if "=" in item else options[name]
            continue
        out.append(item)
    return out


def count(text: str) -> int:
    """10000, 10k, 1m, 1_000_000."""
    text = text.strip().lower().replace("_", "")
    factor = {"k": 1000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


SCALE_PREFIX = re.compile(r"^\s*[0-9_.]+[kKmM]?=")  # "1m=postgres://…" (a URL has no "=" before "://")


def env_setting(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        raise argparse.ArgumentTypeError("expected KEY=VALUE")
    if key in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}:
        raise argparse.ArgumentTypeError(f"{key} is the harness's (use --database-url)")
    return key, value


def scale_override(text: str) -> tuple[int, str]:
    n, sep, url = text.partition("=")
    if not sep or not url:
        raise argparse.ArgumentTypeError("expected N=DATABASE_URL")
    return count(n), url


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--persons", type=count, default=None, help="persons in the database (default 100000)"
    )
    parser.add_argument(
        "--scales",
        type=lambda s: sorted({count(x) for x in s.split(",") if x.strip()}),
        default=None,
        help="comma-separated scales, each on its own database (e.g. 10000,100000,1000000)",
    )
    parser.add_argument(
        "--scale-database",
        type=scale_override,
        action="append",
        default=[],
        metavar="N=URL",
        help="the database of one scale (repeatable), e.g. 1000000=postgres://…/opennrm_gen_1m",
    )
    parser.add_argument(
        "--sqlite", action="store_true", help="use a temporary SQLite file instead of PostgreSQL"
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: SQLite, 2,000 persons, short rows")
    parser.add_argument(
        "--regenerate", action="store_true", help="drop the benchmark database and generate again"
    )
    parser.add_argument(
        "--no-generate", action="store_true", help="measure the persons present, even fewer than --persons"
    )
    parser.add_argument(
        "--database-url",
        action="append",
        default=[],
        metavar="[N=]URL",
        help="the benchmark database (default BENCH_DATABASE_URL or opennrm_bench); N=URL: that of one "
        "scale, as --scale-database",
    )
    parser.add_argument("--requests", type=int, default=None, help="measured requests per row (default 300)")
    parser.add_argument("--warmup", type=int, default=None, help="warm-up requests per row (default 30)")
    parser.add_argument("--row-seconds", type=float, default=None, help="time budget per row (default 300 s)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    parser.add_argument(
        "--load-seconds", type=float, default=None, help="measured seconds per row under load (15)"
    )
    parser.add_argument(
        "--load-warmup", type=float, default=None, help="warm-up seconds per row under load (3)"
    )
    parser.add_argument(
        "--audit-seconds", type=float, default=None, help="seconds per audit measurement (15)"
    )
    parser.add_argument(
        "--skip",
        type=lambda s: sorted({x.strip() for x in s.split(",") if x.strip()}),
        default=[],
        help=f"comma-separated parts to leave out: {', '.join(SKIPPABLE)}",
    )
    parser.add_argument("--workers", type=int, default=2, help="workers of the main server (default 2)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--env",
        type=env_setting,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="environment of the server, the in-process counting and the audit processes (repeatable), "
        "e.g. OPENNRM_DB_PREPARED=0",
    )
    parser.add_argument(
        "--batch-size", type=int, default=None, help="persons per transaction of the generator (its default)"
    )
    parser.add_argument("--json", default=None, help=argparse.SUPPRESS)  # a --scales child's result
    args = parser.parse_args(argv)
    # --database-url URL (the last one) and --database-url N=URL (one scale's, like --scale-database).
    base = [u for u in args.database_url if not SCALE_PREFIX.match(u)]
    args.scale_database += [scale_override(u) for u in args.database_url if SCALE_PREFIX.match(u)]
    args.database_url = base[-1] if base else os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG)
    if args.scale_database and not args.scales:
        # One scale given its own database: measure it there.
        args.database_url = dict(args.scale_database).get(args.persons or REFERENCE_SCALE, args.database_url)
    unknown = set(args.skip) - set(SKIPPABLE)
    if unknown:
        parser.error(f"--skip: unknown {', '.join(sorted(unknown))} (choose from {', '.join(SKIPPABLE)})")
    if args.quick:
        args.sqlite = True
    args.persons = args.persons or (2000 if args.quick else REFERENCE_SCALE)
    args.requests = min(max(args.requests or (60 if args.quick else 300), 10), 5000)
    args.row_seconds = min(args.row_seconds or (60 if args.quick else 300), 3600)
    args.warmup = min(args.warmup if args.warmup is not None else (5 if args.quick else 30), 1000)
    args.clients = min(max(args.clients, 1), 200)
    args.load_seconds = min(args.load_seconds or (2 if args.quick else 15), 600)
    args.load_warmup = min(
        args.load_warmup if args.load_warmup is not None else (1 if args.quick else 3), 120
    )
    args.audit_seconds = min(args.audit_seconds or (2 if args.quick else 15), 600)
    if args.workers not in (1, 2) and "workers" not in args.skip:
        log("note: the worker comparison runs its own servers with 1 and 2 workers")
    return args


def main() -> None:
    argv = sys.argv[1:]
    args = parse_args(argv)
    if args.scales and args.json is None:
        multi(args, argv)
    else:
        single(args)


if __name__ == "__main__":
    main()
