from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from identity.totp import DEMO_TOTP_SECRET, totp_code


class Command(BaseCommand):
    help = "Print the code the demo consultant's authenticator app would show now (DEBUG only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("The demo's second factor exists only in development (DEBUG=1).")
        self.stdout.write(totp_code(DEMO_TOTP_SECRET))
