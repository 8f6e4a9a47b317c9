"""HTTP helpers for bench/run.py: a keep-alive browser with its own cookies, and the two many-client phases.

Everything here talks to 127.0.0.1 only. The phases stop at a deadline, so a
slow server makes them report errors or unsent requests rather than hang.
"""

import html
import http.client
import itertools
import json
import math
import re
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPResponse
from http.cookies import SimpleCookie
from urllib.parse import urlencode

HOST = "127.0.0.1"
STALE_CONNECTION = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REPORT_POLL_MAX_SECONDS = 8.0


class Browser:
    """One person's keep-alive connection to the loopback server, and their cookies."""

    def __init__(self, port: int, *, timeout: float = 10.0, cookies: dict[str, str] | None = None) -> None:
        self.connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
        self.cookies = dict(cookies or {})

    def request(self, method: str, path: str, form: dict | None = None, headers: dict | None = None) -> tuple[int, str]:
        status, body, _ = self.request_bytes(method, path, form, headers)
        return status, body.decode()

    def request_bytes(
        self, method: str, path: str, form: dict | None = None, headers: dict | None = None
    ) -> tuple[int, bytes, str]:
        """The status, the body as bytes (a PDF is not text) and the content type."""
        sent = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items()), **(headers or {})}
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            status, content, response = self._send(method, path, body, sent)
        except STALE_CONNECTION:
            # gunicorn closes keep-alive connections left idle for 2 s; a browser reconnects and sends again.
            status, content, response = self._send(method, path, body, sent)
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return status, content, response.headers.get("Content-Type", "")

    def _send(self, method: str, path: str, body: str | None, headers: dict) -> tuple[int, bytes, HTTPResponse]:
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            return response.status, response.read(), response
        except (OSError, http.client.HTTPException):
            self.connection.close()  # the next request opens a new connection
            raise

    def get(self, path: str) -> tuple[int, str]:
        return self.request("GET", path)

    def post(self, path: str, form: dict, *, htmx: bool = False) -> tuple[int, str]:
        """A form post; as htmx it carries the CSRF token in a header, as the app's pages send it."""
        headers = {"HX-Request": "true", "X-CSRFToken": self.cookies.get("csrftoken", "")} if htmx else {}
        return self.request("POST", path, form, headers)

    def submit_form(self, path: str, fields: dict) -> tuple[int, str]:
        """GET a page with a form, then POST `fields` with the page's CSRF token, as a browser does."""
        status, page = self.get(path)
        token = CSRF_INPUT.search(page)
        if status != 200 or token is None:
            raise RuntimeError(f"GET {path} answered {status} without a CSRF token")
        return self.post(path, {"csrfmiddlewaretoken": token.group(1), **fields})

    def close(self) -> None:
        self.connection.close()


def log_in(port: int, login_url: str, username: str, password: str) -> Browser:
    browser = Browser(port)
    status, _ = browser.submit_form(login_url, {"login": username, "password": password})
    if status != 302 or not browser.cookies.get("sessionid"):
        raise RuntimeError(f"logging in as {username} answered {status} without a session cookie")
    return browser


def percentile(values: Sequence[float], percent: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


def autosave_load(
    port: int, cookies: dict[str, str], answers: Sequence[dict], seconds: float, think_seconds: float = 0.0
) -> dict:
    """One client per answer, each changing its own practice's level over and over until the deadline,
    pausing `think_seconds` between saves (a person clicks; the page saves on each choice).

    Every post sends what the card showed (the `initial-` copies and the revision
    parsed from the previous response), as the browser's autosave does, so each
    one is a real write and never a conflict. `answers_after` holds each answer as
    the run left it, for a next run on the same practices.
    """
    deadline = time.monotonic() + seconds

    def client(answer: dict) -> tuple[list[float], int, dict]:
        browser = Browser(port, cookies=cookies)
        slug, notes = answer["practice"], answer["notes"]
        level, revision = answer["level"], answer["revision"]
        revision_field = re.compile(rf'name="{re.escape(slug)}-revision" value="(\d+)"')
        latencies, errors = [], 0
        while time.monotonic() < deadline:
            new_level = (level + 1) % 5
            form = {
                f"{slug}-level": str(new_level),
                f"initial-{slug}-level": str(level),
                f"{slug}-notes": notes,
                f"initial-{slug}-notes": notes,
                f"{slug}-revision": str(revision),
            }
            started = time.perf_counter()
            try:
                status, body = browser.post(answer["url"], form, htmx=True)
            except (OSError, http.client.HTTPException):
                errors += 1
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            saved = revision_field.search(body)
            if status != 200 or "Not saved" in body or saved is None:
                errors += 1
                continue
            level, revision = new_level, int(saved.group(1))
            time.sleep(think_seconds)
        browser.close()
        return latencies, errors, answer | {"level": level, "revision": revision}

    with ThreadPoolExecutor(max_workers=len(answers)) as pool:
        outcomes = list(pool.map(client, answers))
    latencies = [ms for client_latencies, _, _ in outcomes for ms in client_latencies]
    return {
        "autosave_p95_ms": round(percentile(latencies, 95), 1),
        "autosave_p50_ms": round(percentile(latencies, 50), 1),
        "autosave_errors": sum(errors for _, errors, _ in outcomes),
        "autosave_requests": len(latencies),
        "autosave_clients": len(answers),
        "answers_after": [after for _, _, after in outcomes],
    }


def workshop_load(
    ports: Sequence[int], join_url: str, code: str, votes: Sequence[dict], participants: int, seconds: float
) -> dict:
    """`participants` guests join with the code, then each votes on every practice, starting at different ones.
    With several ports (servers) the participants are dealt round them, as a load balancer would."""
    deadline = time.monotonic() + seconds

    def participant(number: int) -> tuple[int, int, int]:
        """Votes confirmed, errors (failed joins and votes), votes never sent because the deadline passed."""
        browser = Browser(ports[number % len(ports)], timeout=seconds)
        try:
            status, _ = browser.submit_form(join_url, {"code": code, "display_name": f"Person {number}"})
        except (OSError, http.client.HTTPException, RuntimeError):
            status = 0
        if status != 302:
            return 0, 1, len(votes)
        start = number % len(votes)  # each person starts at a different practice, as people in a room do
        order = [*votes[start:], *votes[:start]]
        confirmed = errors = sent = 0
        for index, vote in enumerate(order):
            if time.monotonic() > deadline:
                break
            sent += 1
            form = {f"{vote['practice']}-level": str((number + index) % 5)}
            try:
                status, body = browser.post(vote["url"], form, htmx=True)
            except (OSError, http.client.HTTPException):
                errors += 1
                continue
            if status == 200 and "Vote saved" in body:
                confirmed += 1
            else:
                errors += 1
        browser.close()
        return confirmed, errors, len(votes) - sent

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=participants) as pool:
        outcomes = list(pool.map(participant, range(participants)))
    return {
        "workshop_s": round(time.perf_counter() - started, 2),
        "workshop_confirmed": sum(o[0] for o in outcomes),
        "workshop_errors": sum(o[1] for o in outcomes),
        "workshop_unsent": sum(o[2] for o in outcomes),
        "workshop_expected": participants * len(votes),
    }


def fetch_reports(ports: Sequence[int], cookies: dict[str, str], paths: Sequence[str], seconds: float) -> dict:
    """Every report asked of every server at once, as people signed in on different servers would ask; then each
    report polled, on the servers in turn and less often as it waits (1, 2, 4, then every 8 s), while the page
    answers 202 (queued or rendering); once it gives the PDF, every server is asked for it again.

    Each poll sends the headers the waiting page's polls send (its `hx-headers`), which name the report asked for,
    so the poll reads the stored report instead of building the results and its HTML again; it still backs off, as
    forty pages polling every second would take the two cores from the workers that render.
    Returns, per path, the PDF each server gave (in the order of `ports`, None where none came), and the polls.
    """
    deadline = time.monotonic() + seconds
    poll_ms: list[float] = []

    polled: dict[str, dict[str, str]] = {}  # by path: the headers its waiting page's polls send

    def get(port: int, path: str) -> tuple[int, bytes | None]:
        browser = Browser(port, cookies=cookies, timeout=30)
        started = time.perf_counter()
        try:
            status, body, content_type = browser.request_bytes("GET", path, headers=polled.get(path))
        except (OSError, http.client.HTTPException):
            return 0, None
        finally:
            browser.close()
        if status == 202:
            if path in polled:
                poll_ms.append((time.perf_counter() - started) * 1000)
            found = re.search(rb'hx-trigger="every 1s" hx-swap="outerHTML" hx-headers="([^"]+)"', body)
            if found:
                polled[path] = json.loads(html.unescape(found.group(1).decode()))
        return status, body if status == 200 and content_type.startswith("application/pdf") else None

    def wait_for(path: str) -> None:
        pause = 1.0
        for turn in itertools.count():
            if time.monotonic() > deadline:
                return
            status, pdf = get(ports[turn % len(ports)], path)
            if pdf is not None or status not in (0, 202):
                return
            time.sleep(pause)
            pause = min(2 * pause, REPORT_POLL_MAX_SECONDS)

    jobs = [(port, path) for path in paths for port in ports]
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        first = list(pool.map(lambda job: get(*job)[0], jobs))
        list(pool.map(wait_for, paths))
        pdfs = list(pool.map(lambda job: get(*job)[1], jobs))
    return {
        "pdfs": {path: pdfs[n * len(ports) : (n + 1) * len(ports)] for n, path in enumerate(paths)},
        "first_asks_queued": sum(1 for status in first if status == 202),
        "polls": len(poll_ms),
        "poll_p50_ms": round(percentile(poll_ms, 50), 1),
    }
