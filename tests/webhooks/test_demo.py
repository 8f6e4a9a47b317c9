import json

import pytest
from django.urls import reverse

from assessments import tracking
from assessments.results import build_results
from tests.factories import submitted_assessment
from webhooks.demo import add_demo_webhook
from webhooks.models import DeliveryState, Webhook

pytestmark = pytest.mark.django_db


def test_the_demo_webhook_has_a_delivery_log_to_show(client_for, team, lead):
    assessment = submitted_assessment(team, lead)
    tracking.track_action(assessment=assessment, item=build_results(assessment).plan[0], user=lead)
    add_demo_webhook(team=team, lead=lead, assessment=assessment)

    webhook = Webhook.objects.get(team=team)
    deliveries = {d.event_type: d for d in webhook.deliveries.all()}
    assert {d.state for d in deliveries.values()} == {DeliveryState.DELIVERED}
    tries = {event: [a.status_code for a in d.attempt_log.all()] for event, d in deliveries.items()}
    assert tries == {"assessment.submitted": [200], "action.status_changed": [503, 200]}
    assert json.loads(deliveries["assessment.submitted"].payload)["data"]["assessment"]["id"] == assessment.pk
    page = client_for(lead).get(reverse("webhooks:deliveries", args=[team.pk, webhook.pk]))
    assert page.status_code == 200 and "HTTP 503" in page.content.decode()
