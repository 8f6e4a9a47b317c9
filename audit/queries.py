from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from audit.models import EventKind, SecurityEvent


def sign_ins_of(user: AbstractBaseUser) -> QuerySet[SecurityEvent]:
    """A person's sign-ins and the failed attempts made with their username, newest first."""
    return SecurityEvent.objects.filter(
        Q(kind=EventKind.SIGNED_IN, actor_id=user.pk)
        | Q(kind=EventKind.SIGN_IN_FAILED, actor_name__iexact=user.get_username())
    )
