"""The GitHub client speaks GitHub's documented Issues API, checked on the fake's record of each request."""

import dataclasses

import httpx
import pytest

from integrations.trackers.errors import TrackerAuthFailed, TrackerRateLimited, TrackerRejected
from integrations.trackers.github import GitHubClient
from integrations.trackers.types import ExternalStatus


def test_creating_posts_title_and_markdown_body_with_the_documented_headers(github, item):
    result = github.client.push(item)

    request = github.fake.requests[-1]
    assert (request.method, request.path) == ("POST", "/repos/acme/fraud-model/issues")
    assert request.headers["Authorization"] == f"Bearer {github.fake.token}"
    assert request.headers["Accept"] == "application/vnd.github+json"
    assert request.headers["X-GitHub-Api-Version"] == "2022-11-28"
    body = request.json()
    assert body["title"] == item.title
    assert f"({item.guidance_url})" in body["body"]
    assert "Reliance on notebooks" in body["body"] and "1 to 2" in body["body"]
    assert result.url == "https://github.com/acme/fraud-model/issues/1"


def test_updating_patches_the_same_issue(github, item):
    key = github.client.push(item).external_key

    github.client.push(dataclasses.replace(item, title="Renamed", external_key=key))

    request = github.fake.requests[-1]
    assert (request.method, request.path) == ("PATCH", "/repos/acme/fraud-model/issues/1")
    assert github.fake.issues[1]["title"] == "Renamed"


def test_an_issue_closed_as_not_planned_also_reads_as_done(github, item):
    key = github.client.push(item).external_key
    github.fake.close(int(key), reason="not_planned")

    assert github.client.status(key) == ExternalStatus.DONE


def test_a_wrong_token_is_refused(github, item):
    client = GitHubClient(repository=github.fake.repository, token="github_pat_wrong", base_url=github.fake.url)

    with pytest.raises(TrackerAuthFailed, match="Issues read and write"):
        client.push(item)


def test_the_primary_rate_limit_is_a_403_with_no_requests_left_until_the_reset(github, item):
    github.fake.rate_limit_next(reset_in=120)

    with pytest.raises(TrackerRateLimited) as raised:
        github.client.push(item)

    assert 118 <= raised.value.retry_after <= 120
    assert "try again in 2 minutes" in raised.value.message


def test_a_403_without_rate_limit_headers_is_a_refused_token(github, item):
    github.fake.fail_next(403)

    with pytest.raises(TrackerAuthFailed):
        github.client.push(item)


def test_a_validation_failure_carries_githubs_message(github, item):
    github.fake.fail_next(422)

    with pytest.raises(TrackerRejected) as raised:
        github.client.push(item)

    assert raised.value.detail == "Validation Failed"


def test_an_unknown_repository_is_a_refusal_not_a_deleted_issue(github, item):
    client = GitHubClient(repository="acme/elsewhere", token=github.fake.token, base_url=github.fake.url)

    with pytest.raises(TrackerRejected, match="Not Found"):
        client.push(item)


def test_a_repository_must_be_written_owner_slash_name():
    with pytest.raises(ValueError, match="owner/name"):
        GitHubClient(repository="acme", token="t")


def test_an_issue_number_must_be_a_number(github):
    with pytest.raises(ValueError):
        github.client.status("1/../../other")


def test_the_fake_refuses_a_request_without_the_api_version_header(github):
    response = httpx.post(
        f"{github.fake.url}/repos/acme/fraud-model/issues",
        json={"title": "x"},
        headers={"Authorization": f"Bearer {github.fake.token}", "Accept": "application/vnd.github+json"},
    )

    assert response.status_code == 400


def test_the_fake_refuses_a_key_github_does_not_permit(github):
    response = httpx.post(
        f"{github.fake.url}/repos/acme/fraud-model/issues",
        json={"title": "x", "priority": "high"},
        headers={**_headers(github), "Accept": "application/vnd.github+json"},
    )

    assert response.status_code == 422
    assert '"priority" is not a permitted key' in response.json()["message"]


def _headers(github) -> dict:
    return {"Authorization": f"Bearer {github.fake.token}", "X-GitHub-Api-Version": "2022-11-28"}
