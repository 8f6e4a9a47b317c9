"""Each tracker client against its fake, behind one harness, so that the behaviours all three share are tested once."""

import base64
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from integrations.trackers.azure_devops import AzureDevOpsClient
from integrations.trackers.github import GitHubClient
from integrations.trackers.jira import JiraClient
from integrations.trackers.types import TrackerClient
from tests.fakes.azure_devops import FakeAzureDevOps
from tests.fakes.github import FakeGitHub
from tests.fakes.jira import FakeJira
from tests.fakes.server import FakeServer

TIMEOUT = 2.0  # seconds: under the fakes' hang, and long enough for a fake to answer on a busy 2-core machine


@dataclass
class Tracker:
    fake: FakeServer
    client: TrackerClient
    secrets: tuple[str, ...]  # what must never reach an error message or a log
    count: Callable[[], int]  # items the fake holds
    finish: Callable[[str], None]  # someone completes the item in the tracker
    delete: Callable[[str], None]  # someone deletes it


def github_tracker(fake: FakeGitHub) -> Tracker:
    return Tracker(
        fake=fake,
        client=GitHubClient(repository=fake.repository, token=fake.token, base_url=fake.url, timeout=TIMEOUT),
        secrets=(fake.token,),
        count=lambda: len(fake.issues),
        finish=lambda key: fake.close(int(key)),
        delete=lambda key: fake.delete(int(key)),
    )


def jira_tracker(fake: FakeJira) -> Tracker:
    client = JiraClient(
        site_url=fake.url, project_key=fake.project_key, email=fake.email, api_token=fake.api_token, timeout=TIMEOUT
    )
    return Tracker(
        fake=fake,
        client=client,
        secrets=(fake.api_token, _basic(fake.email, fake.api_token)),
        count=lambda: len(fake.issues),
        finish=lambda key: fake.set_status(key, "Done"),
        delete=fake.delete,
    )


def azure_devops_tracker(fake: FakeAzureDevOps) -> Tracker:
    client = AzureDevOpsClient(
        organization=fake.organization, project=fake.project, token=fake.token, base_url=fake.url, timeout=TIMEOUT
    )
    return Tracker(
        fake=fake,
        client=client,
        secrets=(fake.token, _basic("", fake.token)),
        count=lambda: len(fake.work_items),
        finish=lambda key: fake.set_state(int(key), "Done"),
        delete=lambda key: fake.delete(int(key)),
    )


def _basic(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture
def github():
    with FakeGitHub() as fake:
        yield github_tracker(fake)


@pytest.fixture
def jira():
    with FakeJira() as fake:
        yield jira_tracker(fake)


@pytest.fixture
def azure_devops():
    with FakeAzureDevOps() as fake:
        yield azure_devops_tracker(fake)


@pytest.fixture(params=["github", "jira", "azure_devops"])
def tracker(request) -> Tracker:
    return request.getfixturevalue(request.param)
