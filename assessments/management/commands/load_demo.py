from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assessments.demo import load_demo


class Command(BaseCommand):
    help = (
        "Create the demo organisation, teams, users (password 'demo') and assessments. Idempotent; never in production."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="load even though DEBUG is off (tests only)")

    def handle(self, *args, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo users have a known password; load_demo only runs with DEBUG=1.")
        created = load_demo()
        self.stdout.write("demo data loaded" if created else "demo data already present, nothing changed")
