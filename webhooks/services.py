"""Database writes for webhooks: registering and removing them, and turning an event into deliveries.

Adding a webhook (which makes its signing secret) and removing one are security events: a webhook sends a team's
results out of the app. `emit` is called by the one service that makes each event happen, inside its transaction,
so a delivery exists exactly when the change it reports does; the worker is asked to send it once that commits.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlsplit

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from assessments.models import Team
from audit.models import EventKind
from audit.services import record
from webhooks.models import Delivery, EventType, Webhook
from webhooks.payloads import envelope, serialise
from webhooks.signing import new_secret
from webhooks.tasks import schedule


@dataclass(frozen=True)
class NewWebhook:
    webhook: Webhook
    secret: str  # shown to the lead once


def _origin(url: str) -> str:
    # A receiver's URL may carry its own token in the path (as chat webhooks do): the security log names the host.
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def _labels(events: Sequence[str]) -> str:
    return ", ".join(EventType(event).label.lower() for event in events)


@transaction.atomic
def create_webhook(*, team: Team, url: str, events: Sequence[str], user: AbstractBaseUser) -> NewWebhook:
    """Register `url` for `events`. The address is checked by the form and again before every delivery."""
    secret = new_secret()
    ordered = [event for event in EventType.values if event in events]
    webhook = Webhook.objects.create(team=team, url=url, events=ordered, secret=secret, created_by=user)
    summary = (
        f"{user.get_username()} added a webhook to {_origin(url)} for {_labels(ordered)}, with a new signing secret"
    )
    record(EventKind.WEBHOOK_ADDED, summary, actor=user, team=team)
    return NewWebhook(webhook, secret)


@transaction.atomic
def remove_webhook(*, webhook: Webhook, user: AbstractBaseUser) -> None:
    """Remove it with its delivery log; deliveries still waiting are not sent."""
    webhook.delete()
    summary = f"{user.get_username()} removed the webhook to {_origin(webhook.url)}"
    record(EventKind.WEBHOOK_REMOVED, summary, actor=user, team=webhook.team)


def emit(*, team: Team, event_type: EventType, data: dict) -> list[Delivery]:
    """One delivery of the event to each of the team's webhooks that wants it, sent after the caller commits."""
    webhooks = [webhook for webhook in Webhook.objects.filter(team=team) if webhook.wants(event_type)]
    if not webhooks:
        return []
    event_id, now = uuid.uuid4(), timezone.now()
    body = envelope(event_id=event_id, event_type=event_type, created_at=now, team=team, data=data)
    payload = serialise(body)
    deliveries = Delivery.objects.bulk_create(
        Delivery(webhook=webhook, event_id=event_id, event_type=event_type, payload=payload, next_attempt_at=now)
        for webhook in webhooks
    )
    for delivery in deliveries:
        transaction.on_commit(partial(schedule, delivery.pk, 1))
    return deliveries


@transaction.atomic
def redeliver(*, delivery: Delivery) -> Delivery:
    """Send a delivery again as a new one with its own attempts: the same body and event id, signed afresh."""
    again = Delivery.objects.create(
        webhook=delivery.webhook,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        payload=delivery.payload,
        redelivery_of=delivery,
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(partial(schedule, again.pk, 1))
    return again
