"""The benchmark's HTTP side: gunicorn, a keep-alive client, sequential and concurrent measurement, and
the CPU that the client, the server and the rest of the machine used meanwhile.

Used by bench/run.py. Threads over http.client keep the load generator cheap enough to share the
server's two cores: it parses responses and sleeps on sockets, and the report says what it cost.
"""

from __future__ import annotations

import http.client
import math
import os
import random
import re
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # all benchmark traffic stays on this machine
REQUEST_TIMEOUT = 60  # seconds, per request
START_TIMEOUT = 60  # seconds for gunicorn to answer /healthz
MIN_SAMPLES = 20  # measured requests per row before the time budget may stop it
# Set by the server-side hook proposed in bench/README.md; absent, the in-process count is reported.
QUERY_HEADER = "x-bench-queries"
CLK_TCK = os.sysconf("SC_CLK_TCK")

PathFn = Callable[[random.Random], str]


class Paths:
    """A row's paths, one chosen at random per request; the sequential warm-up opens each once."""

    def __init__(self, paths: list[str]):
        self.all = list(paths)

    def __call__(self, rng: random.Random) -> str:
        return rng.choice(self.all)


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
                # The workers answer /healthz one by one; wait until all of them have booted, so that
                # the first measured row does not pay for an import.
                while len(worker_pids(proc.pid)) < workers and time.monotonic() < deadline:
                    time.sleep(0.2)
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


# ---- CPU accounting ------------------------------------------------------------------------------


def worker_pids(master: int) -> list[int]:
    """The processes whose parent is the gunicorn master (its workers)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may contain spaces: split after the last ")".
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == master:
            pids.append(int(entry))
    return sorted(pids)


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used, 0 if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    total = sum(values[:8])  # user nice system idle iowait irq softirq steal (guest is inside user)
    idle = values[3] + values[4]
    return (total - idle) / CLK_TCK, total / CLK_TCK


def self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread of this process: the client
    return usage.ru_utime + usage.ru_stime


class Probe:
    """Where the CPU goes: the gunicorn master's workers and, on PostgreSQL, the backends connected to
    the benchmark database (found through pg_stat_activity, read from /proc: the server is local)."""

    def __init__(self, master: int | None, database_url: str | None = None):
        self.master = master
        self.conn = None
        if database_url and database_url.startswith(("postgres://", "postgresql://")):
            import psycopg

            try:
                self.conn = psycopg.connect(database_url, autocommit=True, connect_timeout=5)
            except psycopg.Error:
                self.conn = None  # the report then counts PostgreSQL under "other"

    def backends(self) -> list[int]:
        if self.conn is None:
            return []
        rows = self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
        return [r[0] for r in rows]

    def snapshot(self) -> CpuSnapshot:
        workers = worker_pids(self.master) if self.master else []
        return CpuSnapshot(
            time.monotonic(),
            self_cpu(),
            {p: process_cpu(p) for p in workers},
            {p: process_cpu(p) for p in self.backends()},
            machine_cpu()[0],
        )

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


@dataclass
class CpuSnapshot:
    at: float
    client: float
    workers: dict[int, float]
    backends: dict[int, float]
    machine_busy: float


@dataclass
class CpuUse:
    """CPU used over an interval, in cores (1.0 = one core busy all the time)."""

    seconds: float = 0.0
    client: float = 0.0
    server: float = 0.0
    per_worker: list[float] = field(default_factory=list)  # CPU seconds of each worker
    database: float = 0.0  # PostgreSQL backends of the benchmark database
    machine: float = 0.0
    # Backends of the benchmark database that appeared during the interval: the workers' reconnections
    # (CONN_MAX_AGE), after each of which prepared statements are prepared again.
    new_connections: int = 0

    @property
    def other(self) -> float:
        """Whatever else ran on the machine (other databases, other people's work)."""
        return max(0.0, self.machine - self.client - self.server - self.database)

    @classmethod
    def between(cls, a: CpuSnapshot, b: CpuSnapshot) -> CpuUse:
        seconds = max(b.at - a.at, 1e-9)
        per_worker = [b.workers[p] - a.workers.get(p, 0.0) for p in sorted(b.workers)]
        # A backend that connected during the interval counts whole; one that left is lost (rare: the
        # workers keep their connections, CONN_MAX_AGE).
        database = sum(b.backends[p] - a.backends.get(p, 0.0) for p in b.backends)
        return cls(
            seconds=seconds,
            client=(b.client - a.client) / seconds,
            server=sum(per_worker) / seconds,
            per_worker=per_worker,
            database=database / seconds,
            machine=(b.machine_busy - a.machine_busy) / seconds,
            new_connections=len(set(b.backends) - set(a.backends)),
        )

    def as_dict(self) -> dict:
        return {
            "seconds": self.seconds,
            "client": self.client,
            "server": self.server,
            "per_worker": self.per_worker,
            "database": self.database,
            "machine": self.machine,
            "other": self.other,
            "new_connections": self.new_connections,
        }


# ---- the client ----------------------------------------------------------------------------------


class Client:
    """Requests over one keep-alive connection (reconnecting if the server closed it), with cookies."""

    def __init__(self, port: int, headers: dict[str, str] | None = None):
        self.port = port
        self.conn: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}
        self.headers = dict(headers or {})  # sent with every request (Accept, Authorization)

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        return self.conn

    def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, body: str | None = None
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        headers = {**self.headers, **(headers or {})}
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
                # A keep-alive connection the server closed while idle: one retry on a new one.
                conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        for value in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(value)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        if (response.getheader("Connection") or "").lower() == "close":
            conn.close()
            self.conn = None
        return response.status, response.headers, data

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


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
        raise SystemExit(
            f"login of {username} failed (HTTP {status}, redirect to {headers.get('Location')!r})"
        )
    status, _h, _b = client.request("GET", "/")
    if status != 200:
        raise SystemExit(f"the home page answers {status} after login of {username} (2FA still required?)")


# ---- measurement ---------------------------------------------------------------------------------


@dataclass
class Measure:
    samples: list[float] = field(default_factory=list)  # seconds
    errors: int = 0
    last_error: str = ""
    truncated: bool = False  # stopped by the time budget
    wall: float = 0.0  # seconds of the measured phase (for req/s)
    queries: list[int] = field(default_factory=list)  # from the server's header, when it sends one
    cpu: CpuUse | None = None
    clients: int = 1
    first: float | None = None  # seconds of the row's first request (sequential warm-up)

    def quantile(self, q: float) -> float:
        """Nearest-rank quantile in milliseconds (nan without samples)."""
        if not self.samples:
            return math.nan
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)] * 1000

    @property
    def rps(self) -> float:
        return len(self.samples) / self.wall if self.wall else math.nan

    def as_dict(self) -> dict:
        return {
            "n": len(self.samples),
            "errors": self.errors,
            "last_error": self.last_error,
            "truncated": self.truncated,
            "clients": self.clients,
            "p50": self.quantile(0.5),
            "p95": self.quantile(0.95),
            "p99": self.quantile(0.99),
            "rps": self.rps,
            "first": self.first * 1000 if self.first is not None else None,
            "queries": sorted(self.queries)[len(self.queries) // 2] if self.queries else None,
            "cpu": self.cpu.as_dict() if self.cpu else None,
        }


def _queries(headers: http.client.HTTPMessage) -> int | None:
    value = headers.get(QUERY_HEADER)
    return int(value) if value and value.isdigit() else None


def measure_sequential(
    client: Client,
    paths: PathFn,
    rng: random.Random,
    *,
    warmup: int,
    requests: int,
    budget: float,
    name: str,
    headers: dict[str, str] | None = None,
    probe: Probe | None = None,
) -> Measure:
    """Warm up, then time ``requests`` requests one after the other, or as many as fit in ``budget``.

    Warm-up gets at most a quarter of the budget; measuring stops at the budget once MIN_SAMPLES are
    in, and at twice the budget in any case. The first request is kept apart (``first``): on
    PostgreSQL with prepared statements it also pays for the row's statements being new to the
    worker's connection, which the warm-up is there to absorb."""
    m = Measure()
    started_row = time.monotonic()

    def get(path: str | None = None) -> float | None:
        path = path or paths(rng)
        started = time.perf_counter()
        status, response_headers, _b = client.request("GET", path, headers=headers)
        elapsed = time.perf_counter() - started
        if status == 200:
            count = _queries(response_headers)
            if count is not None:
                m.queries.append(count)
            return elapsed
        m.errors += 1
        m.last_error = f"HTTP {status} for {path}"
        if m.errors > max(3, requests // 20):
            raise SystemExit(f"{name}: too many errors (last: {m.last_error})")
        return None

    every = list(getattr(paths, "all", []))
    for i in range(max(warmup, len(every))):
        if time.monotonic() - started_row > budget / 2:
            break
        elapsed = get() if i >= len(every) else get(every[i])
        if m.first is None:
            m.first = elapsed
    m.queries.clear()
    before = probe.snapshot() if probe else None
    measuring = time.monotonic()
    while len(m.samples) < requests:
        spent = time.monotonic() - measuring
        if (spent > budget and len(m.samples) >= MIN_SAMPLES) or spent > 2 * budget:
            m.truncated = True
            break
        elapsed = get()
        if elapsed is not None:
            m.samples.append(elapsed)
            if m.first is None:  # no warm-up
                m.first = elapsed
    m.wall = time.monotonic() - measuring
    if probe and before:
        m.cpu = CpuUse.between(before, probe.snapshot())
    return m


def measure_concurrent(
    clients: list[Client],
    paths: PathFn,
    *,
    seed: int,
    warmup_seconds: float,
    seconds: float,
    probe: Probe,
    headers: dict[str, str] | None = None,
) -> Measure:
    """Every client in its own thread sends requests back to back: ``warmup_seconds`` not counted, then
    ``seconds`` measured. Latencies are those of requests started in the measured window; req/s is
    their number over the time from the window's start to the last of them finishing."""
    m = Measure(clients=len(clients))
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients) + 1)
    window: dict[str, float] = {}
    finished: list[float] = []

    def run(index: int, client: Client) -> None:
        rng = random.Random(seed * 1000 + index)
        samples: list[float] = []
        queries: list[int] = []
        errors, last_error, last_end = 0, "", 0.0
        barrier.wait()
        start, end = window["start"], window["end"]
        while True:
            now = time.perf_counter()
            if now >= end:
                break
            path = paths(rng)
            try:
                status, response_headers, _b = client.request("GET", path, headers=headers)
            except Exception as exc:  # any failure is this request's error, never the thread's end
                status, response_headers = 0, None
                last_error = f"{type(exc).__name__} for {path}"
                client.close()
            done = time.perf_counter()
            if now < start:
                continue  # warm-up
            if status == 200:
                samples.append(done - now)
                last_end = done
                count = _queries(response_headers) if response_headers is not None else None
                if count is not None:
                    queries.append(count)
            else:
                errors += 1
                last_error = last_error if status == 0 else f"HTTP {status} for {path}"
        with lock:
            m.samples += samples
            m.queries += queries
            m.errors += errors
            m.last_error = last_error or m.last_error
            finished.append(last_end)

    threads = [threading.Thread(target=run, args=(i, c), daemon=True) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    now = time.perf_counter()
    window["start"] = now + warmup_seconds
    window["end"] = now + warmup_seconds + seconds
    barrier.wait()
    time.sleep(max(0.0, window["start"] - time.perf_counter()))
    before = probe.snapshot()
    time.sleep(max(0.0, window["end"] - time.perf_counter()))
    after = probe.snapshot()
    for t in threads:
        t.join(timeout=REQUEST_TIMEOUT + 5)
    m.cpu = CpuUse.between(before, after)
    m.wall = max([*finished, window["end"]]) - window["start"]
    return m


def parallel(functions: list[Callable[[], None]]) -> None:
    """Run the calls in threads (logins of a session pool) and re-raise the first failure."""
    failures: list[BaseException] = []

    def call(f: Callable[[], None]) -> None:
        try:
            f()
        except BaseException as exc:  # SystemExit too: re-raised in the caller's thread
            failures.append(exc)

    threads = [threading.Thread(target=call, args=(f,), daemon=True) for f in functions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise failures[0]
