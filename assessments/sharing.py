"""Database writes for read-only share links. Each function is one transaction."""

from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.db import transaction
from django.utils import timezone

from assessments.models import Assessment, ShareLink


class NotSubmitted(Exception):
    """Only a submitted assessment can be shared."""


SHARE_SALT = "assessments.share-link"


@transaction.atomic
def create_share_link(*, assessment: Assessment, label: str, days: int, user: AbstractBaseUser) -> ShareLink:
    if not assessment.is_submitted:
        raise NotSubmitted()
    return ShareLink.objects.create(
        assessment=assessment, label=label, created_by=user, expires_at=timezone.now() + timedelta(days=days)
    )


@transaction.atomic
def revoke_share_link(*, link: ShareLink) -> None:
    ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def share_token(link: ShareLink) -> str:
    """A signed token naming the link; the signature stops anyone from guessing other links' ids."""
    return signing.dumps(link.pk, salt=SHARE_SALT)
