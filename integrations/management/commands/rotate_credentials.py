"""Re-encrypt every stored tracker token with the first key in CREDENTIALS_KEY, so the older keys can be dropped."""

from django.core.management.base import BaseCommand
from django.db import transaction

from integrations import credentials
from integrations.models import TrackerConnection


class Command(BaseCommand):
    help = "Re-encrypt stored tracker credentials with the first key in CREDENTIALS_KEY."

    @transaction.atomic
    def handle(self, *args, **options):
        connections = TrackerConnection.objects.select_for_update().only("secret")
        for connection in connections:
            connection.secret = credentials.rotate(connection.secret)
            connection.save(update_fields=["secret"])
        self.stdout.write(f"Re-encrypted {len(connections)} tracker connection(s) with the first key.")
