"""Benchmark: OpenNRM's case page, case API, case list, the Centre case manager's home page and the
free-bed search (page and API) against a bare Django view on the same server.

    make bench                                   # PostgreSQL, 100,000 persons
    make bench BENCH_ARGS=--quick                # SQLite in a temporary file, 2,000 persons, fewer requests
    make bench BENCH_ARGS="--persons 1000000"    # the target scale

One run: create the database if missing (PostgreSQL at BENCH_DATABASE_URL or --database-url; never the
DATABASE_URL of your working instance), migrate, generate synthetic persons up to --persons (kept between
runs; --regenerate starts over), ensure a benchmark user (a Centre case manager, who sees every case),
start gunicorn on a free port of 127.0.0.1, log in through the real login form, time sequential
keep-alive requests, print a markdown table, write it to bench/results/latest.md and stop gunicorn.

The target at one million persons: p95 of every page and API call at most twice the p95 of the bare view.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import math
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/opennrm_bench"
BENCH_USER = "bench-casemanager"
HOST = "127.0.0.1"  # all benchmark traffic stays on this machine
# The free-bed search of a typical placement: an adult woman with one accompanying child, across all
# facilities. The page gets it as the search form submits it, the API as its query parameters.
FREE_BED_SEARCH = {"sex": "female", "children": 1}
FREE_BED_PAGE = "/facilities/?sex=female&children=1&specialisation="
FREE_BED_API = "/api/v1/facilities/?sex=female&children=1"
REQUEST_TIMEOUT = 60  # seconds, per request
START_TIMEOUT = 60  # seconds for gunicorn to answer /healthz
MIN_SAMPLES = 20  # measured requests per row before the time budget may stop it


def log(message: str) -> None:
    print(message, flush=True)


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


@dataclass
class Setup:
    persons: int
    generated: int = 0
    generation_seconds: float | None = None
    password: str = ""
    token: str = ""
    case_codes: list[str] = field(default_factory=list)
    engine: str = ""
    drift: list[str] = field(default_factory=list)
    # What the database holds beyond persons and cases (placements, plans, …), for the report.
    contents: dict[str, int] = field(default_factory=dict)
    free_beds: tuple[int, int] = (0, 0)  # facilities the free-bed search finds, of all facilities


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
    }


def prepare(args: argparse.Namespace) -> Setup:
    """Migrate, generate, create the benchmark user and pick cases, in this process (then disconnect)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from opennrm import policy
    from opennrm.accounts import services as account_services
    from opennrm.accounts.models import ApiToken, User
    from opennrm.accounts.roles import RoleCode
    from opennrm.cases.models import Case
    from opennrm.cases.services import centre_organisation
    from opennrm.demo import generator
    from opennrm.demo import services as demo_services
    from opennrm.people.models import Person
    from opennrm.shelters import selectors as shelter_selectors

    log("migrating …")
    call_command("migrate", verbosity=0, interactive=False)
    setup = Setup(persons=Person.objects.count(), engine=connection.vendor, drift=schema_drift())
    if setup.drift:
        log(f"WARNING: the database lacks {', '.join(setup.drift)}; run again with --regenerate")
    missing = args.persons - setup.persons
    if missing > 0:
        log(f"generating {missing:,} persons ({setup.persons:,} present) …")
        demo_services.organisations_ensure()
        started = time.monotonic()
        generator.generate(persons=missing, seed=args.seed + setup.persons, progress=log)
        setup.generation_seconds = time.monotonic() - started
        setup.generated = missing
        setup.persons += missing
    else:
        log(f"{setup.persons:,} persons present; generation skipped (use --regenerate to start over)")

    user = User.objects.filter(username=BENCH_USER).first()
    if user is None:
        user = account_services.user_create(
            actor=None,
            username=BENCH_USER,
            password=None,
            organisation=centre_organisation(),
            role_code=RoleCode.CENTRE_CASE_MANAGER,
            first_name="Bench",
            last_name="Casemanager",
        )
    # A fresh random password every run: the account exists only in the throwaway benchmark database.
    setup.password = secrets.token_urlsafe(18)
    user.set_password(setup.password)
    user.save(update_fields=["password"])
    for old in ApiToken.objects.filter(user=user, revoked_at__isnull=True):
        account_services.token_revoke(actor=None, token=old)
    _token, setup.token = account_services.token_create(actor=None, user=user, name="bench", days=1)

    # Random cases the user may see: random ids, kept only if the policy shows them to the user.
    rng = random.Random(args.seed)
    bounds = Case.objects.order_by("id").values_list("id", flat=True)
    low, high = bounds.first(), bounds.last()
    if low is None:
        raise SystemExit("no cases in the benchmark database")
    ids = [rng.randint(low, high) for _ in range(2000)]
    setup.case_codes = list(policy.visible_cases(user).filter(id__in=ids).values_list("code", flat=True))
    if not setup.case_codes:
        raise SystemExit("the benchmark user sees none of the sampled cases")
    setup.contents = contents()
    setup.free_beds = (
        shelter_selectors.free_beds_search(user=user, **FREE_BED_SEARCH).count(),
        shelter_selectors.facility_list(user=user).count(),
    )
    if not setup.free_beds[1]:
        raise SystemExit("the benchmark database has no facilities: run again with --regenerate")
    connection.close()
    return setup


# ---- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_gunicorn(*, port: int, workers: int, env: dict[str, str], logfile: Path) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [
        str(gunicorn), "config.wsgi:application",
        "--bind", f"{HOST}:{port}",
        "--workers", str(workers),
        # gthread keeps connections alive (the sync worker closes each one), as a proxy in front would.
        "--worker-class", "gthread", "--threads", "1", "--keep-alive", "75",
        "--timeout", "120", "--log-level", "warning",
    ]  # fmt: skip
    out = logfile.open("w")
    proc = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}; see {logfile}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    stop_gunicorn(proc)
    raise SystemExit(f"gunicorn did not answer within {START_TIMEOUT} s; see {logfile}")


def stop_gunicorn(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)  # the gunicorn master we started; it stops its own workers
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


# ---- the client ----------------------------------------------------------------------------------


class Client:
    """Sequential requests over one keep-alive connection (reconnecting if the server closed it)."""

    def __init__(self, port: int):
        self.port = port
        self.conn: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        return self.conn

    def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, body: str | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                break
            except (
                http.client.RemoteDisconnected,
                ConnectionResetError,
                BrokenPipeError,
                http.client.CannotSendRequest,
            ):
                conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        for value in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(value)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
            self.conn = None
        return response.status, dict(response.getheaders()), data

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def login(client: Client, *, username: str, password: str) -> None:
    """The real login: GET the form for its CSRF token, POST username and password, keep the session."""
    status, _h, body = client.request("GET", "/accounts/login/")
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or not match:
        raise SystemExit(f"login form not found (HTTP {status})")
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": match.group(1).decode(),
            "username": username,
            "password": password,
            "next": "/",
        }
    )
    status, headers, _b = client.request(
        "POST", "/accounts/login/", body=form, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    if status != 302 or "sessionid" not in client.cookies:
        raise SystemExit(f"login failed (HTTP {status}, redirect to {headers.get('Location')!r})")
    status, _h, _b = client.request("GET", "/")
    if status != 200:
        raise SystemExit(f"the home page answers {status} after login (2FA still required?)")


@dataclass
class Measure:
    name: str
    path: str
    samples: list[float] = field(default_factory=list)
    errors: int = 0
    truncated: bool = False  # stopped by the time budget

    def quantile(self, q: float) -> float:
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)] * 1000


def measure(
    client: Client,
    m: Measure,
    next_path: Callable[[], str],
    headers: dict[str, str],
    *,
    warmup: int,
    requests: int,
    budget: float,
) -> Measure:
    """Warm up, then time ``requests`` requests, or as many as fit in ``budget`` seconds.

    Warm-up gets at most a quarter of the budget; measuring stops at the budget once MIN_SAMPLES are
    in, and at twice the budget in any case."""
    started_row = time.monotonic()

    def get() -> float | None:
        path = next_path()
        started = time.perf_counter()
        status, _h, _b = client.request("GET", path, headers=headers)
        elapsed = time.perf_counter() - started
        if status == 200:
            return elapsed
        m.errors += 1
        if m.errors > max(3, requests // 20):
            raise SystemExit(f"{m.name}: too many errors (last: HTTP {status} for {path})")
        return None

    for _ in range(warmup):
        if time.monotonic() - started_row > budget / 4:
            break
        get()
    measuring = time.monotonic()
    while len(m.samples) < requests:
        spent = time.monotonic() - measuring
        if (spent > budget and len(m.samples) >= MIN_SAMPLES) or spent > 2 * budget:
            m.truncated = True
            break
        elapsed = get()
        if elapsed is not None:
            m.samples.append(elapsed)
    return m


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


def report(results: list[Measure], setup: Setup, args: argparse.Namespace, code: str) -> str:
    import django

    bare = results[0].quantile(0.95)
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"# OpenNRM benchmark, {now}",
        "",
        f"- data: {setup.persons:,} persons on {setup.engine}"
        + (
            f"; generated {setup.generated:,} in {setup.generation_seconds:.0f} s "
            f"({setup.generated / setup.generation_seconds:,.0f} persons/s)"
            if setup.generation_seconds
            else "; generation skipped (data already present)"
        ),
        f"- server: gunicorn, {args.workers} workers (gthread, keep-alive), OPENNRM_MODE=demo, "
        f"Python {platform.python_version()}, Django {django.get_version()}, {os.cpu_count()} CPUs; code {code}",
        f"- method: sequential requests from one client on 127.0.0.1, {args.warmup} warm-up + {args.requests} "
        f"measured per row; case rows use random cases the user may see (a Centre case manager)",
        "- contents: " + ", ".join(f"{n:,} {name}" for name, n in setup.contents.items()),
        f"- free-bed search (an adult woman with one accompanying child): {setup.free_beds[0]} of "
        f"{setup.free_beds[1]} facilities",
        "- target (at 1,000,000 persons): p95 ≤ 2 × p95 of the bare view",
        *(
            [
                f"- **warning**: the database lacks {', '.join(setup.drift)} (built before a migration was edited; "
                "use --regenerate)"
            ]
            if setup.drift
            else []
        ),
        "",
        "| endpoint | path | requests | p50 ms | p95 ms | p95 / p95(bare) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for m in results:
        p95 = m.quantile(0.95)
        lines.append(
            f"| {m.name} | `{m.path}` | {len(m.samples)}{'*' if m.truncated else ''} | {m.quantile(0.5):.1f} "
            f"| {p95:.1f} | {p95 / bare:.1f}× |"
        )
    if any(m.truncated for m in results):
        lines += ["", f"\\* stopped by the time budget of {args.row_seconds:.0f} s per row."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=None, help="persons in the database (default 100000)")
    parser.add_argument(
        "--sqlite", action="store_true", help="use a temporary SQLite file instead of PostgreSQL"
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: SQLite, 2,000 persons, 100 requests per row"
    )
    parser.add_argument(
        "--regenerate", action="store_true", help="drop the benchmark database and generate again"
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG))
    parser.add_argument("--requests", type=int, default=None, help="measured requests per row (default 300)")
    parser.add_argument("--warmup", type=int, default=None, help="warm-up requests per row (default 30)")
    parser.add_argument(
        "--row-seconds",
        type=float,
        default=None,
        help="time budget per row in seconds (default 300, quick 60)",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.quick:
        args.sqlite = True
    args.persons = args.persons or (2000 if args.quick else 100_000)
    args.requests = min(max(args.requests or (100 if args.quick else 300), 10), 5000)
    args.row_seconds = min(args.row_seconds or (60 if args.quick else 300), 3600)
    args.warmup = min(args.warmup if args.warmup is not None else (10 if args.quick else 30), 1000)

    tmpdir = None
    if args.sqlite:
        tmpdir = Path(tempfile.mkdtemp(prefix="opennrm-bench-"))
        database_url = f"sqlite:///{tmpdir / 'bench.sqlite3'}"
    else:
        database_url = args.database_url
        ensure_postgres_database(database_url, regenerate=args.regenerate)
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": database_url,
        "OPENNRM_MODE": "demo",
        "OPENNRM_REQUIRE_2FA": "0",
        "OPENNRM_BENCH": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    })  # fmt: skip
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))

    proc = None
    try:
        setup = prepare(args)
        port = free_port()
        RESULTS.mkdir(parents=True, exist_ok=True)
        log(f"starting gunicorn on {HOST}:{port} …")
        code = code_version()  # what the server is about to load
        proc = start_gunicorn(port=port, workers=args.workers, env=env, logfile=RESULTS / "gunicorn.log")
        client = Client(port)  # the browser: a session from the login form
        login(client, username=BENCH_USER, password=setup.password)
        api_client = Client(port)  # an API client: a personal token, no cookies
        rng = random.Random(args.seed)
        api = {"Authorization": f"Bearer {setup.token}", "Accept": "application/json"}
        session = {"Accept": "text/html"}

        def a_case() -> str:
            return rng.choice(setup.case_codes)

        rows = [
            ("bare Django view (baseline)", "/bench/bare", lambda: "/bench/bare", client, session),
            # Context for the target: the cheapest authenticated call (token lookup, user, role, JSON).
            ("minimal authenticated API", "/api/v1/me/", lambda: "/api/v1/me/", api_client, api),
            ("case page", "/cases/<code>/", lambda: f"/cases/{a_case()}/", client, session),
            ("case API", "/api/v1/cases/<code>/", lambda: f"/api/v1/cases/{a_case()}/", api_client, api),
            ("case list page", "/cases/", lambda: "/cases/", client, session),
            ("Centre case manager's home page", "/", lambda: "/", client, session),
            ("free-bed search page", FREE_BED_PAGE, lambda: FREE_BED_PAGE, client, session),
            ("free-bed search API", FREE_BED_API, lambda: FREE_BED_API, api_client, api),
        ]
        results = []
        for name, shown, next_path, row_client, headers in rows:
            log(f"measuring {name} …")
            results.append(
                measure(
                    row_client,
                    Measure(name, shown),
                    next_path,
                    headers,
                    warmup=args.warmup,
                    requests=args.requests,
                    budget=args.row_seconds,
                )
            )
        client.close()
        api_client.close()
        table = report(results, setup, args, code)
        (RESULTS / "latest.md").write_text(table)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        (RESULTS / f"{stamp}-{setup.engine}-{setup.persons}.md").write_text(table)
        print()
        print(table)
        log(f"written to {RESULTS / 'latest.md'}")
    finally:
        if proc is not None:
            stop_gunicorn(proc)
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)


if __name__ == "__main__":
    main()
