"""The tracker client for a team's connection. Vendor addresses come from settings, never from the form, so a
connection cannot point the server at an arbitrary host: a lead chooses a repository, a Jira Cloud site name or
an Azure DevOps organisation, and the operator's settings say where those vendors live (GitHub Enterprise Server
and Azure DevOps Server have their own addresses)."""

from django.conf import settings

from integrations import credentials
from integrations.models import TrackerConnection, TrackerKind
from integrations.trackers.azure_devops import AzureDevOpsClient
from integrations.trackers.github import GitHubClient
from integrations.trackers.jira import JiraClient
from integrations.trackers.types import TrackerClient


def jira_site_url(site: str) -> str:
    return settings.JIRA_SITE_URL_TEMPLATE.format(site=site)


def client_for(connection: TrackerConnection) -> TrackerClient:
    token = credentials.decrypt(connection.secret)
    timeout = settings.TRACKER_TIMEOUT_SECONDS
    match connection.kind:
        case TrackerKind.GITHUB:
            return GitHubClient(
                repository=connection.repository, token=token, base_url=settings.GITHUB_API_URL, timeout=timeout
            )
        case TrackerKind.JIRA:
            return JiraClient(
                site_url=jira_site_url(connection.site),
                project_key=connection.project_key,
                email=connection.email,
                api_token=token,
                timeout=timeout,
            )
        case TrackerKind.AZURE_DEVOPS:
            return AzureDevOpsClient(
                organization=connection.organization,
                project=connection.project,
                token=token,
                base_url=settings.AZURE_DEVOPS_URL,
                timeout=timeout,
            )
    raise ValueError(f"Unknown tracker kind {connection.kind!r}")
