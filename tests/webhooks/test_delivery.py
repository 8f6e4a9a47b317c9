import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments import services as assessment_services
from tests.factories import submitted_assessment
from webhooks import addresses, client, services
from webhooks.backoff import MAX_ATTEMPTS
from webhooks.models import Delivery, DeliveryState, EventType
from webhooks.tasks import deliver

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Runs the code under test and then the deliveries it queued, as the worker would once it commits."""

    def run(change):
        with django_capture_on_commit_callbacks(execute=True):
            return change()

    return run


def _reopen(team, lead, sent):
    assessment = submitted_assessment(team, lead)
    sent(lambda: assessment_services.reopen_assessment(assessment=assessment, user=lead))
    return assessment


def test_a_delivery_reaches_the_receiver_signed_as_the_readme_says(team, lead, webhook, receiver, sent):
    _reopen(team, lead, sent)

    (request,) = receiver.verified
    delivery = webhook.deliveries.get()
    assert request.method == "POST" and request.path == "/mlops"
    assert request.body == delivery.payload.encode()
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-MLOps-Event"] == "assessment.reopened"
    assert request.headers["X-MLOps-Event-Id"] == str(delivery.event_id) == json.loads(request.body)["id"]


def test_the_request_names_the_host_of_the_url_though_it_connects_to_a_checked_address(
    team, lead, webhook, receiver, sent
):
    _reopen(team, lead, sent)
    assert receiver.verified[0].headers["Host"] == f"localhost:{receiver.server.server_port}"


def test_a_delivered_attempt_is_logged_with_its_answer(team, lead, webhook, sent):
    _reopen(team, lead, sent)
    delivery = webhook.deliveries.get()
    (attempt,) = delivery.attempt_log.all()
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 1 and delivery.next_attempt_at is None
    assert (attempt.number, attempt.status_code, attempt.error) == (1, 204, "")
    assert attempt.duration_ms is not None


def test_a_server_error_is_tried_again_after_a_minute(team, lead, webhook, receiver, sent):
    receiver.fail_next(500)
    before = timezone.now()
    _reopen(team, lead, sent)

    delivery = webhook.deliveries.get()
    (attempt,) = delivery.attempt_log.all()
    assert (attempt.status_code, attempt.error) == (500, "Answered HTTP 500")
    assert delivery.state == DeliveryState.PENDING and delivery.attempts == 1
    assert before + timedelta(minutes=1) <= delivery.next_attempt_at <= timezone.now() + timedelta(minutes=1)
    assert receiver.verified == []


def test_the_retry_goes_out_once_it_is_due(team, lead, webhook, receiver, sent):
    receiver.fail_next(500)
    _reopen(team, lead, sent)
    call_command("deliver_webhooks", stdout=None)  # not due yet: nothing is sent
    assert len(receiver.requests) == 1

    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    call_command("deliver_webhooks")

    delivery = webhook.deliveries.get()
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 204]
    assert delivery.state == DeliveryState.DELIVERED and len(receiver.verified) == 1


def test_the_last_attempt_that_fails_marks_the_delivery_failed(team, lead, webhook, receiver):
    delivery = services.emit(team=team, event_type=EventType.ASSESSMENT_REOPENED, data={})[0]
    Delivery.objects.filter(pk=delivery.pk).update(attempts=MAX_ATTEMPTS - 1)
    receiver.fail_next(503)
    deliver.call(delivery.pk, MAX_ATTEMPTS)

    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED and delivery.next_attempt_at is None


def test_an_attempt_is_made_once_however_often_it_is_queued(team, lead, webhook, receiver):
    delivery = services.emit(team=team, event_type=EventType.ASSESSMENT_REOPENED, data={})[0]
    deliver.call(delivery.pk, 1)
    deliver.call(delivery.pk, 1)
    assert len(receiver.requests) == 1 and delivery.attempt_log.count() == 1


def test_a_redirect_is_not_followed(team, lead, webhook, receiver, sent):
    receiver.fail_next(302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    _reopen(team, lead, sent)
    (attempt,) = webhook.deliveries.get().attempt_log.all()
    assert attempt.status_code == 302 and "redirects are not followed" in attempt.error
    assert len(receiver.requests) == 1


def test_a_receiver_that_does_not_answer_in_time_is_logged(team, lead, webhook, receiver, sent, monkeypatch):
    monkeypatch.setattr(client, "TIMEOUT", 0.3)
    receiver.hang_next(3)
    _reopen(team, lead, sent)
    (attempt,) = webhook.deliveries.get().attempt_log.all()
    assert attempt.status_code is None and "did not answer within 0.3 seconds" in attempt.error


def test_an_address_the_operator_no_longer_allows_is_refused_when_delivering(
    team, lead, webhook, receiver, sent, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False  # turned off after the webhook was added
    _reopen(team, lead, sent)

    delivery = webhook.deliveries.get()
    (attempt,) = delivery.attempt_log.all()
    assert receiver.requests == []
    assert attempt.status_code is None and "https://" in attempt.error
    assert delivery.state == DeliveryState.FAILED  # waiting would not change it


def test_a_name_that_now_resolves_to_a_private_address_is_refused_when_delivering(team, lead, sent, monkeypatch):
    webhook = services.create_webhook(
        team=team, url="https://hooks.example.com/mlops", events=[EventType.ASSESSMENT_REOPENED], user=lead
    ).webhook
    monkeypatch.setattr(addresses, "resolve", lambda host, port: ["10.0.0.5"])  # DNS changed since it was added
    _reopen(team, lead, sent)

    delivery = webhook.deliveries.get()
    (attempt,) = delivery.attempt_log.all()
    assert attempt.status_code is None and "10.0.0.5" in attempt.error and "public internet" in attempt.error
    assert delivery.state == DeliveryState.FAILED


def test_a_redelivery_sends_the_same_body_and_event_id_signed_afresh(team, lead, webhook, receiver, sent):
    _reopen(team, lead, sent)
    first = webhook.deliveries.get()
    again = sent(lambda: services.redeliver(delivery=first))

    assert again.pk != first.pk and again.redelivery_of == first
    assert [r.body for r in receiver.verified] == [first.payload.encode()] * 2
    assert receiver.verified[1].headers["X-MLOps-Event-Id"] == str(first.event_id)
    again.refresh_from_db()
    assert again.state == DeliveryState.DELIVERED and again.attempts == 1


def test_a_removed_webhooks_waiting_deliveries_are_not_sent(team, lead, webhook, receiver):
    delivery = services.emit(team=team, event_type=EventType.ASSESSMENT_REOPENED, data={})[0]
    services.remove_webhook(webhook=webhook, user=lead)
    deliver.call(delivery.pk, 1)
    assert receiver.requests == [] and not Delivery.objects.exists()


def test_a_wrong_secret_is_what_the_receiver_refuses(team, lead, webhook, receiver, sent):
    receiver.secret = "whsec_not_the_one"
    _reopen(team, lead, sent)
    (attempt,) = webhook.deliveries.get().attempt_log.all()
    assert attempt.status_code == 401 and receiver.verified == []


def test_a_name_that_does_not_resolve_is_tried_again(team, lead, sent, monkeypatch):
    webhook = services.create_webhook(
        team=team, url="https://hooks.example.com/mlops", events=[EventType.ASSESSMENT_REOPENED], user=lead
    ).webhook

    def not_found(host, port):
        raise addresses.RefusedURL(f"The name {host} could not be found.", lasting=False)

    monkeypatch.setattr(addresses, "resolve", not_found)
    _reopen(team, lead, sent)

    delivery = webhook.deliveries.get()
    assert delivery.state == DeliveryState.PENDING and delivery.next_attempt_at > timezone.now()
    assert "could not be found" in delivery.attempt_log.get().error


@pytest.fixture
def database_queue(settings, monkeypatch):
    """Deliveries go through the real database queue; `run_worker()` runs whatever a worker would pick up now."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # The worker drops connections it thinks stale, which would end this test's transaction.
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    return lambda: call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def test_on_the_database_queue_the_worker_sends_and_schedules_the_retry(
    team, lead, webhook, receiver, sent, database_queue
):
    receiver.fail_next(500)
    _reopen(team, lead, sent)
    assert receiver.requests == []  # queued, not sent inline

    database_queue()
    delivery = webhook.deliveries.get()
    retry = DBTaskResult.objects.get(status="READY")
    assert len(receiver.requests) == 1 and delivery.attempts == 1
    assert retry.args_kwargs["args"] == [delivery.pk, 2] and retry.run_after == delivery.next_attempt_at

    database_queue()  # not due yet
    assert len(receiver.requests) == 1
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    database_queue()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and len(receiver.verified) == 1
