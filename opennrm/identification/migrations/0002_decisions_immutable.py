"""Identification decisions and their forms are never edited or deleted: a trigger refuses it.

A later decision supersedes an earlier one (a new row pointing at it); nothing changes in place. The
only columns a decision's trigger leaves open are its data key and ciphertext, so that a key rotation
can re-encrypt the unchanged reasons. On SQLite DELETE stays open because Django's test flush uses it
(as for the audit log).
"""

from django.db import migrations

DECISION = "identification_identificationdecision"
DECISION_COLUMNS = (
    "id, case_id, procedure_id, kind, outcome, legal_basis, decided_at, decided_by_id, organisation_id, "
    "supersedes_id, created_at"
)
FORM = "identification_decisionform"
# (table, columns guarded against UPDATE: None means all)
TABLES = ((DECISION, DECISION_COLUMNS), (FORM, None))

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION opennrm_decision_immutable() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'identification decisions are never edited: record a review decision instead';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
        for table, columns in TABLES:
            update = f"UPDATE OF {columns}" if columns else "UPDATE"
            schema_editor.execute(
                f"CREATE TRIGGER {table}_immutable BEFORE {update} OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION opennrm_decision_immutable();"
            )
    elif vendor == "sqlite":
        for table, columns in TABLES:
            update = f"UPDATE OF {columns}" if columns else "UPDATE"
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE {update} ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'identification decisions are never edited'); END;"
            )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table, _columns in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table};")
        schema_editor.execute("DROP FUNCTION IF EXISTS opennrm_decision_immutable();")
    elif vendor == "sqlite":
        for table, _columns in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")


class Migration(migrations.Migration):
    dependencies = [("identification", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
