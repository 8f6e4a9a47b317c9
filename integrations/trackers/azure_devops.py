"""Azure DevOps Boards: a plan step becomes a Task work item in one project, and a work item in a finished state
(Done, Closed, Resolved or Removed, across the built-in processes) is a done step."""

from urllib.parse import quote

import httpx

from integrations.trackers.descriptions import html_description, short_title
from integrations.trackers.transport import DEFAULT_TIMEOUT, Transport
from integrations.trackers.types import ExternalStatus, PushResult, TrackerItem

# https://learn.microsoft.com/en-us/rest/api/azure/devops/wit/work-items?view=azure-devops-rest-7.1
API_VERSION = "7.1"
DONE_STATES = frozenset({"Done", "Closed", "Resolved", "Removed"})
TAGS = "mlops-assessment"


class AzureDevOpsClient:
    def __init__(
        self,
        *,
        organization: str,
        project: str,
        token: str,
        base_url: str = "https://dev.azure.com",
        timeout: float = DEFAULT_TIMEOUT,
    ):
        self.organization = organization
        self.project = project
        self.base_url = base_url.rstrip("/")
        self._work_items = f"/{quote(organization, safe='')}/{quote(project, safe='')}/_apis/wit/workitems"
        self._transport = Transport(
            vendor="Azure DevOps",
            base_url=self.base_url,
            auth=httpx.BasicAuth("", token),  # a personal access token goes as the password of an empty user
            secrets=(token,),
            auth_hint=(
                "Check that the personal access token has not expired and has the Work Items (read and write) scope "
                f"in the {organization} organisation."
            ),
            error_detail=error_detail,
            headers={"Accept": "application/json"},
            timeout=timeout,
        )

    def __repr__(self) -> str:
        return f"AzureDevOpsClient(organization={self.organization!r}, project={self.project!r})"

    def push(self, item: TrackerItem) -> PushResult:
        operations = [
            {"op": "add", "path": "/fields/System.Title", "value": short_title(item)},
            {"op": "add", "path": "/fields/System.Description", "value": html_description(item)},
        ]
        if item.external_key is None:
            # Tags only on creation: setting them again would drop the tags the team has added since.
            operations.append({"op": "add", "path": "/fields/System.Tags", "value": f"{TAGS}; {item.practice_slug}"})
            work_item = self._send_patch("POST", f"{self._work_items}/$Task", operations, gone=None)
        else:
            work_item_id = _id(item.external_key)
            work_item = self._send_patch(
                "PATCH", f"{self._work_items}/{work_item_id}", operations, gone=self._gone(work_item_id)
            )
        try:
            key = str(work_item["id"])
            url = work_item.get("_links", {}).get("html", {}).get("href") or self._edit_url(key)
        except (KeyError, AttributeError):
            raise self._transport.unexpected_answer() from None
        return PushResult(external_key=key, url=url)

    def status(self, external_key: str) -> ExternalStatus:
        work_item_id = _id(external_key)
        work_item = self._transport.send_json(
            "GET",
            f"{self._work_items}/{work_item_id}",
            params={"fields": "System.State", "api-version": API_VERSION},
            gone=self._gone(work_item_id),
        )
        try:
            state = work_item["fields"]["System.State"]
        except (KeyError, TypeError):
            raise self._transport.unexpected_answer() from None
        return ExternalStatus.DONE if state in DONE_STATES else ExternalStatus.OPEN

    def _send_patch(self, method: str, path: str, operations: list[dict], gone: str | None) -> dict:
        return self._transport.send_json(
            method,
            path,
            payload=operations,
            content_type="application/json-patch+json",
            params={"api-version": API_VERSION},
            gone=gone,
        )

    def _edit_url(self, key: str) -> str:
        return f"{self.base_url}/{quote(self.organization)}/{quote(self.project)}/_workitems/edit/{key}"

    def _gone(self, work_item_id: str) -> str:
        return (
            f"Work item {work_item_id} is no longer in {self.project} on Azure DevOps, or this token can no longer "
            "see it: it may have been deleted or moved."
        )


def error_detail(body: object) -> str:
    return body["message"]


def _id(external_key: str) -> str:
    if not external_key.isdigit():
        raise ValueError(f"An Azure DevOps work item id is a whole number, not {external_key!r}.")
    return external_key
