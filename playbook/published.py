"""Reading a published playbook version. A published version never changes, so each process keeps what it read."""

from functools import lru_cache

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse

from playbook.content_files import read_playbook
from playbook.content_model import ContentError, PlaybookContent
from playbook.models import (
    AnswerOption,
    Challenge,
    Framework,
    FrameworkItem,
    GuidanceSection,
    PlaybookVersion,
    Practice,
)


def load_practices(playbook: PlaybookVersion, challenge: Challenge | None = None) -> list[Practice]:
    """Practices with their challenge, options and guidance (three queries on first use).

    The instances are shared between requests and must only be read.
    """
    practices = _load_practices(playbook.pk, playbook.content_hash)
    return [p for p in practices if challenge is None or p.challenge_id == challenge.pk]


@lru_cache(maxsize=32)
def _load_practices(playbook_id: int, content_hash: str) -> tuple[Practice, ...]:
    return tuple(
        Practice.objects.filter(challenge__playbook_id=playbook_id)
        .select_related("challenge")
        .prefetch_related(
            Prefetch("options", queryset=AnswerOption.objects.order_by("level")),
            Prefetch("guidance", queryset=GuidanceSection.objects.select_related("challenge")),
        )
        .order_by("challenge__order", "order")
    )


def load_options(playbook: PlaybookVersion) -> dict[int, AnswerOption]:
    """Every answer option of the version by id: the instances load_practices holds, shared and only read."""
    return _load_options(playbook.pk, playbook.content_hash)


@lru_cache(maxsize=32)
def _load_options(playbook_id: int, content_hash: str) -> dict[int, AnswerOption]:
    return {option.pk: option for p in _load_practices(playbook_id, content_hash) for option in p.options.all()}


def load_frameworks(playbook: PlaybookVersion) -> tuple[Framework, ...]:
    """The version's frameworks with their items and the practices covering each (three queries on first use)."""
    return _load_frameworks(playbook.pk, playbook.content_hash)


@lru_cache(maxsize=32)
def _load_frameworks(playbook_id: int, content_hash: str) -> tuple[Framework, ...]:
    covering = Prefetch(
        "practices",
        queryset=Practice.objects.select_related("challenge")
        .prefetch_related(Prefetch("guidance", queryset=GuidanceSection.objects.select_related("challenge")))
        .order_by("challenge__order"),
    )
    items = Prefetch("items", queryset=FrameworkItem.objects.prefetch_related(covering))
    return tuple(Framework.objects.filter(playbook_id=playbook_id).prefetch_related(items))


def practice_url(playbook_version: str, practice: Practice) -> str:
    """The address of the guidance that explains a practice."""
    guidance = practice.explained_in
    return guidance_url(playbook_version, guidance.challenge.slug, guidance.slug)


def guidance_url(playbook_version: str, challenge_slug: str, guidance_slug: str) -> str:
    """The versioned address of a guidance section, so links in old reports keep pointing at the text assessed."""
    return f"{_challenge_url(playbook_version, challenge_slug)}#{guidance_slug}"


@lru_cache(maxsize=512)
def _challenge_url(playbook_version: str, challenge_slug: str) -> str:
    return reverse("playbook:challenge", args=[playbook_version, challenge_slug])


@lru_cache(maxsize=4)
def _content_of(version: str, content_hash: str) -> PlaybookContent | None:
    content = read_playbook(settings.PLAYBOOK_CONTENT_DIR / version)
    return content if content.content_hash == content_hash else None


def published_content(playbook: PlaybookVersion) -> PlaybookContent | None:
    """The content files a published version was loaded from, when this server still has them unchanged (the
    custom lens export works from them); None otherwise."""
    try:
        return _content_of(playbook.version, playbook.content_hash)
    except (OSError, ContentError):
        return None
