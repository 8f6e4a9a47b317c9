"""What the task queue can tell about itself, whichever backend runs it."""

from datetime import timedelta

from django.db.models import Case, When
from django.tasks import task_backends
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max


def oldest_task_wait() -> timedelta | None:
    """How long the oldest task that is due has waited for a worker; None where the backend cannot say."""
    if isinstance(task_backends["default"], DatabaseBackend):
        due_since = (
            DBTaskResult.objects.ready()
            # A task without a delay has run_after at the far end of time.
            .annotate(due_since=Case(When(run_after=get_date_max(), then="enqueued_at"), default="run_after"))
            .order_by("due_since")
            .values_list("due_since", flat=True)
            .first()
        )
        return timezone.now() - due_since if due_since else timedelta(0)
    return None
