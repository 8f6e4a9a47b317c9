"""Reading a published playbook version. A published version never changes, so each process keeps what it read."""

from functools import lru_cache

from django.db.models import Prefetch
from django.urls import reverse

from playbook.models import AnswerOption, Challenge, GuidanceSection, PlaybookVersion, Practice


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


def guidance_url(playbook_version: str, challenge_slug: str, guidance_slug: str) -> str:
    """The versioned address of a guidance section, so links in old reports keep pointing at the text assessed."""
    return f"{_challenge_url(playbook_version, challenge_slug)}#{guidance_slug}"


@lru_cache(maxsize=512)
def _challenge_url(playbook_version: str, challenge_slug: str) -> str:
    return reverse("playbook:challenge", args=[playbook_version, challenge_slug])
