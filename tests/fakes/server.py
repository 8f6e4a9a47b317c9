"""What every fake tracker shares: an HTTP server on 127.0.0.1 and a free port, in a thread, for one test.

A subclass answers requests in `route`. A test can ask for the next request to be answered with an error
(`fail_next`, in the vendor's own error shape) or not at all for a while (`hang_next`), and can read every
request the fake received in `requests`.
"""

import base64
import json
import threading
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


@dataclass
class FakeRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: Message
    body: bytes

    def json(self) -> object:
        """The body as JSON, or raises ValueError."""
        return json.loads(self.body.decode("utf-8"))

    def basic_auth(self) -> tuple[str, str] | None:
        scheme, _, value = (self.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user, _, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
        except ValueError:
            return None
        return user, password


@dataclass
class FakeResponse:
    status: int
    body: object = None  # serialised as JSON unless None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Failure:
    status: int
    headers: dict[str, str]
    message: str | None = None


class FakeServer:
    def __init__(self):
        self.requests: list[FakeRequest] = []
        self._lock = threading.Lock()
        self._failures: list[Failure] = []
        self._hang_seconds: float | None = None
        self._released = threading.Event()
        handler = type("Handler", (_Handler,), {"fake": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self._released.set()  # a hanging request lets go at once
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def fail_next(
        self,
        status: int,
        *,
        retry_after: int | None = None,
        headers: dict[str, str] | None = None,
        message: str | None = None,
    ) -> None:
        """Answer the next request with `status` and the vendor's error body for it."""
        extra = dict(headers or {})
        if retry_after is not None:
            extra["Retry-After"] = str(retry_after)
        with self._lock:
            self._failures.append(Failure(status, extra, message))

    def hang_next(self, seconds: float = 5.0) -> None:
        """Hold the next request `seconds` before answering it, longer than a client's timeout."""
        with self._lock:
            self._hang_seconds = seconds

    def route(self, request: FakeRequest) -> FakeResponse:
        raise NotImplementedError

    def error(self, status: int, message: str | None = None) -> FakeResponse:
        """The vendor's error answer for `status`."""
        raise NotImplementedError

    def answer(self, request: FakeRequest) -> FakeResponse:
        with self._lock:
            self.requests.append(request)
            failure = self._failures.pop(0) if self._failures else None
            hang, self._hang_seconds = self._hang_seconds, None
        if hang is not None:
            self._released.wait(hang)
        if failure is not None:
            response = self.error(failure.status, failure.message)
            response.headers.update(failure.headers)
            return response
        return self.route(request)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeServer
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self._serve()

    def do_POST(self):
        self._serve()

    def do_PUT(self):
        self._serve()

    def do_PATCH(self):
        self._serve()

    def do_DELETE(self):
        self._serve()

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = FakeRequest(
            method=self.command,
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers=self.headers,
            body=self.rfile.read(length) if length else b"",
        )
        response = self.fake.answer(request)
        data = b"" if response.body is None else json.dumps(response.body).encode()
        try:
            self.send_response(response.status)
            if response.body is not None:
                self.send_header("Content-Type", "application/json; charset=utf-8")
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a hang), as the test wanted

    def log_message(self, format, *args) -> None:
        pass  # tests read `requests` instead of the server's access log
