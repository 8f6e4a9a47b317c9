"""Creating, using and revoking personal access tokens. Each write is one transaction and one security event."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from api.models import ApiToken, TokenScope
from audit.models import EventKind
from audit.services import record

TOKEN_START = "mma_"  # noqa: S105 - a public marker that says what a token is, not a secret
# Recording every use would write a row per request; once a minute is enough to say "last used".
LAST_USE_PRECISION = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # the whole token, shown to its owner once


@transaction.atomic
def create_token(*, user: AbstractBaseUser, name: str, scope: TokenScope, days: int) -> NewToken:
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name,
        scope=scope,
        prefix=prefix,
        digest=_digest(secret),
        expires_at=timezone.now() + timedelta(days=days),
    )
    summary = (
        f"{user.get_username()} created the {token.get_scope_display().lower()} API token “{name}” for {days} days"
    )
    record(EventKind.TOKEN_CREATED, summary, actor=user)
    return NewToken(token, secret)


@transaction.atomic
def revoke_token(*, token: ApiToken, by: AbstractBaseUser) -> None:
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
        record(EventKind.TOKEN_REVOKED, f"{by.get_username()} revoked the API token “{token.name}”", actor=by)


def token_for(secret: str) -> ApiToken | None:
    """The active token a secret names, or None; its last use is noted (at most once a minute)."""
    parts = secret.removeprefix(TOKEN_START).split("_", 1)
    if not secret.startswith(TOKEN_START) or len(parts) != 2:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[0]).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(secret)) or not token.is_active:
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USE_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
