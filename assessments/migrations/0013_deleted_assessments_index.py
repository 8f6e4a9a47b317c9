"""A partial index of the deleted assessments: the live actions are found without reading every assessment."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0012_team_submissions_revision"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", False)), fields=["deleted_at"], name="deleted_assessments"
            ),
        ),
    ]
