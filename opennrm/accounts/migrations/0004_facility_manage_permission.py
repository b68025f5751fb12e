"""Give the Centre's roles and shelter staff the permission to keep their facilities' register.

Adds to the roles as they are now (an administrator may have changed them), never removes anything.
"""

from django.db import migrations

PERMISSION = "facility.manage"
ROLES = ("centre_case_manager", "centre_head", "shelter_staff")


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
    dependencies = [("accounts", "0003_report_triage_permission")]
    operations = [migrations.RunPython(forwards, backwards)]
