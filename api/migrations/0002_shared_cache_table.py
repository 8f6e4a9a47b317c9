"""The table of the shared cache (CACHES["default"] in config/settings.py) when no REDIS_URL is set.

Made by `migrate`, whatever the settings at the time, so that `make run`, CI and docker-compose need no
`createcachetable` step and an installation that later drops Redis finds the table there.
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "shared_cache"  # CACHES["default"]["LOCATION"] of the database cache


def create_table(apps, schema_editor) -> None:
    command = CreateCacheTable()
    command.verbosity = 0  # read when the table already exists
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop_table(apps, schema_editor) -> None:
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial")]

    operations = [migrations.RunPython(create_table, drop_table)]
