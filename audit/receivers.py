from audit.models import EventKind
from audit.services import record


def record_sign_in(sender, request, user, **kwargs) -> None:
    record(EventKind.SIGNED_IN, f"{user.get_username()} signed in", actor=user)


def record_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    # The username typed is kept as typed: it may name nobody, and saying whether it does is not the log's job.
    attempted = str(credentials.get("username") or credentials.get("login") or "")[:150]
    record(EventKind.SIGN_IN_FAILED, f"A sign-in as “{attempted}” failed", actor_name=attempted)
