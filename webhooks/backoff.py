"""When a failed webhook delivery is tried again.

After failed attempt n, the next waits FIRST_RETRY * 4 ** (n - 1): 1, 4, 16, 64 and 256 minutes. The sixth
failure is the last; the delivery is then marked failed, about five and a half hours after the first try, and a lead
can send it again from the delivery log.
"""

from datetime import timedelta

MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(minutes=1)


def retry_delay(attempt: int) -> timedelta | None:
    """How long to wait after failed attempt `attempt` (counted from 1), or None when it was the last."""
    if attempt >= MAX_ATTEMPTS:
        return None
    return FIRST_RETRY * 4 ** (attempt - 1)
