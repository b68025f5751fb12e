"""The benchmark's markdown report, from the result dicts bench/run.py collects (one per scale).

Pure functions of those dicts, so that a --scales run can write the report of results measured in
other processes.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import platform

# The targets.
CASE_TARGET = 5.0  # p95 of the case page and case API ≤ 5 × p95 of /api/v1/me/
HOME_TARGET = 8.0  # p95 of the home pages ≤ 8 × p95 of /api/v1/me/
SCALE_TARGET = 1.3  # p95 at 1,000,000 persons ≤ 1.3 × p95 at 100,000
WORKERS_TARGET = 1.6  # case API req/s with 2 workers ≥ 1.6 × with 1 worker
SCALE_PAIR = (100_000, 1_000_000)

Check = tuple[str, str, str, bool | None]  # what, measured, limit, holds (None: no target)


def scale_label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def role_label(role: str) -> str:
    return role.replace("_", " ")


def ms(value: float | None) -> str:
    return "—" if value is None or math.isnan(value) else f"{value:.1f}"


def ratio(a: float | None, b: float | None) -> float:
    if a is None or b is None or not b or math.isnan(a) or math.isnan(b):
        return math.nan
    return a / b


def times(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.1f}×"


def cores(value: float) -> str:
    return f"{value:.2f}"


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("**holds**" if ok else "**fails**")


def table(head: list[str], align: str, body: list[list[str]]) -> list[str]:
    """A markdown table; ``align`` has one letter per column: l (left) or r (right)."""
    rule = "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|"
    return [f"| {' | '.join(head)} |", rule, *(f"| {' | '.join(cells)} |" for cells in body)]


def check(row: dict, phase: str, me: float | None) -> tuple[float, bool | None]:
    """(p95 / p95 of /api/v1/me/, whether the row's target holds) in one phase (seq or load)."""
    stats = row[phase]
    value = ratio(stats["p95"], me) if stats else math.nan
    if row["target"] is None or math.isnan(value):
        return value, None
    return value, value <= row["target"]


def target_cell(row: dict, ok: bool | None) -> str:
    if row["target"] is None:
        return ""
    return f"≤ {row['target']:g}× me: {verdict(ok)}"


def header(clients: int) -> str:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join(
        [
            f"# OpenNRM benchmark, {now}",
            "",
            f"Targets: p95 of the case page and the case API ≤ {CASE_TARGET:g}× p95 of `/api/v1/me/`, "
            f"of the nine roles' home pages ≤ {HOME_TARGET:g}×, sequentially and with {clients} "
            f"concurrent clients; p95 at 1,000,000 persons ≤ {SCALE_TARGET}× at 100,000; case API "
            f"req/s with 2 workers ≥ {WORKERS_TARGET}× with 1. The machine may be shared: numbers "
            "measured while other work runs are indicative only (the CPU figures say how busy it was).",
            "",
        ]
    )


def _setup_lines(result: dict) -> list[str]:
    s, a, cpu = result["setup"], result["args"], result["seq_cpu"]
    generated = (
        f"generated {s['generated']:,} in {s['generation_seconds']:.0f} s "
        f"({s['generated'] / s['generation_seconds']:,.0f} persons/s)"
        if s["generation_seconds"]
        else "generation skipped (data already present)"
    )
    database = (
        f"PostgreSQL (this database's backends) {cores(cpu['database'])}, "
        if s["engine"] == "postgresql"
        else ""
    )
    richness = ", ".join(
        f"{s['richness']['random'][k]:.1f} / {s['richness']['rich'][k]:.1f} {k}"
        for k in s["richness"]["random"]
    )
    lines = [
        f"- data: {s['persons']:,} persons; {generated}; database `{result['database']}`",
        "- contents: " + ", ".join(f"{n:,} {name}" for name, n in s["contents"].items()),
        f"- server: gunicorn, {result['workers']} workers (gthread, 1 thread, keep-alive), "
        f"OPENNRM_MODE=demo, Python {platform.python_version()}, Django {result['django']}, "
        f"{os.cpu_count()} CPUs; code {result['code']}",
        f"- sequential: one client on 127.0.0.1, {a['warmup']} warm-up + {a['requests']} measured "
        f"requests per row (at most {a['row_seconds']:.0f} s); the random case rows measure "
        f"{result.get('measured_cases', '?')} of the random cases, each opened once in the warm-up",
        f"- cache: machine memory {result.get('memory_mb', 0):,} MB, of it cached now "
        f"{result.get('cached_mb', 0):,} MB; the database is {s['contents'].get('MB of database', 0):,} MB",
        f"- machine: load average {result['loadavg']} at the start; during the sequential rows the "
        f"client used {cores(cpu['client'])} cores, gunicorn {cores(cpu['server'])}, {database}"
        f"everything else on the machine {cores(cpu['other'])}, of {os.cpu_count()}",
        f"- free-bed search (an adult woman with one accompanying child): {s['free_beds'][0]} of "
        f"{s['free_beds'][1]} facilities; referral inbox of the {role_label(s['referral_role'])}: "
        f"{s['referral_rows']} rows; service-provider inbox of the {role_label(s['services_role'])}: "
        f"{s['services_rows']} open requests",
        f"- cases: {len(s['random_codes'])} random cases the case manager sees, and the "
        f"{len(s['rich_codes'])} richest of them; per case on average (random / rich): {richness}",
    ]
    if s["drift"]:
        lines.append(
            f"- **warning**: the database lacks {', '.join(s['drift'])} (built before a migration was "
            "edited; use --regenerate)"
        )
    users = [
        [role_label(u["role"]), f"`{u['username']}`", u["organisation"], f"{u['involvements']:,}"]
        for u in s["users"].values()
    ]
    return [
        *lines,
        "",
        "Benchmark users (a fresh random password and token each run):",
        "",
        *table(["role", "user", "organisation", "active involvements"], "lllr", users),
    ]


def _sequential_lines(result: dict) -> list[str]:
    rows = {r["key"]: r for r in result["rows"]}
    me, bare = rows["me"]["seq"]["p95"], rows["bare"]["seq"]["p95"]
    source = " and ".join(sorted({r["queries_source"] for r in result["rows"]} - {""})) or "not counted"
    body = []
    for r in result["rows"]:
        st = r["seq"]
        value, ok = check(r, "seq", me)
        body.append(
            [
                r["name"],
                f"`{r['path']}`",
                role_label(r["role"]),
                r["queries"],
                f"{st['n']}{'*' if st['truncated'] else ''}",
                ms(st["p50"]),
                ms(st["p95"]),
                ms(st["p99"]),
                f"{st['rps']:.0f}",
                times(value),
                times(ratio(st["p95"], bare)),
                target_cell(r, ok),
            ]
        )
    head = ["row", "path", "user", "queries", "requests", "p50 ms", "p95 ms", "p99 ms", "req/s"]
    lines = [
        "",
        "### Sequential (one client)",
        "",
        f"queries: SQL queries per request ({source}; a range when the requests differ).",
        "",
        *table([*head, "p95 / me", "p95 / bare", "target"], "llllrrrrrrrl", body),
    ]
    if any(r["seq"]["truncated"] for r in result["rows"]):
        lines += ["", f"\\* stopped by the time budget of {result['args']['row_seconds']:.0f} s per row."]
    return lines


def _load_lines(result: dict) -> list[str]:
    loaded = [r for r in result["rows"] if r["load"]]
    if not loaded:
        return []
    rows = {r["key"]: r for r in result["rows"]}
    a = result["args"]
    me, bare = rows["me"]["load"]["p95"], rows["bare"]["load"]["p95"]
    client = [r["load"]["cpu"]["client"] for r in loaded]
    body = []
    for r in loaded:
        st, cpu = r["load"], r["load"]["cpu"]
        value, ok = check(r, "load", me)
        body.append(
            [
                r["name"],
                role_label(r["role"]),
                str(st["n"]),
                str(st["errors"]),
                ms(st["p50"]),
                ms(st["p95"]),
                ms(st["p99"]),
                f"{st['rps']:.0f}",
                times(value),
                times(ratio(st["p95"], bare)),
                target_cell(r, ok),
                cores(cpu["client"]),
                cores(cpu["server"]),
                cores(cpu["database"]),
                cores(cpu["other"]),
            ]
        )
    head = ["row", "user", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "req/s", "p95 / me"]
    head += ["p95 / bare", "target", "client", "gunicorn", "PostgreSQL", "other"]
    return [
        "",
        f"### Under load ({a['clients']} concurrent clients)",
        "",
        "Each client its own keep-alive connection and its own session (logged in through the form) or "
        f"token; {a['load_warmup']:g} s warm-up, then {a['load_seconds']:g} s measured per row; req/s of "
        "all clients together; ratios against the baselines under the same load. CPU in cores over the "
        "measured window: client (this harness's threads), gunicorn (its workers), PostgreSQL (the "
        "backends connected to this database), other (everything else on the machine). **The load "
        f"generator used {min(client):.2f}–{max(client):.2f} cores (mean "
        f"{sum(client) / len(client):.2f}).**",
        "",
        *table(head, "llrrrrrrrrlrrrr", body),
    ]


def _workers_lines(result: dict) -> list[str]:
    runs = result.get("workers_runs")
    if not runs:
        return []
    body = [
        [
            str(run["workers"]),
            str(run["n"]),
            f"{run['rps']:.0f}",
            ms(run["p50"]),
            ms(run["p95"]),
            ms(run["p99"]),
            " / ".join(f"{x:.1f}" for x in run["cpu"]["per_worker"]),
            cores(run["cpu"]["client"]),
            cores(run["cpu"]["server"]),
            cores(run["cpu"]["database"]),
            cores(run["cpu"]["other"]),
        ]
        for run in runs
    ]
    value = ratio(runs[1]["rps"], runs[0]["rps"])
    head = ["gunicorn workers", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "CPU s per worker"]
    return [
        "",
        f"### Workers (case API, random cases, {result['args']['clients']} concurrent clients)",
        "",
        *table([*head, "client", "gunicorn", "PostgreSQL", "other"], "rrrrrrlrrrr", body),
        "",
        f"req/s with 2 workers / with 1: **{value:.2f}×** (target ≥ {WORKERS_TARGET}×: "
        f"{verdict(None if math.isnan(value) else value >= WORKERS_TARGET)}).",
    ]


def _audit_lines(result: dict) -> list[str]:
    audit = result.get("audit")
    if not audit:
        return []
    kinds = sorted({f"{e['action']} {e['object_type']}".strip() for e in audit["template"]})
    body = []
    for run in audit["runs"]:
        streams = run["streams"]
        shared = " (shared: one head lock)" if len(set(streams)) < len(streams) else ""
        body.append(
            [
                str(run["processes"]),
                f"{run['entries']:,}",
                f"{run['batches']:,}",
                f"{run['seconds']:.1f}",
                f"{run['entries_per_second']:,.0f}",
                ", ".join(map(str, streams)) + shared,
            ]
        )
    v = audit["verify"]
    return [
        "",
        "### Audit chain",
        "",
        "Processes appending through `audit_record` inside `audit_batch()` (as AuditBatchMiddleware "
        f"does), in batches of {len(audit['template'])} entries (those of one case page request: "
        f"{', '.join(kinds)}), {result['args']['audit_seconds']:g} s each, on "
        f"{result['setup']['engine']}, with the server stopped.",
        "",
        *table(["processes", "entries", "batches", "seconds", "entries/s", "streams"], "rrrrrl", body),
        "",
        f"`opennrm audit verify` afterwards: {'passes' if v['ok'] else '**fails**'} ({v['output'][0]}; "
        f"{v['seconds']:.1f} s).",
    ]


def scale_report(result: dict) -> str:
    """The markdown of one scale."""
    s = result["setup"]
    lines = [
        f"## {s['persons']:,} persons on {s['engine']}",
        "",
        *_setup_lines(result),
        *_sequential_lines(result),
        *_load_lines(result),
        *_workers_lines(result),
        *_audit_lines(result),
    ]
    return "\n".join(lines) + "\n"


def targets(result: dict) -> list[Check]:
    """Every target of one scale."""
    rows = {r["key"]: r for r in result["rows"]}
    out: list[Check] = []
    for phase, label in (("seq", "sequential"), ("load", f"{result['args']['clients']} clients")):
        me = rows["me"][phase]["p95"] if rows["me"][phase] else None
        for r in result["rows"]:
            if r["target"] is None or not r[phase]:
                continue
            value, ok = check(r, phase, me)
            out.append((f"{r['name']}, {label}: p95 / p95(me)", times(value), f"≤ {r['target']:g}×", ok))
    if result.get("workers_runs"):
        w = result["workers_runs"]
        value = ratio(w[1]["rps"], w[0]["rps"])
        ok = None if math.isnan(value) else value >= WORKERS_TARGET
        out.append(("case API req/s, 2 workers / 1 worker", f"{value:.2f}×", f"≥ {WORKERS_TARGET}×", ok))
    if result.get("audit"):
        v = result["audit"]["verify"]
        out.append(
            (
                "`opennrm audit verify` after the audit load",
                "passes" if v["ok"] else "fails",
                "passes",
                v["ok"],
            )
        )
    return out


def targets_table(items: list[Check], heading: str) -> str:
    held = sum(1 for *_x, ok in items if ok)
    judged = sum(1 for *_x, ok in items if ok is not None)
    body = [[what, value, limit, verdict(ok)] for what, value, limit, ok in items]
    lines = [
        f"## {heading}: {held} of {judged} hold",
        "",
        *table(["target", "measured", "limit", "holds"], "lrrl", body),
    ]
    return "\n".join(lines) + "\n"


def scale_table(results: list[tuple[int, dict]]) -> tuple[str, list[Check]]:
    """Every row's p95 at every scale, and the ratio 1M / 100k where both ran (else, without a target,
    the ratio of the two largest scales: the growth of the last step is still telling)."""
    scales = [n for n, _r in results]
    if len(scales) < 2:
        return "", []
    by_scale = {n: {r["key"]: r for r in res["rows"]} for n, res in results}
    pair = SCALE_PAIR if all(n in scales for n in SCALE_PAIR) else (scales[-2], scales[-1])
    head = ["row", *(f"p95 ms @ {scale_label(n)}" for n in scales)]
    head += [f"{scale_label(pair[1])} / {scale_label(pair[0])}", "holds"]
    body: list[list[str]] = []
    checks: list[Check] = []
    for phase, suffix in (("seq", ""), ("load", " (under load)")):
        for r in results[0][1]["rows"]:
            if not r[phase]:
                continue
            values = [by_scale[n].get(r["key"], {}).get(phase) for n in scales]
            low, high = (by_scale[n].get(r["key"], {}).get(phase) for n in pair)
            value = ratio(high["p95"], low["p95"]) if low and high else math.nan
            judged = pair == SCALE_PAIR and r["group"] != "baseline" and not math.isnan(value)
            ok = value <= SCALE_TARGET if judged else None
            body.append([f"{r['name']}{suffix}", *(ms(v["p95"]) if v else "—" for v in values), times(value)])
            body[-1].append(verdict(ok))
            if ok is not None:
                checks.append((f"{r['name']}{suffix}: p95 1M / 100k", times(value), f"≤ {SCALE_TARGET}×", ok))
    lines = [
        "## Scale",
        "",
        "p95 of every row at every scale (sequential, and with the concurrent clients). The target: at "
        f"1,000,000 persons within {SCALE_TARGET}× of the same row at 100,000 (not applied to the two "
        "baselines).",
        "",
        *table(head, "l" + "r" * (len(scales) + 1) + "l", body),
    ]
    return "\n".join(lines) + "\n", checks
