"""An organisation's logo moves to a table of its own, so that loading an organisation no longer loads its logo."""

import django.db.models.deletion
from django.db import migrations, models


def move_logos_out(apps, schema_editor):
    Organisation = apps.get_model("assessments", "Organisation")
    OrganisationLogo = apps.get_model("assessments", "OrganisationLogo")
    branded = Organisation.objects.exclude(brand_logo=None).only("brand_logo", "brand_logo_type")
    OrganisationLogo.objects.bulk_create(
        OrganisationLogo(organisation=o, content=bytes(o.brand_logo), content_type=o.brand_logo_type) for o in branded
    )


def move_logos_back(apps, schema_editor):
    Organisation = apps.get_model("assessments", "Organisation")
    OrganisationLogo = apps.get_model("assessments", "OrganisationLogo")
    for logo in OrganisationLogo.objects.all():
        Organisation.objects.filter(pk=logo.organisation_id).update(
            brand_logo=logo.content, brand_logo_type=logo.content_type
        )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0010_shared_answer_sets"),
    ]

    operations = [
        migrations.CreateModel(
            name="OrganisationLogo",
            fields=[
                (
                    "organisation",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="logo",
                        serialize=False,
                        to="assessments.organisation",
                    ),
                ),
                ("content", models.BinaryField()),
                ("content_type", models.CharField(help_text="image/png or image/svg+xml", max_length=20)),
            ],
        ),
        migrations.RunPython(move_logos_out, move_logos_back),
        migrations.RemoveField(model_name="organisation", name="brand_logo"),
        migrations.RemoveField(model_name="organisation", name="brand_logo_type"),
    ]
