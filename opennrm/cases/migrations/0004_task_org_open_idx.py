"""The organisation's open tasks in due order (docs/decisions/0019)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_country_from_settings"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="casetask",
            index=models.Index(
                condition=models.Q(("done_at__isnull", True)),
                fields=["organisation", "due_at", "id"],
                name="task_org_open_idx",
            ),
        ),
    ]
