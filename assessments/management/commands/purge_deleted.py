from django.conf import settings
from django.core.management.base import BaseCommand

from assessments.services import purge_deleted


class Command(BaseCommand):
    help = "Erase assessments deleted more than ASSESSMENT_RESTORE_DAYS ago (run it daily, e.g. from cron)."

    def handle(self, *args, **options) -> None:
        purged = purge_deleted()
        days = settings.ASSESSMENT_RESTORE_DAYS
        self.stdout.write(f"Purged {len(purged)} assessment(s) deleted more than {days} days ago.")
