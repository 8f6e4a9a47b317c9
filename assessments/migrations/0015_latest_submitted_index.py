"""Each team's submissions indexed newest first: a team's latest submission is read without sorting its assessments."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0014_newest_first_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True), ("status", "submitted")),
                fields=["team", "-submitted_at", "-id"],
                name="latest_submitted",
            ),
        ),
    ]
