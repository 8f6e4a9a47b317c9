"""Evidence files in an S3-compatible bucket: moto's S3 server, run locally, speaking the real protocol to boto3."""

import socket

import boto3
import pytest
from botocore.config import Config
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer

from assessments import services
from assessments.models import EvidenceFile
from playbook.published import load_practices

BUCKET = "evidence-test"
CREDENTIALS = {"access_key": "testing", "secret_key": "testing"}
RUNBOOK = b"# Rollback runbook\n\n1. Pin the previous model version.\n"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _s3_storage(endpoint: str, **options) -> dict:
    """The evidence storage as config/settings.py makes it when EVIDENCE_S3_BUCKET is set."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": BUCKET,
            "endpoint_url": endpoint,
            "region_name": "us-east-1",
            "addressing_style": "path",
            "default_acl": None,
            "querystring_auth": False,
            "file_overwrite": False,
            **CREDENTIALS,
            **options,
        },
    }


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    yield endpoint
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings):
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = settings.STORAGES | {"evidence": _s3_storage(s3_endpoint)}
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


@pytest.fixture
def draft(team, lead):
    return services.create_assessment(team=team, user=lead, title="Spring review")


@pytest.fixture
def practice(draft):
    return load_practices(draft.playbook, draft.playbook.challenges.first())[0]


def _upload(client, assessment, practice):
    url = reverse("assessments:evidence_upload", args=[assessment.pk, practice.challenge.slug, practice.slug])
    return client.post(url, {"file": SimpleUploadedFile("runbook.md", RUNBOOK)}, follow=True)


def test_an_upload_lands_in_the_bucket_privately_and_downloads_through_the_app(
    bucket, client_for, member, viewer, draft, practice
):
    assert "Attached “runbook.md”" in _upload(client_for(member), draft, practice).text
    stored = EvidenceFile.objects.get(assessment=draft)
    assert bucket.get_object(Bucket=BUCKET, Key=stored.stored_name)["Body"].read() == RUNBOOK
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=stored.stored_name)["Grants"]
    assert all(grant["Grantee"].get("URI") != ALL_USERS for grant in grants)  # not public

    response = client_for(viewer).get(reverse("assessments:evidence_download", args=[draft.pk, stored.pk]))
    assert b"".join(response.streaming_content) == RUNBOOK
    assert response["Content-Disposition"].startswith("attachment;")
    assert "amazonaws" not in response.get("Location", "") and response.status_code == 200  # streamed, no redirect


def test_removing_a_file_removes_the_object(bucket, client_for, member, draft, practice):
    _upload(client_for(member), draft, practice)
    stored = EvidenceFile.objects.get(assessment=draft)
    client_for(member).post(reverse("assessments:evidence_delete", args=[draft.pk, stored.pk]))
    assert bucket.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0


def test_an_unreachable_bucket_saves_nothing_and_says_so(settings, client_for, member, draft, practice):
    # A closed local port: the S3 client fails to connect at once (one attempt, no retries).
    closed = f"http://127.0.0.1:{_free_port()}"
    no_retries = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=1)
    settings.STORAGES = settings.STORAGES | {"evidence": _s3_storage(closed, client_config=no_retries)}
    response = _upload(client_for(member), draft, practice)
    assert "The file was not saved: storage unavailable" in response.text
    assert not EvidenceFile.objects.exists()
