"""The one HTTP helper every tracker client uses: a timeout on every call, and each vendor answer that is not a
success turned into one of the errors in `errors`.

Credentials travel only in the Authorization header httpx builds from `auth`; they are never put in a URL, a log
line or an error message, and any vendor message that echoes one has it masked before it reaches the caller.
"""

import json
import logging
import math
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime

import httpx

from integrations.trackers.errors import (
    TrackerAuthFailed,
    TrackerItemGone,
    TrackerRateLimited,
    TrackerRejected,
    TrackerUnavailable,
)

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0  # seconds; a page waits for the push, so a slow tracker must not hold it for long
DEFAULT_RETRY_AFTER = 60  # GitHub's advice when a rate-limited answer says nothing about when to come back
DETAIL_LIMIT = 300


class BearerToken(httpx.Auth):
    def __init__(self, token: str):
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request

    def __repr__(self) -> str:
        return "BearerToken(***)"


@dataclass(frozen=True)
class Transport:
    vendor: str  # as people know it: "GitHub", "Jira", "Azure DevOps"
    base_url: str
    auth: httpx.Auth = field(repr=False)
    secrets: tuple[str, ...] = field(repr=False)  # masked in any vendor text passed on
    auth_hint: str  # what to check when the credentials are refused
    error_detail: Callable[[object], str]  # the vendor's explanation in its own error body
    headers: Mapping[str, str] = field(default_factory=dict)
    timeout: float = DEFAULT_TIMEOUT

    def send(
        self,
        method: str,
        path: str,
        *,
        payload: object = None,
        content_type: str = "application/json",
        params: Mapping[str, str] | None = None,
        gone: str | None = None,
    ) -> httpx.Response:
        """Send one request and return the successful answer, or raise the error it means.

        `gone` is the message for a 404 or 410 about an item pushed before; without it such an answer is a refusal.
        """
        headers = dict(self.headers)
        content = None
        if payload is not None:
            content = json.dumps(payload).encode()
            headers["Content-Type"] = content_type
        try:
            with httpx.Client(base_url=self.base_url, auth=self.auth, timeout=self.timeout) as client:
                response = client.request(method, path, params=params, content=content, headers=headers)
        except httpx.TimeoutException:
            logger.warning("%s did not answer %s %s within %ss", self.vendor, method, path, self.timeout)
            raise TrackerUnavailable(
                f"{self.vendor} did not answer within {self.timeout:g} seconds. Try again in a few minutes.",
                vendor=self.vendor,
            ) from None
        except httpx.TransportError as error:
            logger.warning("%s could not be reached for %s %s: %s", self.vendor, method, path, type(error).__name__)
            raise TrackerUnavailable(
                f"{self.vendor} could not be reached. Check the address, or try again in a few minutes.",
                vendor=self.vendor,
            ) from None
        if response.is_success:
            return response
        logger.warning("%s answered %s to %s %s", self.vendor, response.status_code, method, path)
        raise self._error_for(response, gone)

    def send_json(self, method: str, path: str, **kwargs) -> dict:
        """`send`, for an answer whose body is a JSON object."""
        response = self.send(method, path, **kwargs)
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise self.unexpected_answer()
        return data

    def unexpected_answer(self) -> TrackerUnavailable:
        return TrackerUnavailable(
            f"{self.vendor} gave an answer this app does not understand. Try again later.", vendor=self.vendor
        )

    def _error_for(self, response: httpx.Response, gone: str | None) -> Exception:
        status, vendor = response.status_code, self.vendor
        if is_rate_limited(response):
            wait = retry_after_seconds(response.headers)
            return TrackerRateLimited(
                f"{vendor} asks for fewer requests: try again in {_duration(wait)}.", vendor=vendor, retry_after=wait
            )
        if status in (401, 403):
            return TrackerAuthFailed(
                f"{vendor} refused the credentials (HTTP {status}). {self.auth_hint}", vendor=vendor
            )
        if status in (404, 410) and gone:
            return TrackerItemGone(gone, vendor=vendor)
        if 400 <= status < 500:
            detail = self._detail(response) or response.reason_phrase
            return TrackerRejected(f"{vendor} refused the request: {detail}", vendor=vendor, detail=detail)
        return TrackerUnavailable(
            f"{vendor} had a problem answering (HTTP {status}). Try again in a few minutes.", vendor=vendor
        )

    def _detail(self, response: httpx.Response) -> str:
        try:
            detail = self.error_detail(response.json())
        except (ValueError, KeyError, TypeError, AttributeError):
            detail = ""
        for secret in self.secrets:
            if secret:
                detail = detail.replace(secret, "***")
        return " ".join(detail.split())[:DETAIL_LIMIT]


def is_rate_limited(response: httpx.Response) -> bool:
    # GitHub answers 403 rather than 429 for both its primary limit (no requests left) and its secondary one.
    if response.status_code == 429:
        return True
    headers = response.headers
    return response.status_code == 403 and (headers.get("x-ratelimit-remaining") == "0" or "retry-after" in headers)


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> int:
    """Seconds to wait, from Retry-After (seconds or a date), else x-ratelimit-reset (epoch seconds or ISO 8601)."""
    now = time.time() if now is None else now
    retry_after = (headers.get("retry-after") or "").strip()
    if retry_after.isdigit():
        return int(retry_after)
    moment = _moment(retry_after) if retry_after else None
    reset = (headers.get("x-ratelimit-reset") or "").strip()
    if moment is None and reset.isdigit():
        return max(0, int(reset) - math.floor(now))
    if moment is None and reset:
        moment = _moment(reset)
    return DEFAULT_RETRY_AFTER if moment is None else max(0, math.ceil(moment - now))


def _moment(text: str) -> float | None:
    for parse in (parsedate_to_datetime, datetime.fromisoformat):
        try:
            parsed = parse(text.replace("Z", "+00:00") if parse is datetime.fromisoformat else text)
        except (TypeError, ValueError):
            continue
        if parsed.tzinfo is not None:
            return parsed.timestamp()
    return None


def _duration(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
