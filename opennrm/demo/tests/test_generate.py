"""The bulk generator writes the rows the services would write, with one audit entry in all."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opennrm import policy
from opennrm.accounts.models import Organisation, User
from opennrm.audit.models import AuditEvent
from opennrm.cases.models import Case, CaseNote, Incident, Involvement, TimelineEvent
from opennrm.core import crypto
from opennrm.people.models import Person, PersonIdentity, PersonLookup
from opennrm.people.selectors import person_ids_matching
from opennrm.testing import user as make_user


@pytest.mark.django_db
def test_generate_writes_persons_cases_and_encrypted_identities_with_one_audit_entry():
    audit_before = AuditEvent.objects.count()
    call_command("generate", persons=120, batch_size=50, seed=3, stdout=io.StringIO())

    assert Person.objects.count() == Case.objects.count() == 120
    assert PersonIdentity.objects.count() == 120
    assert Incident.objects.exists() and PersonLookup.objects.count() > 120
    assert TimelineEvent.objects.filter(kind="case_opened").count() == 120
    # Created without users outside demo mode.
    assert Organisation.objects.filter(code="centre").exists() and not User.objects.exists()
    generated = AuditEvent.objects.filter(object_type="generated_data")
    assert generated.count() == 1 and generated.get().detail["persons"] == 120
    # Organisations are created through the audited service; the rows themselves are not audited one by one.
    assert AuditEvent.objects.count() - audit_before < 40

    case = Case.objects.select_related("person").first()
    row = PersonIdentity.objects.get(person=case.person)
    identity = crypto.decrypt(row.data_key_id, row.ciphertext, aad=case.person.code)
    assert case.person_id in person_ids_matching(f"{identity['given_names']} {identity['family_names']}")
    note = CaseNote.objects.filter(case=case).get()
    assert crypto.decrypt(note.data_key_id, note.ciphertext, aad=f"note:{case.code}")["text"]
    assert Involvement.objects.filter(
        case=case, organisation__code="centre", role="identifying_body"
    ).exists()


@pytest.mark.django_db
def test_the_centre_sees_every_generated_case():
    call_command("generate", persons=30, seed=4, stdout=io.StringIO())
    casemanager = make_user("cm", "centre_case_manager", Organisation.objects.get(code="centre"))
    assert policy.visible_cases(casemanager).count() == 30


@pytest.mark.django_db
def test_generate_refuses_in_production_mode(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("generate", persons=10, stdout=io.StringIO())
    assert not Person.objects.exists()
