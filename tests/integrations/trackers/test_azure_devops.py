"""The Azure DevOps client speaks the documented Work Items REST API 7.1, checked on the fake's record of requests."""

import dataclasses

import httpx
import pytest

from integrations.trackers.azure_devops import AzureDevOpsClient
from integrations.trackers.errors import TrackerAuthFailed, TrackerRejected
from integrations.trackers.types import ExternalStatus


def test_creating_posts_a_json_patch_for_a_task_with_html_description_and_tags(azure_devops, item):
    result = azure_devops.client.push(item)

    request = azure_devops.fake.requests[-1]
    assert (request.method, request.path) == ("POST", "/acme/Fraud%20Model/_apis/wit/workitems/$Task")
    assert request.query == {"api-version": "7.1"}
    assert request.headers["Content-Type"] == "application/json-patch+json"
    assert request.basic_auth() == ("", azure_devops.fake.token)
    values = {operation["path"]: operation["value"] for operation in request.json()}
    assert all(operation["op"] == "add" for operation in request.json())
    assert values["/fields/System.Title"] == item.title
    assert f'<a href="{item.guidance_url}"' in values["/fields/System.Description"]
    assert values["/fields/System.Tags"] == "mlops-assessment; experiment-tracking"
    assert result.external_key == "101"
    assert result.url == "https://dev.azure.com/acme/Fraud%20Model/_workitems/edit/101"


def test_updating_patches_title_and_description_and_leaves_the_tags_alone(azure_devops, item):
    key = azure_devops.client.push(item).external_key
    azure_devops.fake.work_items[int(key)]["fields"]["System.Tags"] = "mlops-assessment; experiment-tracking; q3"

    azure_devops.client.push(dataclasses.replace(item, title="Renamed", external_key=key))

    request = azure_devops.fake.requests[-1]
    assert (request.method, request.path) == ("PATCH", "/acme/Fraud%20Model/_apis/wit/workitems/101")
    fields = azure_devops.fake.work_items[101]["fields"]
    assert fields["System.Title"] == "Renamed"
    assert fields["System.Tags"].endswith("q3")


@pytest.mark.parametrize("state", ["Done", "Closed", "Resolved", "Removed"])
def test_every_finished_state_reads_as_done(azure_devops, item, state):
    key = azure_devops.client.push(item).external_key
    azure_devops.fake.set_state(int(key), state)

    assert azure_devops.client.status(key) == ExternalStatus.DONE


@pytest.mark.parametrize("state", ["To Do", "Doing", "New", "Active"])
def test_unfinished_states_read_as_open(azure_devops, item, state):
    key = azure_devops.client.push(item).external_key
    azure_devops.fake.set_state(int(key), state)

    assert azure_devops.client.status(key) == ExternalStatus.OPEN


def test_a_wrong_token_is_refused(azure_devops, item):
    fake = azure_devops.fake
    client = AzureDevOpsClient(organization="acme", project=fake.project, token="wrong", base_url=fake.url)

    with pytest.raises(TrackerAuthFailed, match="Work Items"):
        client.push(item)


def test_an_unknown_project_is_refused_with_the_vendors_message(azure_devops, item):
    fake = azure_devops.fake
    client = AzureDevOpsClient(organization="acme", project="Elsewhere", token=fake.token, base_url=fake.url)

    with pytest.raises(TrackerRejected, match="TF200016"):
        client.push(item)


def test_the_fake_refuses_a_plain_json_body(azure_devops):
    response = httpx.post(
        f"{azure_devops.fake.url}/acme/Fraud%20Model/_apis/wit/workitems/$Task",
        params={"api-version": "7.1"},
        json=[{"op": "add", "path": "/fields/System.Title", "value": "x"}],
        auth=("", azure_devops.fake.token),
    )

    assert response.status_code == 400
    assert response.json()["typeKey"] == "VssRequestContentTypeNotSupportedException"
