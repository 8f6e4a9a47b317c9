"""Assessments and actions indexed newest first: the API's lists read a page's rows in order instead of sorting all."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0013_deleted_assessments_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="action",
            index=models.Index(
                models.OrderBy(models.F("created_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                name="actions_newest",
            ),
        ),
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(
                models.OrderBy(models.F("created_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("deleted_at__isnull", True)),
                name="assessments_newest",
            ),
        ),
    ]
