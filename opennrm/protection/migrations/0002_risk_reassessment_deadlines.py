"""Seed the risk reassessment deadlines (per level) into the deadline table for Serbia.

Values are copied here (not imported) so this migration never changes."""

from django.db import migrations

BASIS = "CETS 197 Art. 12(2), 28: safety and protection needs kept under review"
NOTE = "OpenNRM default: configure per SOP"
RULES = [("critical", 7), ("high", 14), ("medium", 30), ("low", 90)]


def forwards(apps, schema_editor):
    DeadlineRule = apps.get_model("core", "DeadlineRule")
    for level, days in RULES:
        DeadlineRule.objects.get_or_create(
            country="RS",
            code=f"risk_reassessment_{level}",
            defaults={"amount": days, "unit": "days", "minimum": None, "legal_basis": BASIS, "note": NOTE},
        )


def backwards(apps, schema_editor):
    apps.get_model("core", "DeadlineRule").objects.filter(
        country="RS", code__in=[f"risk_reassessment_{level}" for level, _days in RULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("protection", "0001_initial"), ("core", "0003_seed_deadline_rules")]
    operations = [migrations.RunPython(forwards, backwards)]
