"""Writing security events. Services call `record` inside their own transaction, so an event is kept exactly
when the change it describes is."""

from django.contrib.auth.models import AbstractBaseUser

from audit.models import EventKind, SecurityEvent
from config.client_ip import client_address_var
from config.logging import request_id_var


def record(
    kind: EventKind,
    summary: str,
    *,
    actor: AbstractBaseUser | None = None,
    actor_name: str = "",
    team=None,
    organisation_id: int | None = None,
) -> SecurityEvent:
    """Append one event. `team` places it in that team's and organisation's logs; the address and request id come
    from the request being served (none for a management command)."""
    signed_in = actor is not None and actor.is_authenticated
    return SecurityEvent.objects.create(
        kind=kind,
        summary=summary[:400],
        actor_id=actor.pk if signed_in else None,
        actor_name=actor.get_username() if signed_in else actor_name,
        team_id=team.pk if team is not None else None,
        organisation_id=team.organisation_id if team is not None else organisation_id,
        address=client_address_var.get(),
        request_id="" if request_id_var.get() == "-" else request_id_var.get(),
    )


def note_download(kind: EventKind, what: str, user: AbstractBaseUser, assessment) -> None:
    """A report or export left the app: who took which assessment's data."""
    record(kind, f"{user.get_username()} downloaded {what}", actor=user, team=assessment.team)
