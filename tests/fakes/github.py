"""GitHub's Issues REST API (version 2022-11-28) for one repository, on 127.0.0.1.

It accepts what https://docs.github.com/en/rest/issues/issues documents: POST /repos/{owner}/{repo}/issues,
PATCH and GET /repos/{owner}/{repo}/issues/{number}, with `Authorization: Bearer <token>`,
`Accept: application/vnd.github+json` and `X-GitHub-Api-Version: 2022-11-28`. It is stricter than GitHub on the two
headers GitHub would default: a client that forgets them fails here. Errors have GitHub's shape
(`{"message", "documentation_url", "status"}`), and a deleted issue answers 410 as GitHub's does.
"""

import re
import time

from tests.fakes.server import FakeRequest, FakeResponse, FakeServer

DOCS = "https://docs.github.com/rest/issues/issues"
TOKEN = "github_pat_11FAKE0token0for0tests"
CREATE_KEYS = {"title", "body", "assignee", "milestone", "labels", "assignees", "type"}
UPDATE_KEYS = CREATE_KEYS | {"state", "state_reason"}
MESSAGES = {
    400: "Bad Request",
    401: "Bad credentials",
    403: "Resource not accessible by personal access token",
    404: "Not Found",
    410: "This issue was deleted",
    422: "Validation Failed",
    429: "API rate limit exceeded for user ID 1.",
    500: "Server Error",
    503: "Service Unavailable",
}


class FakeGitHub(FakeServer):
    def __init__(self, *, repository: str = "acme/fraud-model", token: str = TOKEN):
        self.repository = repository
        self.token = token
        self.issues: dict[int, dict] = {}
        self.deleted: set[int] = set()
        super().__init__()
        self.issues_path = f"/repos/{repository}/issues"

    def close(self, number: int, reason: str = "completed") -> None:
        self.issues[number].update(state="closed", state_reason=reason)

    def delete(self, number: int) -> None:
        del self.issues[number]
        self.deleted.add(number)

    def rate_limit_next(self, *, reset_in: int) -> None:
        """The primary rate limit: a 403 with no requests left until x-ratelimit-reset."""
        reset = str(int(time.time()) + reset_in)
        headers = {"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset}
        self.fail_next(403, headers=headers, message=MESSAGES[429])

    def error(self, status: int, message: str | None = None, **extra) -> FakeResponse:
        body = {"message": message or MESSAGES.get(status, "Error"), "documentation_url": DOCS, "status": str(status)}
        return FakeResponse(status, {**body, **extra})

    def route(self, request: FakeRequest) -> FakeResponse:
        if problem := self._check_headers(request):
            return problem
        if request.path == self.issues_path and request.method == "POST":
            return self._create(request)
        match = re.fullmatch(rf"{re.escape(self.issues_path)}/(\d+)", request.path)
        if match and request.method in ("GET", "PATCH"):
            number = int(match[1])
            if number in self.deleted:
                return self.error(410)
            if number not in self.issues:
                return self.error(404)
            return (
                self._update(request, number) if request.method == "PATCH" else FakeResponse(200, self.issues[number])
            )
        return self.error(404)

    def _check_headers(self, request: FakeRequest) -> FakeResponse | None:
        authorization = request.headers.get("Authorization")
        if authorization is None:
            return self.error(401, "Requires authentication")
        if authorization != f"Bearer {self.token}":
            return self.error(401)
        if request.headers.get("X-GitHub-Api-Version") != "2022-11-28":
            return self.error(400, "Invalid API version in X-GitHub-Api-Version header.")
        if request.headers.get("Accept") != "application/vnd.github+json":
            return self.error(400, "Accept must be application/vnd.github+json.")
        return None

    def _fields(self, request: FakeRequest, allowed: set[str]) -> dict | FakeResponse:
        try:
            fields = request.json()
        except ValueError:
            return self.error(400, "Problems parsing JSON")
        if not isinstance(fields, dict):
            return self.error(400, "Problems parsing JSON")
        if unknown := sorted(set(fields) - allowed):
            return self.error(422, f'Invalid request.\n\n"{unknown[0]}" is not a permitted key.')
        for key in ("title", "body"):
            if key in fields and not isinstance(fields[key], str | None):
                return self.error(422, f"Invalid request.\n\nFor '{key}', {fields[key]!r} is not a string.")
        return fields

    def _create(self, request: FakeRequest) -> FakeResponse:
        fields = self._fields(request, CREATE_KEYS)
        if isinstance(fields, FakeResponse):
            return fields
        if not fields.get("title"):
            return self.error(422, errors=[{"resource": "Issue", "code": "missing_field", "field": "title"}])
        number = max([*self.issues, *self.deleted], default=0) + 1
        now = _now()
        self.issues[number] = {
            "id": 1000 + number,
            "node_id": f"I_kwFAKE{number}",
            "url": f"{self.url}{self.issues_path}/{number}",
            "html_url": f"https://github.com/{self.repository}/issues/{number}",
            "number": number,
            "state": "open",
            "state_reason": None,
            "title": fields["title"],
            "body": fields.get("body"),
            "labels": [],
            "created_at": now,
            "updated_at": now,
            "closed_at": None,
        }
        return FakeResponse(201, self.issues[number], {"Location": self.issues[number]["url"]})

    def _update(self, request: FakeRequest, number: int) -> FakeResponse:
        fields = self._fields(request, UPDATE_KEYS)
        if isinstance(fields, FakeResponse):
            return fields
        if "title" in fields and not fields["title"]:
            return self.error(422, errors=[{"resource": "Issue", "code": "missing_field", "field": "title"}])
        issue = self.issues[number]
        issue.update({key: fields[key] for key in ("title", "body", "state", "state_reason") if key in fields})
        issue["updated_at"] = _now()
        return FakeResponse(200, issue)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
