"""Partial indexes for the work queues of the home page and the provider's inbox: each list reads its
first rows in order instead of sorting every open row of the registry (docs/decisions/0019)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0002_reintegration_and_closure"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="assistanceservice",
            index=models.Index(
                condition=models.Q(("status__in", ("requested", "accepted", "in_progress"))),
                fields=["provider", "-urgent", "planned_from", "id"],
                name="service_provider_open_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="caseclosure",
            index=models.Index(
                condition=models.Q(("status", "requested")), fields=["created_at", "id"], name="closure_requested_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="followup",
            index=models.Index(
                condition=models.Q(("done_on__isnull", True)), fields=["due_on", "id"], name="follow_up_open_due_idx"
            ),
        ),
    ]
