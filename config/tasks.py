"""What the task queue can tell about itself, whichever backend runs it."""

from datetime import UTC, datetime, timedelta

import django_rq
from django.db.models import Case, When
from django.tasks import task_backends
from django.tasks.backends.base import BaseTaskBackend
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max
from django_tasks_rq import RQBackend
from redis.exceptions import RedisError
from rq.registry import ScheduledJobRegistry


class TaskQueueUnavailable(Exception):
    """The queue's own store (Redis, for RQ) did not answer."""


def is_outside_the_transaction(backend: BaseTaskBackend) -> bool:
    """Whether a task queued inside a database transaction can reach a worker before that transaction commits.

    True of RQ, whose tasks go straight to Redis; not of the database queue (the task row commits with the rest)
    or of the immediate backend of tests (the task runs inside the transaction).
    """
    return isinstance(backend, RQBackend)


def oldest_task_wait() -> timedelta | None:
    """How long the oldest task that is due has waited for a worker; None where the backend cannot say."""
    backend = task_backends["default"]
    if isinstance(backend, DatabaseBackend):
        due_since = (
            DBTaskResult.objects.ready()
            # A task without a delay has run_after at the far end of time.
            .annotate(due_since=Case(When(run_after=get_date_max(), then="enqueued_at"), default="run_after"))
            .order_by("due_since")
            .values_list("due_since", flat=True)
            .first()
        )
        return timezone.now() - due_since if due_since else timedelta(0)
    if isinstance(backend, RQBackend):
        try:
            return max((_oldest_rq_wait(name) for name in backend.queues), default=timedelta(0))
        except RedisError as error:
            raise TaskQueueUnavailable(str(error)) from error
    return None


def _oldest_rq_wait(queue_name: str) -> timedelta:
    """The head of the queue, and the earliest deferred task that is due but still waits for a worker's scheduler
    to move it onto the queue: a few Redis reads whatever the queue's length."""
    queue = django_rq.get_queue(queue_name)
    now = timezone.now()
    waits = [timedelta(0)]
    if (head := queue.get_job_ids(0, 1)) and (job := queue.fetch_job(head[0])) and job.enqueued_at:
        waits.append(now - job.enqueued_at)
    scheduled = ScheduledJobRegistry(queue=queue)
    # The registry scores each task by the Unix time it is due at.
    if due := queue.connection.zrangebyscore(scheduled.key, 0, now.timestamp(), start=0, num=1, withscores=True):
        waits.append(now - datetime.fromtimestamp(due[0][1], tz=UTC))
    return max(waits)
