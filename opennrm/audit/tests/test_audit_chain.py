"""The audit log is append-only and hash-chained; `opennrm audit verify` catches tampering."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from opennrm.audit.models import AuditEvent, AuditHead
from opennrm.audit.services import audit_record
from opennrm.audit.verify import verify_chain


def _verify_exit(capsys) -> tuple[int, str]:
    try:
        call_command("audit", "verify")
        code = 0
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out + out.err


def _disable_guard():
    # Simulates an attacker with database owner rights: the append-only trigger is dropped first.
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
        else:
            cur.execute("DROP TRIGGER IF EXISTS audit_auditevent_no_update")


def _entries(n: int = 5) -> list[AuditEvent]:
    return [
        audit_record(
            actor=None,
            action="read",
            object_type="person",
            object_id=f"RS-2026-{i:06d}",
            actor_username="alice",
        )
        for i in range(n)
    ]


@pytest.mark.django_db
def test_verify_passes_on_an_untouched_log(capsys):
    _entries()
    code, out = _verify_exit(capsys)
    assert code == 0
    assert "intact" in out


@pytest.mark.django_db
def test_the_database_refuses_to_update_an_entry():
    entry = _entries(1)[0]
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=entry.pk).update(actor_username="mallory")


@pytest.mark.django_db
def test_verify_names_an_altered_entry(capsys):
    entries = _entries()
    _disable_guard()
    AuditEvent.objects.filter(pk=entries[2].pk).update(actor_username="mallory")
    code, out = _verify_exit(capsys)
    assert code == 1
    assert f"entry id={entries[2].pk}" in out
    assert "altered" in out


@pytest.mark.django_db
def test_verify_catches_a_deleted_entry(capsys):
    entries = _entries()
    _disable_guard()
    AuditEvent.objects.filter(pk=entries[1].pk).delete()
    code, out = _verify_exit(capsys)
    assert code == 1
    assert "deleted" in out


@pytest.mark.django_db
def test_verify_catches_an_inserted_entry_with_a_forged_mac(capsys):
    entries = _entries(3)
    _disable_guard()
    last = entries[-1]
    # Shift the tail to make room and insert a forged entry in the middle.
    AuditEvent.objects.filter(stream=last.stream, seq=last.seq).update(seq=last.seq + 1)
    AuditEvent.objects.create(
        stream=last.stream,
        seq=last.seq,
        at=last.at,
        action="read",
        actor_username="mallory",
        prev_mac=entries[-2].mac,
        mac="f" * 64,
    )
    code, out = _verify_exit(capsys)
    assert code == 1
    assert "BROKEN" in out


@pytest.mark.django_db
def test_verify_catches_a_rechained_history_without_the_key(capsys, settings):
    entries = _entries(3)
    _disable_guard()
    # Rewrite an entry and recompute the whole chain with a key guessed by the attacker.
    settings.AUDIT_KEY = "YXR0YWNrZXIta2V5LWF0dGFja2VyLWtleS1hdHRhY2tlcg=="
    from opennrm.audit.chain import CHAINED_FIELDS, compute_mac

    prev = "0" * 64
    for e in AuditEvent.objects.filter(stream=entries[0].stream).order_by("seq"):
        values = {f: getattr(e, f) for f in CHAINED_FIELDS if f != "prev_mac"}
        values["actor_username"] = "mallory"
        values["prev_mac"] = prev
        mac = compute_mac(values)
        AuditEvent.objects.filter(pk=e.pk).update(actor_username="mallory", prev_mac=prev, mac=mac)
        prev = mac
    AuditHead.objects.filter(stream=entries[0].stream).update(mac=prev)
    settings.AUDIT_KEY = settings.DEV_AUDIT_KEY
    code, out = _verify_exit(capsys)
    assert code == 1


@pytest.mark.django_db
def test_a_checkpoint_catches_truncation_of_the_tail(capsys, settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = tmp_path
    entries = _entries(4)
    call_command("audit", "checkpoint")
    capsys.readouterr()
    _disable_guard()
    last = entries[-1]
    # Delete the last entry and roll the head back: consistent in the database, caught by the checkpoint.
    AuditEvent.objects.filter(pk=last.pk).delete()
    AuditHead.objects.filter(stream=last.stream).update(seq=last.seq - 1, mac=entries[-2].mac)
    code, out = _verify_exit(capsys)
    assert code == 1
    assert "truncated" in out


@pytest.mark.django_db
def test_verify_catches_a_deleted_tail_without_checkpoint(capsys):
    entries = _entries(3)
    _disable_guard()
    AuditEvent.objects.filter(pk=entries[-1].pk).delete()
    code, out = _verify_exit(capsys)
    assert code == 1
    assert "head" in out


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_every_chain_intact():
    if connection.vendor != "postgresql":
        pytest.skip("needs real concurrent PostgreSQL transactions")
    errors = []

    def worker(n: int) -> None:
        try:
            for i in range(25):
                audit_record(
                    actor=None,
                    action="read",
                    object_type="person",
                    object_id=f"{n}-{i}",
                    actor_username=f"w{n}",
                )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    result = verify_chain()
    assert result.ok, result.problems
    assert AuditEvent.objects.filter(object_type="person").count() == 200


@pytest.mark.django_db(transaction=True)
def test_the_reads_of_one_request_are_appended_together_and_chained(client):
    from opennrm.accounts.roles import RoleCode
    from opennrm.testing import build_world, login_verified

    world = build_world()
    manager = world.users[RoleCode.CENTRE_CASE_MANAGER]
    login_verified(client, manager)
    before = AuditEvent.objects.count()
    assert client.get(f"/cases/{world.own_case.code}/").status_code == 200
    entries = AuditEvent.objects.filter(actor_id=manager.pk, action="read").order_by("seq")
    kinds = {e.object_type for e in entries}
    assert {"case", "person", "note"} <= kinds
    assert AuditEvent.objects.count() > before
    streams = {e.stream for e in entries}
    assert len(streams) == 1
    result = verify_chain()
    assert result.ok, result.problems


@pytest.mark.django_db
def test_a_checkpoint_catches_a_stream_deleted_whole(capsys, settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = tmp_path
    entries = _entries(2)
    call_command("audit", "checkpoint")
    capsys.readouterr()
    _disable_guard()
    stream = entries[0].stream
    AuditEvent.objects.filter(stream=stream).delete()
    AuditHead.objects.filter(stream=stream).delete()
    code, out = _verify_exit(capsys)
    assert code == 1
    assert f"stream {stream}" in out


@pytest.mark.django_db
def test_no_checkpoint_is_written_over_a_broken_chain(capsys, settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = tmp_path
    entries = _entries(3)
    _disable_guard()
    AuditEvent.objects.filter(pk=entries[1].pk).update(actor_username="mallory")
    with pytest.raises(SystemExit):
        call_command("audit", "checkpoint")
    assert list(tmp_path.glob("checkpoint-*.json")) == []
