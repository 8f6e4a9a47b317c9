"""Each team counts changes to its submitted assessments: the portfolio and the benchmark name their inputs by it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0011_organisation_logo"),
    ]

    operations = [
        migrations.AddField(
            model_name="team",
            name="submissions_revision",
            field=models.PositiveBigIntegerField(default=0, editable=False),
        ),
    ]
