from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from playbook.content_files import ContentError, read_playbook
from playbook.services import VersionConflict, publish_playbook


class Command(BaseCommand):
    help = "Validate the playbook content files and publish them as a version (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="validate only; load nothing")
        parser.add_argument("--path", type=Path, default=None, help="content folder (default: PLAYBOOK_CONTENT_DIR)")

    def handle(self, *args, check: bool, path: Path | None, **options):
        root = path or settings.PLAYBOOK_CONTENT_DIR
        try:
            content = read_playbook(root)
        except ContentError as error:
            raise CommandError(f"playbook content is invalid, nothing loaded: {error}") from None
        if check:
            self.stdout.write(content.summary_line())
            return
        try:
            outcome = publish_playbook(content=content)
        except VersionConflict as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{content.summary_line()} ({outcome})")
