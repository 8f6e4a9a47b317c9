"""A webhook receiver on 127.0.0.1, written as the README tells integrators to write one.

It checks every request's `X-MLOps-Signature` with the README's own `verify_signature` (read out of README.md, so
the documented code is the code tested) and answers 204, or 401 when the signature does not verify. `fail_next`
makes it answer the next request with an error instead, as a receiver having a bad moment would.
"""

import re
from pathlib import Path

from tests.fakes.server import FakeRequest, FakeResponse, FakeServer

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_verify_signature():
    """The `verify_signature` function of the README's Webhooks section, executed from the README's text."""
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)
    (code,) = [block for block in blocks if "def verify_signature(" in block]
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 - our own README, to test the example it shows
    return namespace["verify_signature"]


class WebhookReceiver(FakeServer):
    def __init__(self, *, secret: str):
        self.secret = secret
        self.verify_signature = readme_verify_signature()
        self.verified: list[FakeRequest] = []
        super().__init__()

    def route(self, request: FakeRequest) -> FakeResponse:
        header = request.headers.get("X-MLOps-Signature") or ""
        if request.method != "POST" or not self.verify_signature(self.secret, request.body, header):
            return FakeResponse(401)
        self.verified.append(request)
        return FakeResponse(204)

    def error(self, status: int, message: str | None = None) -> FakeResponse:
        return FakeResponse(status, {"error": message or "receiver trouble"})
