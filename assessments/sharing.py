"""Database writes for read-only share links. Each function is one transaction."""

from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.db import transaction
from django.utils import timezone

from assessments.models import Assessment, ShareLink
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
    )
    shown = (
        " and ".join(part for part, on in (("names", shows_names), ("notes", shows_notes)) if on) or "no names or notes"
    )
    summary = f"{user.get_username()} created a {days}-day share link for {label} to “{assessment.title}” ({shown})"
    record(EventKind.SHARE_LINK_CREATED, summary, actor=user, team=assessment.team)
    return link


@transaction.atomic
def revoke_share_link(*, link: ShareLink, by: AbstractBaseUser) -> None:
    if ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
        summary = f"{by.get_username()} revoked the share link for {link.label} to “{link.assessment.title}”"
        record(EventKind.SHARE_LINK_REVOKED, summary, actor=by, team=link.assessment.team)


def note_share_link_used(*, link: ShareLink, what: str) -> None:
    summary = f"The share link for {link.label} opened the {what} of “{link.assessment.title}”"
    record(EventKind.SHARE_LINK_USED, summary, actor_name=f"share link for {link.label}", team=link.assessment.team)


def share_token(link: ShareLink) -> str:
    """A signed token naming the link; the signature stops anyone from guessing other links' ids."""
    return signing.dumps(link.pk, salt=SHARE_SALT)
