"""Verification of the audit chains, and checkpoints written outside the database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from opennrm.audit.chain import CHAINED_FIELDS, GENESIS, compute_mac
from opennrm.audit.models import AuditEvent, AuditHead


@dataclass
class VerifyResult:
    entries: int = 0
    streams: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _stream_entries(stream: int) -> Iterator[dict]:
    qs = AuditEvent.objects.filter(stream=stream).order_by("seq").values("id", "mac", *CHAINED_FIELDS)
    yield from qs.iterator(chunk_size=5000)


def verify_chain(*, stop_at_first: bool = True) -> VerifyResult:
    result = VerifyResult()
    heads = {h.stream: h for h in AuditHead.objects.all()}
    streams = set(heads) | set(AuditEvent.objects.values_list("stream", flat=True).distinct())
    for stream in sorted(streams):
        result.streams += 1
        expected_seq = 1
        prev_mac = GENESIS
        for row in _stream_entries(stream):
            result.entries += 1
            where = _("entry id=%(id)s (stream %(stream)s, seq %(seq)s)") % {
                "id": row["id"],
                "stream": stream,
                "seq": row["seq"],
            }
            if row["seq"] != expected_seq:
                if row["seq"] > expected_seq:
                    result.problems.append(
                        _("%(where)s: entries seq %(first)s..%(last)s were deleted")
                        % {"where": where, "first": expected_seq, "last": row["seq"] - 1}
                    )
                else:
                    result.problems.append(
                        _("%(where)s: duplicate or inserted sequence number") % {"where": where}
                    )
            elif row["prev_mac"] != prev_mac:
                result.problems.append(
                    _("%(where)s: does not link to the previous entry (inserted or re-chained)")
                    % {"where": where}
                )
            elif compute_mac(row) != row["mac"]:
                result.problems.append(_("%(where)s: content altered (MAC mismatch)") % {"where": where})
            if result.problems and stop_at_first:
                return result
            expected_seq = row["seq"] + 1
            prev_mac = row["mac"]
        head = heads.get(stream)
        last_seq = expected_seq - 1
        if head is None and last_seq:
            result.problems.append(_("stream %(stream)s: chain head is missing") % {"stream": stream})
        elif head is not None and (head.seq != last_seq or (last_seq and head.mac != prev_mac)):
            result.problems.append(
                _(
                    "stream %(stream)s: chain head says seq %(head)s but the log ends at seq %(last)s "
                    "(entries at the end were deleted or the head was altered)"
                )
                % {"stream": stream, "head": head.seq, "last": last_seq}
            )
        if result.problems and stop_at_first:
            return result
    for problem in verify_checkpoints():
        result.problems.append(problem)
        if stop_at_first:
            break
    return result


def _checkpoint_files() -> list[Path]:
    directory = Path(settings.AUDIT_CHECKPOINT_DIR)
    if not directory.is_dir():
        return []
    return sorted(directory.glob("checkpoint-*.json"))


def write_checkpoint() -> Path:
    """Record every stream's head in a file. Keep the directory on storage the app cannot rewrite
    (append-only mount, another host): a checkpoint catches truncation that no in-database chain can."""
    directory = Path(settings.AUDIT_CHECKPOINT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    now = timezone.now()
    heads = {str(h.stream): {"seq": h.seq, "mac": h.mac} for h in AuditHead.objects.all() if h.seq}
    path = directory / f"checkpoint-{now:%Y%m%dT%H%M%S%f}.json"
    path.write_text(json.dumps({"at": now.isoformat(), "heads": heads}, indent=1))
    return path


def verify_checkpoints() -> list[str]:
    """Every stream named in any checkpoint must still reach at least the furthest entry recorded for it,
    with the same MAC: this catches a truncated tail, and a stream deleted whole (events and head)."""
    furthest: dict[int, tuple[int, str, str]] = {}
    for path in _checkpoint_files():
        for stream, head in json.loads(path.read_text()).get("heads", {}).items():
            if head["seq"] > furthest.get(int(stream), (0, "", ""))[0]:
                furthest[int(stream)] = (head["seq"], head["mac"], path.name)
    problems = []
    for stream, (seq, mac, name) in sorted(furthest.items()):
        row = AuditEvent.objects.filter(stream=stream, seq=seq).values("id", "mac").first()
        if row is None:
            problems.append(
                _(
                    "stream %(stream)s: entry seq %(seq)s recorded in %(file)s no longer exists (log truncated)"
                )
                % {"stream": stream, "seq": seq, "file": name}
            )
        elif row["mac"] != mac:
            problems.append(
                _("entry id=%(id)s (stream %(stream)s, seq %(seq)s): differs from %(file)s")
                % {"id": row["id"], "stream": stream, "seq": seq, "file": name}
            )
    return problems
