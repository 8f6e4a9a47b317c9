import pytest

from tests.fakes.webhook_receiver import WebhookReceiver
from webhooks import services
from webhooks.models import EventType


@pytest.fixture
def receiver(settings):
    """A receiver on 127.0.0.1, which the operator setting lets webhooks reach."""
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    with WebhookReceiver(secret="") as running:
        yield running


@pytest.fixture
def webhook(team, lead, receiver):
    """The team's webhook for reopened assessments (one call makes that event), addressed by name (localhost) to the
    receiver, which knows its secret."""
    url = f"http://localhost:{receiver.server.server_port}/mlops"
    added = services.create_webhook(team=team, url=url, events=[EventType.ASSESSMENT_REOPENED], user=lead)
    receiver.secret = added.secret
    return added.webhook
