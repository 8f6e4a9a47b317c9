from django.core.management.base import BaseCommand

from webhooks.tasks import queue_due_deliveries


class Command(BaseCommand):
    help = (
        "Queue the webhook deliveries whose next try is due: retries on a task backend that cannot schedule them, "
        "and tries whose worker died. Safe to run as often as you like (e.g. from cron every few minutes)."
    )

    def handle(self, *args, **options) -> None:
        queued = queue_due_deliveries()
        self.stdout.write(f"Queued {queued} webhook deliver{'y' if queued == 1 else 'ies'}.")
