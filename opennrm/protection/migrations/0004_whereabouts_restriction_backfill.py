"""Fill Person.whereabouts_restricted from the assessments already recorded (the rule of
protection.services.whereabouts_restriction_refresh, with the historical models)."""

from django.db import migrations
from django.db.models import Exists, OuterRef, Subquery

RESTRICTED_LEVELS = ("high", "critical")


def backfill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Person = apps.get_model("people", "Person")
    RiskAssessment = apps.get_model("protection", "RiskAssessment")
    newest = Subquery(
        RiskAssessment.objects.filter(case=OuterRef("pk")).order_by("-assessed_on", "-id").values("level")[:1]
    )
    restricted = Case.objects.filter(person=OuterRef("pk")).annotate(level=newest).filter(level__in=RESTRICTED_LEVELS)
    Person.objects.update(whereabouts_restricted=Exists(restricted))


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_person_whereabouts_restricted"),
        ("protection", "0003_family_assessment"),
    ]

    # Backwards: the column goes with people 0002; nothing to undo here.
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
