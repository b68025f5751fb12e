"""Identity data is encrypted at rest; lookups go through keyed hashes; the data key rotates."""

from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from opennrm.accounts.roles import RoleCode
from opennrm.cases import selectors as case_selectors
from opennrm.core import crypto
from opennrm.core.models import DataKey
from opennrm.lib import scripts
from opennrm.people import selectors
from opennrm.people.models import PersonIdentity
from opennrm.testing import open_case

SECRET_NAMES = ["Зорислава", "Zorislava", "Негосављевић", "Negosavljević", "Negosavljevic", "NEGOSAVLJEVIĆ"]


def _every_text_in_the_database() -> bytes:
    """Everything stored in every table of the app, as bytes, straight from SQL."""
    chunks = []
    with connection.cursor() as cur:
        for model in apps.get_models():
            table = model._meta.db_table
            cur.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names come from our own models
            for row in cur.fetchall():
                for value in row:
                    if isinstance(value, bytes | bytearray | memoryview):
                        chunks.append(bytes(value))
                    elif value is not None:
                        chunks.append(str(value).encode())
    return b"\n".join(chunks)


@pytest.mark.django_db(transaction=True)
def test_the_database_holds_no_plaintext_name(world, tmp_path):
    reporter = world.users[RoleCode.FIRST_LINE_REPORTER]
    case = open_case(reporter, given="Зорислава", family="Негосављевић", birth_date="1999-03-04")
    # Reading it back through the policy works, and leaves the data encrypted.
    identity = selectors.identity_read(user=world.users[RoleCode.CENTRE_CASE_MANAGER], person=case.person)
    assert identity["family_names"] == "Негосављевић"
    dump = _every_text_in_the_database()
    for name in SECRET_NAMES:
        assert name.encode() not in dump, name
        assert name.lower().encode() not in dump, name
    assert b"1999-03-04" not in dump
    if connection.vendor == "sqlite":
        # The raw database file too, not only what SQL returns.
        path = tmp_path / "copy.sqlite3"
        with connection.cursor() as cur:
            cur.execute("VACUUM INTO %s", [str(path)])
        raw = path.read_bytes()
        for name in SECRET_NAMES:
            assert name.encode() not in raw


@pytest.mark.django_db
def test_names_are_found_in_any_script_by_keyed_hash(world):
    reporter = world.users[RoleCode.FIRST_LINE_REPORTER]
    case = open_case(reporter, given="Љубица", family="Ђорђевић")
    manager = world.users[RoleCode.CENTRE_CASE_MANAGER]
    for query in ["Љубица", "LJUBICA", "ljubica", "Ljubica Đorđević", "djordjevic", "ЂОРЂЕВИЋ"]:
        codes = list(
            case_selectors.case_list(user=manager, filters=case_selectors.CaseFilters(q=query)).values_list(
                "code", flat=True
            )
        )
        assert case.code in codes, query


@pytest.mark.django_db
def test_a_reporter_cannot_search_by_name(world):
    reporter = world.users[RoleCode.FIRST_LINE_REPORTER]
    open_case(reporter, given="Ljubica", family="Searchović")
    codes = list(case_selectors.case_list(user=reporter, filters=case_selectors.CaseFilters(q="Searchović")))
    assert codes == []


def test_transliteration_handles_all_caps_digraphs():
    assert scripts.to_latin("ЉУБИЦА") == "LJUBICA"
    assert scripts.to_latin("Љубица") == "Ljubica"
    assert scripts.to_latin("ЏЕМАЛ ЊЕГОШ") == "DŽEMAL NJEGOŠ"
    assert scripts.fold("ЂОРЂЕ Петровић") == "djordje petrovic"
    assert scripts.fold("Đorđe PETROVIĆ") == scripts.fold("Djordje Petrovic")


@pytest.mark.django_db
def test_a_ciphertext_cannot_be_moved_to_another_person(world):
    reporter = world.users[RoleCode.FIRST_LINE_REPORTER]
    a = open_case(reporter, given="Ana", family="Prva").person
    b = open_case(reporter, given="Bojana", family="Druga").person
    stolen = PersonIdentity.objects.get(person=a)
    PersonIdentity.objects.filter(person=b).update(ciphertext=stolen.ciphertext, data_key=stolen.data_key)
    row = PersonIdentity.objects.get(person=b)
    with pytest.raises(InvalidTag):
        crypto.decrypt(row.data_key_id, row.ciphertext, aad=b.code)


@pytest.mark.django_db
def test_rotate_data_key_reencrypts_everything_and_keeps_it_readable(world, capsys):
    reporter = world.users[RoleCode.FIRST_LINE_REPORTER]
    case = open_case(reporter, given="Rotacija", family="Ključević")
    old_key = PersonIdentity.objects.get(person=case.person).data_key_id
    call_command("rotate_data_key", "--batch-size", "2")
    out = capsys.readouterr().out
    assert "re-encrypted" in out
    new_key = DataKey.objects.get(is_active=True)
    assert new_key.pk != old_key
    assert not PersonIdentity.objects.exclude(data_key=new_key).exists()
    identity = selectors.identity_read(user=world.users[RoleCode.CENTRE_CASE_MANAGER], person=case.person)
    assert identity["given_names"] == "Rotacija"
    notes = case_selectors.case_notes(user=world.users[RoleCode.CENTRE_CASE_MANAGER], case=world.own_case)
    assert all(n["text"] for n in notes)


@pytest.mark.django_db
def test_a_wrong_master_key_cannot_read_identities(world, settings):
    reporter = world.users[RoleCode.FIRST_LINE_REPORTER]
    case = open_case(reporter, given="Tajna", family="Osoba")
    crypto._cache.clear()
    settings.MASTER_KEY = "b3RoZXItbWFzdGVyLWtleS1vdGhlci1tYXN0ZXIta2U="
    row = PersonIdentity.objects.get(person=case.person)
    with pytest.raises(InvalidTag):
        crypto.decrypt(row.data_key_id, row.ciphertext, aad=case.person.code)
    crypto._cache.clear()
