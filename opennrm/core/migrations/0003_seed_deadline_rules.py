"""Seed Serbia's deadline rules. Values are copied here (not imported) so this migration never changes."""

from django.db import migrations

RS_RULES = [
    (
        "referral_response",
        24,
        "hours",
        None,
        "SOP 2019; TIP 2023: the Centre's panel assesses within 24 hours of referral",
        "practice, not statute",
    ),
    (
        "reflection_period",
        90,
        "days",
        30,
        "CETS 197 Art. 13 (at least 30 days); Law on Foreigners 2018, presumed-victim residence",
        "Serbia: 90 days, verify the article in the official text",
    ),
    ("reflection_alert", 14, "days", None, "Alert before the recovery and reflection period ends (CETS 197 Art. 13)", ""),
    (
        "guardian_appointment",
        3,
        "days",
        None,
        "CETS 197 Art. 10(4); Family Law (guardianship by the centre for social work)",
        "no statutory number found: configure per SOP",
    ),
    (
        "age_assessment",
        30,
        "days",
        None,
        "CETS 197 Art. 10(3): treated as a child until the age is verified",
        "configure per SOP",
    ),
]


def forwards(apps, schema_editor):
    DeadlineRule = apps.get_model("core", "DeadlineRule")
    for code, amount, unit, minimum, basis, note in RS_RULES:
        DeadlineRule.objects.get_or_create(
            country="RS",
            code=code,
            defaults={"amount": amount, "unit": unit, "minimum": minimum, "legal_basis": basis, "note": note},
        )


def backwards(apps, schema_editor):
    apps.get_model("core", "DeadlineRule").objects.filter(
        country="RS", code__in=[r[0] for r in RS_RULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0002_deadline_rules")]
    operations = [migrations.RunPython(forwards, backwards)]
