"""Webhook deliveries, sent by the background worker (`db_worker`, or `rqworker` on Redis), retried with back-off.

Each task carries the attempt it makes. It first claims that attempt by raising the delivery's count from the one
before; a second task for the same attempt (a retry that the worker and `deliver_webhooks` both queued) finds the
count already raised and does nothing, so a receiver never gets one attempt twice.
"""

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from webhooks import client
from webhooks.backoff import retry_delay
from webhooks.models import Attempt, Delivery, DeliveryState
from webhooks.signing import SIGNATURE_HEADER, sign

logger = logging.getLogger(__name__)

# A claimed attempt whose worker died is due again after this long (see `manage.py deliver_webhooks`).
CLAIM_TIMEOUT = timedelta(minutes=2)


def schedule(delivery_id: int, attempt: int, *, at: datetime | None = None) -> None:
    """Queue an attempt now, or at `at` on a backend that can defer tasks. On one that cannot (the immediate
    backend of tests) a later attempt stays pending, due at its next_attempt_at, for `manage.py deliver_webhooks`."""
    if at is None:
        deliver.enqueue(delivery_id, attempt)
    elif deliver.get_backend().supports_defer:
        deliver.using(run_after=at).enqueue(delivery_id, attempt)


def queue_due_deliveries() -> int:
    """Queue the next attempt of every pending delivery that is due; the claim in `deliver` drops any duplicate."""
    due = Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=timezone.now())
    rows = list(due.values_list("pk", "attempts"))
    for delivery_id, attempts in rows:
        schedule(delivery_id, attempts + 1)
    return len(rows)


@task()
def deliver(delivery_id: int, attempt: int) -> None:
    now = timezone.now()
    claimed = Delivery.objects.filter(pk=delivery_id, state=DeliveryState.PENDING, attempts=attempt - 1).update(
        attempts=attempt, next_attempt_at=now + CLAIM_TIMEOUT
    )
    if not claimed:
        return  # delivered, given up, removed with its webhook, or this attempt already made
    delivery = Delivery.objects.select_related("webhook").get(pk=delivery_id)
    body = delivery.payload.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "MLOps-Maturity-Webhooks/1",
        "X-MLOps-Event": delivery.event_type,
        "X-MLOps-Event-Id": str(delivery.event_id),
        SIGNATURE_HEADER: sign(delivery.webhook.secret, int(time.time()), body),
    }
    started = time.perf_counter()
    status_code, error, lasting = None, "", False
    try:
        status_code = client.post(
            delivery.webhook.url, body, headers, allow_private=settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES
        )
    except client.DeliveryFailed as failure:
        error, lasting = failure.message, failure.lasting
    else:
        if 300 <= status_code < 400:
            error = f"Answered HTTP {status_code}: redirects are not followed"
        elif not 200 <= status_code < 300:
            error = f"Answered HTTP {status_code}"
    Attempt.objects.create(
        delivery=delivery,
        number=attempt,
        at=now,
        status_code=status_code,
        error=error[:300],
        duration_ms=round((time.perf_counter() - started) * 1000),
    )
    _settle(delivery, attempt, error=error, lasting=lasting)


def _settle(delivery: Delivery, attempt: int, *, error: str, lasting: bool) -> None:
    this_attempt = Delivery.objects.filter(pk=delivery.pk, attempts=attempt)
    delay = None if lasting else retry_delay(attempt)
    if not error:
        this_attempt.update(state=DeliveryState.DELIVERED, next_attempt_at=None)
    elif delay is None:
        logger.info("webhook delivery %s failed for good after attempt %s: %s", delivery.pk, attempt, error)
        this_attempt.update(state=DeliveryState.FAILED, next_attempt_at=None)
    else:
        due = timezone.now() + delay
        this_attempt.update(next_attempt_at=due)
        schedule(delivery.pk, attempt + 1, at=due)
