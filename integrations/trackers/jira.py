"""Jira Cloud: a plan step becomes a Task in one project, and an issue whose status is in the done category is
a done step."""

import re
from urllib.parse import quote

import httpx

from integrations.trackers.descriptions import adf_description, short_title
from integrations.trackers.transport import DEFAULT_TIMEOUT, Transport
from integrations.trackers.types import ExternalStatus, PushResult, TrackerItem

# https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/ (create, edit and get issue)
ISSUE_KEY = re.compile(r"[A-Z][A-Z0-9_]*-[0-9]+")
PROJECT_KEY = re.compile(r"[A-Z][A-Z0-9_]*")


class JiraClient:
    def __init__(
        self, *, site_url: str, project_key: str, email: str, api_token: str, timeout: float = DEFAULT_TIMEOUT
    ):
        if not PROJECT_KEY.fullmatch(project_key):
            raise ValueError(f"A Jira project key is capital letters and digits, like OPS, not {project_key!r}.")
        self.site_url = site_url.rstrip("/")
        self.project_key = project_key
        self._transport = Transport(
            vendor="Jira",
            base_url=self.site_url,
            auth=httpx.BasicAuth(email, api_token),
            secrets=(api_token,),
            auth_hint=(
                "Check the email address and that the API token has not been revoked or expired, "
                f"and that this account may create and edit issues in project {project_key}."
            ),
            error_detail=error_detail,
            headers={"Accept": "application/json"},
            timeout=timeout,
        )

    def __repr__(self) -> str:
        return f"JiraClient(site_url={self.site_url!r}, project_key={self.project_key!r})"

    def push(self, item: TrackerItem) -> PushResult:
        fields = {"summary": short_title(item), "description": adf_description(item)}
        if item.external_key is None:
            fields = {"project": {"key": self.project_key}, "issuetype": {"name": "Task"}, **fields}
            created = self._transport.send_json("POST", "/rest/api/3/issue", payload={"fields": fields})
            try:
                key = created["key"]
            except KeyError:
                raise self._transport.unexpected_answer() from None
        else:
            key = _key(item.external_key)
            self._transport.send(
                "PUT", f"/rest/api/3/issue/{quote(key)}", payload={"fields": fields}, gone=self._gone(key)
            )
        return PushResult(external_key=key, url=f"{self.site_url}/browse/{key}")

    def status(self, external_key: str) -> ExternalStatus:
        key = _key(external_key)
        issue = self._transport.send_json(
            "GET", f"/rest/api/3/issue/{quote(key)}", params={"fields": "status"}, gone=self._gone(key)
        )
        try:
            category = issue["fields"]["status"]["statusCategory"]["key"]
        except (KeyError, TypeError):
            raise self._transport.unexpected_answer() from None
        return ExternalStatus.DONE if category == "done" else ExternalStatus.OPEN

    def _gone(self, key: str) -> str:
        return f"Issue {key} is no longer in Jira, or this account cannot see it: it may have been deleted or moved."


def error_detail(body: object) -> str:
    """Jira's general messages, then its messages per field."""
    messages = list(body.get("errorMessages", []))
    messages += [f"{field}: {message}" for field, message in body.get("errors", {}).items()]
    return "; ".join(str(message) for message in messages)


def _key(external_key: str) -> str:
    if not ISSUE_KEY.fullmatch(external_key):
        raise ValueError(f"A Jira issue key looks like OPS-12, not {external_key!r}.")
    return external_key
