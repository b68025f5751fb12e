"""The public report moves to the intake app: the table is renamed, its rows, indexes and constraints
stay; the model leaves this app's state (intake 0001 takes it over). Reversible."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("identification", "0003_public_reports_transnational")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.AlterModelTable("PublicReport", "intake_publicreport")],
            state_operations=[migrations.DeleteModel("PublicReport")],
        )
    ]
