"""RiskAssessment.is_current: the newest assessment of each case, marked once here and kept by
protection.services.current_assessment_refresh; the partial index serves the reassessments due."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def mark_current(apps, schema_editor):
    RiskAssessment = apps.get_model("protection", "RiskAssessment")
    newest = Subquery(
        RiskAssessment.objects.filter(case=OuterRef("case")).order_by("-assessed_on", "-id").values("pk")[:1]
    )
    RiskAssessment.objects.filter(pk=newest).update(is_current=True)


class Migration(migrations.Migration):
    dependencies = [
        ("protection", "0004_whereabouts_restriction_backfill"),
    ]

    operations = [
        migrations.AddField(
            model_name="riskassessment",
            name="is_current",
            field=models.BooleanField(default=False, editable=False, verbose_name="current"),
        ),
        # Backwards: the column goes with the AddField; nothing to undo here.
        migrations.RunPython(mark_current, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="riskassessment",
            index=models.Index(
                condition=models.Q(("is_current", True)), fields=["reassess_by", "id"], name="risk_current_due_idx"
            ),
        ),
    ]
