"""The demo team's webhook, with a delivery log to read from the first visit: one delivery that went through at
once, one that needed a second try. Its host is under .invalid, so any new event the demo sends fails to resolve
(and is logged and retried) without a request ever leaving the machine."""

import uuid
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from assessments.models import Assessment, Team
from assessments.results import score_many
from webhooks import services
from webhooks.models import Attempt, Delivery, DeliveryState, EventType
from webhooks.payloads import action_data, assessment_submitted_data, envelope, serialise

DEMO_URL = "https://hooks.fraud-detection.demo.invalid/mlops-maturity"


def add_demo_webhook(*, team: Team, lead: AbstractBaseUser, assessment: Assessment) -> None:
    """`assessment` is a submitted one with tracked actions."""
    webhook = services.create_webhook(team=team, url=DEMO_URL, events=EventType.values, user=lead).webhook
    submitted_at = assessment.submitted_at
    action = assessment.actions.order_by("pk").first()
    score = score_many([assessment])[assessment.pk]
    changed_at = timezone.now() - timedelta(days=12)
    submitted = assessment_submitted_data(assessment, score, submitted_at=submitted_at)
    logged = [
        (EventType.ASSESSMENT_SUBMITTED, submitted_at, submitted, [200]),
        (EventType.ACTION_STATUS_CHANGED, changed_at, action_data(action, previous_status="doing"), [503, 200]),
    ]
    for event_type, at, data, answers in logged:
        event_id = uuid.uuid4()
        body = envelope(event_id=event_id, event_type=event_type, created_at=at, team=team, data=data)
        delivery = Delivery.objects.create(
            webhook=webhook,
            event_id=event_id,
            event_type=event_type,
            payload=serialise(body),
            state=DeliveryState.DELIVERED,
            attempts=len(answers),
        )
        Delivery.objects.filter(pk=delivery.pk).update(created_at=at)
        for number, status_code in enumerate(answers, start=1):
            Attempt.objects.create(
                delivery=delivery,
                number=number,
                at=at + timedelta(minutes=number - 1),
                status_code=status_code,
                error="" if status_code == 200 else f"Answered HTTP {status_code}",
                duration_ms=140 + 35 * number,
            )
