"""Database writes for read-only share links. Each function is one transaction."""

from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from assessments.models import Assessment, ShareLink, Team
from audit.models import EventKind
from audit.services import record


class NotSubmitted(Exception):
    """Only a submitted assessment can be shared."""


SHARE_SALT = "assessments.share-link"


@transaction.atomic
def create_share_link(
    *,
    assessment: Assessment,
    label: str,
    days: int,
    user: AbstractBaseUser,
    shows_names: bool = False,
    shows_notes: bool = True,
    shows_files: bool = False,
) -> ShareLink:
    if not assessment.is_submitted:
        raise NotSubmitted()
    link = ShareLink.objects.create(
        assessment=assessment,
        label=label,
        created_by=user,
        expires_at=timezone.now() + timedelta(days=days),
        shows_names=shows_names,
        shows_notes=shows_notes,
        shows_files=shows_files,
    )
    parts = (("names", shows_names), ("notes", shows_notes), ("evidence files", shows_files))
    shown = " and ".join(part for part, on in parts if on) or "no names or notes"
    summary = f"{user.get_username()} created a {days}-day share link for {label} to “{assessment.title}” ({shown})"
    record(EventKind.SHARE_LINK_CREATED, summary, actor=user, team=assessment.team)
    return link


@transaction.atomic
def revoke_share_links(*, links: Iterable[ShareLink], by: AbstractBaseUser) -> int:
    """Stop the links that still work, each recorded in the security event log; returns how many were stopped."""
    revoked = 0
    for link in links:
        if ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
            summary = f"{by.get_username()} revoked the share link for {link.label} to “{link.assessment.title}”"
            record(EventKind.SHARE_LINK_REVOKED, summary, actor=by, team=link.assessment.team)
            revoked += 1
    return revoked


def revoke_share_link(*, link: ShareLink, by: AbstractBaseUser) -> None:
    revoke_share_links(links=[link], by=by)


def live_share_links(team: Team) -> QuerySet[ShareLink]:
    """The share links of the team's assessments that open results now, or will once their assessment is
    resubmitted."""
    return ShareLink.objects.filter(
        assessment__team=team,
        assessment__deleted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).select_related("assessment__team")


def note_share_link_used(*, link: ShareLink, what: str) -> None:
    summary = f"The share link for {link.label} opened the {what} of “{link.assessment.title}”"
    record(EventKind.SHARE_LINK_USED, summary, actor_name=f"share link for {link.label}", team=link.assessment.team)


def share_token(link: ShareLink) -> str:
    """A signed token naming the link; the signature stops anyone from guessing other links' ids."""
    return signing.dumps(link.pk, salt=SHARE_SALT)
