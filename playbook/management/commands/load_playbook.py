from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from playbook.content_changes import describe_changes
from playbook.content_files import read_playbook, version_folders
from playbook.content_model import ContentError
from playbook.services import VersionConflict, publish_playbook


class Command(BaseCommand):
    help = (
        "Validate the playbook content and publish every version in it, oldest first, so the newest is current "
        "(idempotent: a version already published with the same files is left alone)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="validate only; load nothing")
        parser.add_argument(
            "--changes", metavar="VERSION", help="print, as Markdown, what VERSION changed since its previous version"
        )
        parser.add_argument(
            "--path", type=Path, default=None, help="one version's folder, or a folder of them (PLAYBOOK_CONTENT_DIR)"
        )

    def handle(self, *args, check: bool, changes: str | None, path: Path | None, **options):
        root = path or settings.PLAYBOOK_CONTENT_DIR
        try:
            contents = _oldest_first([read_playbook(folder) for folder in version_folders(root)])
        except ContentError as error:
            raise CommandError(f"playbook content is invalid, nothing loaded: {error}") from None
        if not contents:
            raise CommandError(f"no playbook content in {root}")
        if changes:
            by_version = {content.version: content for content in contents}
            new = by_version.get(changes)
            if new is None or new.previous_version not in by_version:
                raise CommandError(f"{changes} is not a version in {root} that revises another one there")
            self.stdout.write(describe_changes(by_version[new.previous_version], new), ending="")
            return
        for content in contents:
            if check:
                self.stdout.write("\n".join([content.summary_line(), *content.coverage_lines()]))
                continue
            try:
                outcome = publish_playbook(content=content)
            except VersionConflict as error:
                raise CommandError(str(error)) from None
            self.stdout.write(f"{content.summary_line()} ({outcome})")


def _oldest_first(contents: list) -> list:
    """Each version after the one it revises."""
    by_version = {content.version: content for content in contents}

    def depth(content) -> int:
        return 0 if content.previous_version not in by_version else 1 + depth(by_version[content.previous_version])

    return sorted(contents, key=lambda content: (depth(content), content.version))
