"""Webhooks: a URL of a team's own that hears about its assessments and actions, and the log of what was sent.

A delivery is one event sent to one webhook; each try at sending it is an attempt. The payload is kept exactly as
sent, so a redelivery sends the same bytes (and the same event id, by which a receiver can ignore a repeat).
"""

import uuid

from django.conf import settings
from django.db import models

from assessments.models import Team


class EventType(models.TextChoices):
    ASSESSMENT_SUBMITTED = "assessment.submitted", "Assessment submitted"
    ASSESSMENT_REOPENED = "assessment.reopened", "Assessment reopened"
    ACTION_CREATED = "action.created", "Action created"
    ACTION_STATUS_CHANGED = "action.status_changed", "Action status changed"


class Webhook(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list, help_text="The EventType values it is sent")
    # Kept as it is because signing needs it (a hash cannot sign); shown once, never in pages, logs or the admin.
    secret = models.CharField(max_length=100)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.url

    def __repr__(self) -> str:
        return f"<Webhook {self.pk} {self.url}>"  # never the secret

    def wants(self, event_type: str) -> bool:
        return event_type in self.events

    @property
    def event_labels(self) -> list[str]:
        return [label for value, label in EventType.choices if value in self.events]


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(default=uuid.uuid4, help_text="The event's id, also in the payload")
    event_type = models.CharField(max_length=40, choices=EventType.choices)
    payload = models.TextField(help_text="The JSON body exactly as sent")
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Raised by each claim, so a repeat is ignored")
    next_attempt_at = models.DateTimeField(null=True, blank=True, help_text="When a pending delivery is due")
    redelivery_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="webhooks_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} to {self.webhook_id}"


class Attempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True, help_text="None: no answer")
    error = models.CharField(max_length=300, blank=True, help_text="Why it failed, fit to show the lead")
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["number", "pk"]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
