"""Give the Centre's roles the new permission to triage the public's anonymous reports.

Adds to the roles as they are now (an administrator may have changed them), never removes anything.
"""

from django.db import migrations

PERMISSION = "report.triage"
ROLES = ("centre_case_manager", "centre_head")


def forwards(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(code__in=ROLES):
        if PERMISSION not in role.permissions:
            role.permissions = [*role.permissions, PERMISSION]
            role.save(update_fields=["permissions"])


def backwards(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.all():
        if PERMISSION in role.permissions:
            role.permissions = [p for p in role.permissions if p != PERMISSION]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_seed_roles")]
    operations = [migrations.RunPython(forwards, backwards)]
