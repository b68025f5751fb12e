"""The organisation's involvements covering their active window (docs/decisions/0019): the access probes
and the open-case count read the index alone. The new index is built before the old one goes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_task_org_open_idx"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="involvement",
            index=models.Index(
                fields=["organisation", "case"],
                include=("started_at", "ended_at"),
                name="involvement_org_active_idx",
            ),
        ),
        migrations.RemoveIndex(
            model_name="involvement",
            name="involvement_org_case_idx",
        ),
    ]
