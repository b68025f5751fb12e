"""Seed Serbia's warning time before a facility's licence lapses into the deadline table.

Values are copied here (not imported) so this migration never changes."""

from django.db import migrations

CODE = "facility_licence_warning"
RULE = {
    "amount": 30,
    "unit": "days",
    "minimum": None,
    "legal_basis": "Social Protection Law: a licensed accommodation service renews its licence before it lapses",
    "note": "OpenNRM default: how early the register warns; set per country",
}


def forwards(apps, schema_editor):
    apps.get_model("core", "DeadlineRule").objects.get_or_create(country="RS", code=CODE, defaults=RULE)


def backwards(apps, schema_editor):
    apps.get_model("core", "DeadlineRule").objects.filter(country="RS", code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [("shelters", "0001_initial"), ("core", "0003_seed_deadline_rules")]
    operations = [migrations.RunPython(forwards, backwards)]
