"""Seed Serbia's lead time for residence-permit renewal reminders into the deadline table.

Values are copied here (not imported) so this migration never changes."""

from django.db import migrations

CODE = "residence_renewal_reminder"
RULE = {
    "amount": 30,
    "unit": "days",
    "minimum": None,
    "legal_basis": (
        "CETS 197 Art. 14 (renewable permit); Law on Foreigners 2018: renewal applied for before expiry"
    ),
    "note": "lead time set by practice; verify the renewal deadline in the official text",
}


def forwards(apps, schema_editor):
    apps.get_model("core", "DeadlineRule").objects.get_or_create(country="RS", code=CODE, defaults=RULE)


def backwards(apps, schema_editor):
    apps.get_model("core", "DeadlineRule").objects.filter(country="RS", code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [("residence", "0001_initial"), ("core", "0003_seed_deadline_rules")]
    operations = [migrations.RunPython(forwards, backwards)]
