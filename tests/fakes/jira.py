"""Jira Cloud's REST API v3 for one project, on 127.0.0.1.

It accepts what https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/ documents:
POST /rest/api/3/issue with `fields.project.key`, `fields.summary`, `fields.issuetype.name` and a `description` in
the Atlassian Document Format; PUT /rest/api/3/issue/{key} (204, no body); GET /rest/api/3/issue/{key}?fields=status.
Authentication is basic, with the account's email and an API token; requests with a body must say
`Content-Type: application/json`. Errors have Jira's shape (`{"errorMessages": [...], "errors": {field: message}}`).
"""

import re

from tests.fakes.server import FakeRequest, FakeResponse, FakeServer

STATUSES = {  # status name -> its category, as in Jira's default workflow
    "To Do": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    "In Progress": {"id": 4, "key": "indeterminate", "colorName": "yellow", "name": "In Progress"},
    "Done": {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
}
ISSUE_TYPES = {"Task", "Bug", "Story", "Epic"}
CREATE_FIELDS = {"project", "summary", "issuetype", "description", "labels"}
EDIT_FIELDS = {"summary", "description", "labels"}
MESSAGES = {
    400: "The request was not valid.",
    401: "Client must be authenticated to access this resource.",
    403: "You do not have permission to perform this operation.",
    404: "Issue does not exist or you do not have permission to see it.",
    429: "Rate limit exceeded.",
    500: "Internal server error.",
    503: "Service unavailable.",
}
API_TOKEN = "ATATTfake0jira0token0for0tests"
NOT_ADF = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"


class FakeJira(FakeServer):
    def __init__(self, *, project_key: str = "OPS", email: str = "lead@acme.example", api_token: str = API_TOKEN):
        self.project_key = project_key
        self.email = email
        self.api_token = api_token
        self.issues: dict[str, dict] = {}
        self.next_id = 10000
        super().__init__()

    def set_status(self, key: str, name: str) -> None:
        self.issues[key]["status"] = name

    def delete(self, key: str) -> None:
        del self.issues[key]

    def error(self, status: int, message: str | None = None, errors: dict | None = None) -> FakeResponse:
        messages = [] if errors and message is None else [message or MESSAGES.get(status, "Error")]
        return FakeResponse(status, {"errorMessages": messages, "errors": errors or {}})

    def route(self, request: FakeRequest) -> FakeResponse:
        if request.basic_auth() != (self.email, self.api_token):
            return self.error(401)
        if request.path == "/rest/api/3/issue" and request.method == "POST":
            return self._create(request)
        match = re.fullmatch(r"/rest/api/3/issue/([A-Z][A-Z0-9_]*-\d+)", request.path)
        if match and request.method in ("GET", "PUT"):
            key = match[1]
            if key not in self.issues:
                return self.error(404)
            return self._edit(request, key) if request.method == "PUT" else self._get(request, key)
        return self.error(404, "null for uri: " + request.path)

    def _fields(self, request: FakeRequest, allowed: set[str]) -> dict | FakeResponse:
        if (request.headers.get("Content-Type") or "").split(";")[0] != "application/json":
            return self.error(400, "Content-Type must be application/json.")
        try:
            body = request.json()
        except ValueError:
            return self.error(400, "Unexpected character in the request body: it is not JSON.")
        if not isinstance(body, dict) or not isinstance(body.get("fields"), dict):
            return self.error(400, "Can not deserialize the request: it needs an object with fields.")
        fields = body["fields"]
        errors = {
            name: f"Field '{name}' cannot be set. It is not on the appropriate screen, or unknown."
            for name in sorted(set(fields) - allowed)
        }
        if "summary" in fields and not (isinstance(fields["summary"], str) and fields["summary"].strip()):
            errors["summary"] = "You must specify a summary of the issue."
        elif "summary" in fields and ("\n" in fields["summary"] or len(fields["summary"]) > 255):
            errors["summary"] = "Summary must be one line of less than 255 characters."
        if "description" in fields and not is_adf(fields["description"]):
            errors["description"] = NOT_ADF
        return self.error(400, errors=errors) if errors else fields

    def _create(self, request: FakeRequest) -> FakeResponse:
        fields = self._fields(request, CREATE_FIELDS)
        if isinstance(fields, FakeResponse):
            return fields
        errors = {}
        if (fields.get("project") or {}).get("key") != self.project_key:
            errors["project"] = "valid project is required"
        if (fields.get("issuetype") or {}).get("name") not in ISSUE_TYPES:
            errors["issuetype"] = "valid issue type is required"
        if "summary" not in fields:
            errors["summary"] = "You must specify a summary of the issue."
        if errors:
            return self.error(400, errors=errors)
        self.next_id += 1
        key = f"{self.project_key}-{self.next_id - 10000}"
        self.issues[key] = {"id": str(self.next_id), "status": "To Do", "fields": fields}
        return FakeResponse(201, {"id": str(self.next_id), "key": key, "self": self._self(self.next_id)})

    def _edit(self, request: FakeRequest, key: str) -> FakeResponse:
        fields = self._fields(request, EDIT_FIELDS)
        if isinstance(fields, FakeResponse):
            return fields
        self.issues[key]["fields"].update(fields)
        return FakeResponse(204)

    def _get(self, request: FakeRequest, key: str) -> FakeResponse:
        issue = self.issues[key]
        wanted = set(filter(None, request.query.get("fields", "*all").split(",")))
        everything = {**issue["fields"], "status": self._status(issue["status"])}
        fields = everything if "*all" in wanted else {name: everything[name] for name in wanted if name in everything}
        return FakeResponse(200, {"id": issue["id"], "key": key, "self": self._self(issue["id"]), "fields": fields})

    def _self(self, issue_id: int | str) -> str:
        return f"{self.url}/rest/api/3/issue/{issue_id}"

    def _status(self, name: str) -> dict:
        return {"self": f"{self.url}/rest/api/3/status/1", "name": name, "id": "1", "statusCategory": STATUSES[name]}


def is_adf(node: object, *, top: bool = True) -> bool:
    """Whether `node` is an Atlassian Document: a doc of version 1 whose nodes all have a type, and text non-empty."""
    if not isinstance(node, dict) or not isinstance(node.get("type"), str):
        return False
    if top and (node["type"] != "doc" or node.get("version") != 1 or not isinstance(node.get("content"), list)):
        return False
    if node["type"] == "text" and not (isinstance(node.get("text"), str) and node["text"]):
        return False
    children = node.get("content", [])
    return isinstance(children, list) and all(is_adf(child, top=False) for child in children)
