"""How many audit entries per second the hash chain sustains, appended as requests append them.

bench/run.py starts ``processes`` copies of this script at once (``--child``), each with Django set up
on the benchmark database. Each child waits for a common start time, then for ``--seconds`` appends
batches through the real path: inside ``audit_batch()`` (what AuditBatchMiddleware wraps a request
in) it calls ``audit_record`` once per entry of a template batch (the entries one case page request
wrote, captured by bench/run.py), so every batch takes one head lock and one INSERT, like a request.
Each child says when it is ready, starts when the parent says so, and prints its counts as JSON;
the parent adds them up and then runs ``opennrm audit verify``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
START_DELAY = 0.2  # seconds from "all ready" to the common start


def child(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from opennrm.accounts.models import User
    from opennrm.audit import services
    from opennrm.core import request_context

    template: list[dict[str, Any]] = json.loads(Path(args.template).read_text())
    actor = User.objects.select_related("organisation").get(username=args.actor)
    connection.ensure_connection()
    token = request_context.set_current(request_context.RequestInfo(ip="127.0.0.1", channel="web", memo={}))
    entries = batches = 0
    # Ready (Django imported, connected): the parent answers with the common start time once every
    # child is ready, so that none appends alone while another is still starting.
    print("ready", flush=True)
    start = float(sys.stdin.readline())
    time.sleep(max(0.0, start - time.time()))
    began = time.monotonic()
    deadline = began + args.seconds
    while time.monotonic() < deadline:
        with services.audit_batch():
            for values in template:
                services.audit_record(actor=actor, **values)
        entries += len(template)
        batches += 1
    elapsed = time.monotonic() - began
    request_context.reset(token)
    print(
        json.dumps(
            {
                "entries": entries,
                "batches": batches,
                "seconds": elapsed,
                "stream": services._stream(),  # which chain this process appended to (private, but the point)
            }
        )
    )


def run(*, processes: int, seconds: float, template: Path, actor: str, env: dict[str, str]) -> dict[str, Any]:
    """Start the children together and add up what they appended."""
    command = [
        sys.executable,
        str(Path(__file__)),
        "--child",
        "--seconds",
        str(seconds),
        "--template",
        str(template),
        "--actor",
        actor,
    ]
    procs = [
        subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    try:
        for proc in procs:
            line = "start"
            while line and line.strip() != "ready":  # anything Django printed before is not ours
                line = proc.stdout.readline()
            if not line:
                raise SystemExit(f"audit load child did not start:\n{proc.stderr.read()[-2000:]}")
        start = time.time() + START_DELAY
        for proc in procs:
            proc.stdin.write(f"{start}\n")
            proc.stdin.flush()
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=START_DELAY + seconds + 120)
            if proc.returncode:
                raise SystemExit(f"audit load child failed ({proc.returncode}):\n{err[-2000:]}")
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    entries = sum(r["entries"] for r in results)
    wall = max(r["seconds"] for r in results)
    return {
        "processes": processes,
        "entries": entries,
        "batches": sum(r["batches"] for r in results),
        "seconds": wall,
        "entries_per_second": entries / wall if wall else 0.0,
        "streams": [r["stream"] for r in results],
    }


def verify(env: dict[str, str]) -> dict[str, Any]:
    """``opennrm audit verify`` on the benchmark database, as an operator would run it."""
    started = time.monotonic()
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "opennrm"), "audit", "verify"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    return {
        "ok": proc.returncode == 0,
        "output": (proc.stdout.strip() or proc.stderr.strip()).splitlines()[-1:] or [""],
        "seconds": time.monotonic() - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--child", action="store_true", required=True, help="run as a measuring child")
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--template", required=True, help="JSON list of audit_record arguments")
    parser.add_argument("--actor", required=True, help="username of the acting user")
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        raise SystemExit("DATABASE_URL is not set: run through bench/run.py")
    child(args)


if __name__ == "__main__":
    main()
