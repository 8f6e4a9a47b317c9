"""Azure DevOps's Work Items REST API 7.1 for one organisation and project, on 127.0.0.1.

It accepts what https://learn.microsoft.com/en-us/rest/api/azure/devops/wit/work-items documents:
POST /{organization}/{project}/_apis/wit/workitems/${type} and PATCH .../workitems/{id}, both with
`Content-Type: application/json-patch+json` and a JSON Patch body of `/fields/...` operations, and
GET .../workitems/{id} (optionally `fields=`), each with `api-version=7.1`. Authentication is basic, with an empty
user name and a personal access token as the password. Errors have Azure DevOps's shape
(`{"$id", "innerException", "message", "typeName", "typeKey", "errorCode", "eventId"}`).
"""

import re

from tests.fakes.server import FakeRequest, FakeResponse, FakeServer

FIELDS = {"System.Title", "System.Description", "System.Tags", "System.State", "System.AssignedTo"}
TOKEN = "fakeazurepat0for0tests"
OPERATIONS = {"add", "replace", "remove", "test", "copy", "move"}
WORK_ITEM_TYPES = {"Task", "Issue", "Epic", "Bug", "User Story"}
MESSAGES = {
    400: ("You must pass a valid patch document in the body of the request.", "VssPropertyValidationException"),
    401: ("TF400813: The user is not authorized to access this resource.", "UnauthorizedRequestException"),
    403: ("TF400813: The user is not authorized to access this resource.", "UnauthorizedRequestException"),
    404: (
        "TF401232: Work item does not exist, or you do not have permissions to read it.",
        "WorkItemUnauthorizedAccessException",
    ),
    429: (
        "Request was blocked due to exceeding usage of resource 'Global' in namespace 'User'.",
        "RequestBlockedException",
    ),
    500: ("An unexpected error occurred.", "InternalServerErrorException"),
    503: ("The service is temporarily unavailable.", "ServiceUnavailableException"),
}


class FakeAzureDevOps(FakeServer):
    def __init__(self, *, organization: str = "acme", project: str = "Fraud Model", token: str = TOKEN):
        self.organization = organization
        self.project = project
        self.token = token
        self.work_items: dict[int, dict] = {}
        self.next_id = 100
        super().__init__()
        self.prefix = f"/{organization}/{project}/_apis/wit/workitems"

    def set_state(self, work_item_id: int, state: str) -> None:
        self.work_items[work_item_id]["fields"]["System.State"] = state

    def delete(self, work_item_id: int) -> None:
        del self.work_items[work_item_id]

    def error(self, status: int, message: str | None = None, type_key: str | None = None) -> FakeResponse:
        default_message, default_type = MESSAGES.get(status, ("An error occurred.", "VssServiceException"))
        type_key = type_key or default_type
        return FakeResponse(
            status,
            {
                "$id": "1",
                "innerException": None,
                "message": message or default_message,
                "typeName": f"Microsoft.TeamFoundation.WorkItemTracking.Server.{type_key}, Microsoft.TeamFoundation",
                "typeKey": type_key,
                "errorCode": 0,
                "eventId": 3000,
            },
        )

    def route(self, request: FakeRequest) -> FakeResponse:
        if request.basic_auth() != ("", self.token):
            return self.error(401)
        if request.query.get("api-version") != "7.1":
            return self.error(
                400,
                f"No api-version was supplied for the {request.method} request, or it is not 7.1.",
                "VssVersionNotSpecifiedException",
            )
        path = request.path.replace("%20", " ")
        if not path.startswith(self.prefix + "/"):
            return self.error(
                404, f"TF200016: The following project does not exist: {path}.", "ProjectDoesNotExistException"
            )
        rest = path.removeprefix(self.prefix + "/")
        if request.method == "POST" and rest.startswith("$"):
            if rest[1:] not in WORK_ITEM_TYPES:
                return self.error(
                    404,
                    f"VS402323: Work item type {rest[1:]} does not exist in project.",
                    "WorkItemTypeNotFoundException",
                )
            return self._create(request, rest[1:])
        if re.fullmatch(r"\d+", rest) and request.method in ("GET", "PATCH"):
            work_item_id = int(rest)
            if work_item_id not in self.work_items:
                return self.error(
                    404,
                    f"TF401232: Work item {work_item_id} does not exist, or you do not have permissions to read it.",
                )
            if request.method == "PATCH":
                return self._update(request, work_item_id)
            return self._get(request, work_item_id)
        return self.error(
            404, "The controller for path was not found or does not implement IController.", "HttpException"
        )

    def _operations(self, request: FakeRequest) -> dict | FakeResponse:
        if (request.headers.get("Content-Type") or "").split(";")[0] != "application/json-patch+json":
            return self.error(
                400,
                "The request indicated a Content-Type which is not supported. "
                "Valid content types for this method are: application/json-patch+json.",
                "VssRequestContentTypeNotSupportedException",
            )
        try:
            operations = request.json()
        except ValueError:
            return self.error(400)
        if not isinstance(operations, list) or not operations:
            return self.error(400)
        values = {}
        for operation in operations:
            if not isinstance(operation, dict) or operation.get("op") not in OPERATIONS:
                return self.error(400)
            match = re.fullmatch(r"/fields/([\w.]+)", str(operation.get("path")))
            if not match:
                return self.error(400, f"Invalid patch path {operation.get('path')!r}.")
            if match[1] not in FIELDS:
                return self.error(400, f"TF51535: Cannot find field {match[1]}.", "WorkItemFieldInvalidException")
            values[match[1]] = operation.get("value")
        if "System.Title" in values and not (
            isinstance(values["System.Title"], str) and values["System.Title"].strip()
        ):
            return self.error(
                400,
                "TF401320: Rule Error for field Title. Error code: Required, InvalidEmpty.",
                "RuleValidationException",
            )
        return values

    def _create(self, request: FakeRequest, work_item_type: str) -> FakeResponse:
        values = self._operations(request)
        if isinstance(values, FakeResponse):
            return values
        if "System.Title" not in values:
            return self.error(
                400,
                "TF401320: Rule Error for field Title. Error code: Required, InvalidEmpty.",
                "RuleValidationException",
            )
        self.next_id += 1
        fields = {"System.WorkItemType": work_item_type, "System.State": "To Do", "System.TeamProject": self.project}
        self.work_items[self.next_id] = {"id": self.next_id, "rev": 1, "fields": {**fields, **values}}
        return FakeResponse(200, self._work_item(self.next_id))

    def _update(self, request: FakeRequest, work_item_id: int) -> FakeResponse:
        values = self._operations(request)
        if isinstance(values, FakeResponse):
            return values
        work_item = self.work_items[work_item_id]
        work_item["fields"].update(values)
        work_item["rev"] += 1
        return FakeResponse(200, self._work_item(work_item_id))

    def _get(self, request: FakeRequest, work_item_id: int) -> FakeResponse:
        work_item = self._work_item(work_item_id)
        if wanted := request.query.get("fields"):
            names = set(wanted.split(","))
            work_item["fields"] = {name: value for name, value in work_item["fields"].items() if name in names}
            del work_item["_links"]  # as Azure DevOps does when fields are chosen
        return FakeResponse(200, work_item)

    def _work_item(self, work_item_id: int) -> dict:
        work_item = self.work_items[work_item_id]
        api_url = f"{self.url}/{self.organization}/_apis/wit/workItems/{work_item_id}"
        project = self.project.replace(" ", "%20")
        return {
            "id": work_item_id,
            "rev": work_item["rev"],
            "fields": dict(work_item["fields"]),
            "_links": {
                "self": {"href": api_url},
                "html": {"href": f"https://dev.azure.com/{self.organization}/{project}/_workitems/edit/{work_item_id}"},
            },
            "url": api_url,
        }
