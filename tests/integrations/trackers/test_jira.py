"""The Jira client speaks Jira Cloud's documented REST API v3, checked on the fake's record of each request."""

import dataclasses

import httpx
import pytest

from integrations.trackers.errors import TrackerAuthFailed, TrackerRejected
from integrations.trackers.jira import JiraClient
from integrations.trackers.types import ExternalStatus
from tests.fakes.jira import is_adf


def test_creating_posts_a_task_in_the_project_with_an_atlassian_document(jira, item):
    result = jira.client.push(item)

    request = jira.fake.requests[-1]
    assert (request.method, request.path) == ("POST", "/rest/api/3/issue")
    assert request.basic_auth() == (jira.fake.email, jira.fake.api_token)
    assert request.headers["Content-Type"] == "application/json"
    fields = request.json()["fields"]
    assert fields["project"] == {"key": "OPS"}
    assert fields["issuetype"] == {"name": "Task"}
    assert fields["summary"] == item.title
    assert is_adf(fields["description"])
    assert {"type": "link", "attrs": {"href": item.guidance_url}} in _marks(fields["description"])
    assert (result.external_key, result.url) == ("OPS-1", f"{jira.fake.url}/browse/OPS-1")


def test_updating_puts_the_fields_to_the_same_issue(jira, item):
    key = jira.client.push(item).external_key

    result = jira.client.push(dataclasses.replace(item, title="Renamed", external_key=key))

    request = jira.fake.requests[-1]
    assert (request.method, request.path) == ("PUT", "/rest/api/3/issue/OPS-1")
    assert set(request.json()["fields"]) == {"summary", "description"}
    assert jira.fake.issues["OPS-1"]["fields"]["summary"] == "Renamed"
    assert result.external_key == "OPS-1"


def test_status_asks_for_the_status_field_only_and_in_progress_is_open(jira, item):
    key = jira.client.push(item).external_key
    jira.fake.set_status(key, "In Progress")

    assert jira.client.status(key) == ExternalStatus.OPEN
    assert jira.fake.requests[-1].query == {"fields": "status"}


def test_a_wrong_api_token_is_refused(jira, item):
    client = JiraClient(
        site_url=jira.fake.url, project_key="OPS", email=jira.fake.email, api_token="wrong", timeout=0.5
    )

    with pytest.raises(TrackerAuthFailed, match="API token"):
        client.push(item)


def test_an_unknown_project_is_refused_with_jiras_field_message(jira, item):
    client = JiraClient(
        site_url=jira.fake.url, project_key="NOPE", email=jira.fake.email, api_token=jira.fake.api_token
    )

    with pytest.raises(TrackerRejected) as raised:
        client.push(item)

    assert raised.value.detail == "project: valid project is required"
    assert jira.fake.issues == {}


def test_an_issue_key_must_look_like_one(jira):
    with pytest.raises(ValueError, match="OPS-12"):
        jira.client.status("../../myself")


def test_the_fake_refuses_a_description_that_is_not_an_atlassian_document(jira, item):
    jira.client.push(item)
    request = jira.fake.requests[-1]
    body = request.json()
    body["fields"]["description"] = "plain text"

    response = httpx.post(f"{jira.fake.url}/rest/api/3/issue", json=body, auth=(jira.fake.email, jira.fake.api_token))

    assert response.status_code == 400
    assert "Atlassian Document" in response.json()["errors"]["description"]


def _marks(node: dict) -> list[dict]:
    found = list(node.get("marks", []))
    for child in node.get("content", []):
        found += _marks(child)
    return found
