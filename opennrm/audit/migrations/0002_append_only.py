"""Make the audit log append-only at the database level and pre-create the chain heads.

A trigger refuses UPDATE (and on PostgreSQL DELETE) of audit entries. Someone who owns the table can
drop the trigger; that is why the chain is also keyed with a secret the database never sees, and
``opennrm audit verify`` catches what the trigger cannot stop. SQLite keeps DELETE open because
Django's test flush uses it; verify catches deletions there.
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION opennrm_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
  FOR EACH ROW EXECUTE FUNCTION opennrm_audit_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS opennrm_audit_append_only();
"""
SQLITE_UP = """
CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS audit_auditevent_no_update;"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)
    AuditHead = apps.get_model("audit", "AuditHead")
    AuditHead.objects.bulk_create([AuditHead(stream=s, seq=0, mac="") for s in range(64)], ignore_conflicts=True)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
