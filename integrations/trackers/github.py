"""GitHub Issues: a plan step becomes an issue in one repository, and a closed issue is a done step."""

import re
from urllib.parse import quote

from integrations.trackers.descriptions import markdown_description, short_title
from integrations.trackers.transport import DEFAULT_TIMEOUT, BearerToken, Transport
from integrations.trackers.types import ExternalStatus, PushResult, TrackerItem

# https://docs.github.com/en/rest/issues/issues?apiVersion=2022-11-28 (create, update and get an issue)
API_VERSION = "2022-11-28"
REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")


class GitHubClient:
    def __init__(
        self, *, repository: str, token: str, base_url: str = "https://api.github.com", timeout: float = DEFAULT_TIMEOUT
    ):
        if not REPOSITORY.fullmatch(repository):
            raise ValueError(f"A GitHub repository is written owner/name, not {repository!r}.")
        self.repository = repository
        owner, name = repository.split("/")
        self._issues = f"/repos/{quote(owner)}/{quote(name)}/issues"
        self._transport = Transport(
            vendor="GitHub",
            base_url=base_url,
            auth=BearerToken(token),
            secrets=(token,),
            auth_hint=(
                "Check that the fine-grained token has not expired and has Issues read and write access "
                f"to {repository}."
            ),
            error_detail=error_detail,
            headers={"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION},
            timeout=timeout,
        )

    def __repr__(self) -> str:
        return f"GitHubClient(repository={self.repository!r})"

    def push(self, item: TrackerItem) -> PushResult:
        payload = {"title": short_title(item), "body": markdown_description(item)}
        if item.external_key is None:
            issue = self._transport.send_json("POST", self._issues, payload=payload)
        else:
            number = _number(item.external_key)
            issue = self._transport.send_json(
                "PATCH", f"{self._issues}/{number}", payload=payload, gone=self._gone(number)
            )
        try:
            return PushResult(external_key=str(issue["number"]), url=issue["html_url"])
        except KeyError:
            raise self._transport.unexpected_answer() from None

    def status(self, external_key: str) -> ExternalStatus:
        number = _number(external_key)
        issue = self._transport.send_json("GET", f"{self._issues}/{number}", gone=self._gone(number))
        if issue.get("state") not in ("open", "closed"):
            raise self._transport.unexpected_answer()
        return ExternalStatus.DONE if issue["state"] == "closed" else ExternalStatus.OPEN

    def _gone(self, number: str) -> str:
        return f"Issue #{number} is no longer in {self.repository} on GitHub: it may have been deleted or transferred."


def error_detail(body: object) -> str:
    """GitHub's message, with the field errors a 422 lists."""
    message = body["message"]
    errors = [
        error.get("message") or f"{error.get('field')} {error.get('code')}"
        for error in body.get("errors", [])
        if isinstance(error, dict)
    ]
    return "; ".join([message, *errors])


def _number(external_key: str) -> str:
    if not external_key.isdigit():
        raise ValueError(f"A GitHub issue number is a whole number, not {external_key!r}.")
    return external_key
