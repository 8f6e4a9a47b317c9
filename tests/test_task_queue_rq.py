"""The same tasks on Redis through RQ (TASKS_BACKEND=django_tasks_rq.RQBackend), run by a real `manage.py rqworker`
against the local Redis server and this session's test database."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import django_rq
import pytest
from django.db import connection
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import ReportStatus
from assessments.report_queue import request_report
from assessments.results import build_results
from config.tasks import oldest_task_wait
from tests.factories import submitted_assessment
from tests.fakes.webhook_receiver import WebhookReceiver
from webhooks import services as webhook_services
from webhooks.models import DeliveryState, EventType
from webhooks.tasks import schedule

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/13"  # a database of its own, flushed before and after each test
RQ_BACKEND = "django_tasks_rq.RQBackend"


def worker_database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def rq_queue(settings):
    """Tasks go to Redis; `run_worker()` runs a real RQ worker until the queue is empty, as a separate process."""
    settings.TASKS = {"default": {"BACKEND": RQ_BACKEND}}
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    redis = django_rq.get_connection("default")
    redis.flushdb()
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "TASKS_BACKEND": RQ_BACKEND,
        "REDIS_URL": REDIS_URL,
        "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "1",
        "DEBUG": "1",  # static files for the PDF from the source folders, as in the other tests
    }

    def run_worker() -> None:
        result = subprocess.run(  # noqa: S603 - a fixed command line
            [
                sys.executable,
                "manage.py",
                "rqworker",
                "--burst",
                "--with-scheduler",
                "--job-class",
                "django_tasks_rq.Job",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr[-3000:]

    yield run_worker
    redis.flushdb()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    with WebhookReceiver(secret="") as running:
        yield running


@pytest.mark.django_db(transaction=True)
def test_a_report_queued_on_redis_is_rendered_by_an_rq_worker(rq_queue, team, lead):
    assessment = submitted_assessment(team, lead)
    report = request_report(build_results(assessment))
    assert report.status == ReportStatus.QUEUED

    rq_queue()

    report.refresh_from_db()
    assert report.status == ReportStatus.READY and report.attempt == 1
    assert bytes(report.pdf).startswith(b"%PDF") and report.pages > 1


@pytest.mark.django_db
def test_a_report_goes_to_redis_after_its_row_commits(rq_queue, team, lead, django_capture_on_commit_callbacks):
    # Redis is outside the transaction: a worker taking the task at once would not yet see the queued row.
    queue = django_rq.get_queue("default")
    assessment = submitted_assessment(team, lead)
    with django_capture_on_commit_callbacks(execute=True):
        request_report(build_results(assessment))
        assert queue.count == 0
    assert queue.count == 1


@pytest.mark.django_db(transaction=True)
def test_a_webhook_queued_on_redis_is_delivered_by_an_rq_worker_and_logged(rq_queue, receiver, team, lead):
    url = f"http://localhost:{receiver.server.server_port}/mlops"
    added = webhook_services.create_webhook(team=team, url=url, events=[EventType.ASSESSMENT_REOPENED], user=lead)
    receiver.secret = added.secret
    assessment = submitted_assessment(team, lead)
    assessment_services.reopen_assessment(assessment=assessment, user=lead)

    rq_queue()

    delivery = added.webhook.deliveries.get()
    (request,) = receiver.verified
    assert request.body == delivery.payload.encode()
    assert (delivery.state, delivery.attempts) == (DeliveryState.DELIVERED, 1)
    assert delivery.attempt_log.get().status_code == 204


@pytest.mark.django_db(transaction=True)
def test_a_deferred_retry_waits_on_redis_until_it_is_due(rq_queue, receiver, team, lead):
    url = f"http://localhost:{receiver.server.server_port}/mlops"
    added = webhook_services.create_webhook(team=team, url=url, events=[EventType.ASSESSMENT_REOPENED], user=lead)
    receiver.secret = added.secret
    receiver.fail_next(500)
    assessment_services.reopen_assessment(assessment=submitted_assessment(team, lead), user=lead)
    rq_queue()
    delivery = added.webhook.deliveries.get()
    assert (delivery.state, delivery.attempts) == (DeliveryState.PENDING, 1)
    queue = django_rq.get_queue("default")
    # The worker deferred the retry on Redis (a minute away), where the scheduler keeps it until it is due.
    assert (queue.count, queue.scheduled_job_registry.count) == (0, 1)

    # Bring the retry forward to a second from now.
    queue.connection.flushdb()
    schedule(delivery.pk, 2, at=timezone.now() + timedelta(seconds=1))
    assert (queue.count, queue.scheduled_job_registry.count) == (0, 1)
    time.sleep(1.1)
    rq_queue()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.DELIVERED, 2)
    assert len(receiver.verified) == 1


@pytest.mark.django_db
def test_the_health_check_measures_how_long_the_oldest_task_has_waited_on_redis(rq_queue, settings, client, team):
    assert client.get("/healthz").json()["task_queue"] == "ok"
    schedule(12345, 1)  # no worker runs: it waits
    time.sleep(1.1)
    assert oldest_task_wait() >= timedelta(seconds=1)
    settings.TASK_QUEUE_MAX_WAIT_SECONDS = 0
    body = client.get("/healthz").json()
    assert (body["status"], body["task_queue"], body["failed"]) == ("degraded", "late", ["task_queue"])


@pytest.mark.django_db
def test_the_health_check_says_the_queue_is_down_when_redis_does_not_answer(rq_queue, settings, client):
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:9/0"}}  # nothing listens on the discard port
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "up", "task_queue": "down", "failed": ["task_queue"]}
