"""The shared transport: how long a rate-limited answer says to wait, and what it passes on from a vendor's answer."""

import pytest

from integrations.trackers.errors import TrackerRejected, TrackerUnavailable
from integrations.trackers.transport import DEFAULT_RETRY_AFTER, BearerToken, Transport, retry_after_seconds
from tests.fakes.server import FakeRequest, FakeResponse, FakeServer

NOW = 1_800_000_000.0
SECRET = "github_pat_secret0value"


class Scripted(FakeServer):
    """Answers every request with one fixed response."""

    def __init__(self, response: FakeResponse):
        self.response = response
        super().__init__()

    def route(self, request: FakeRequest) -> FakeResponse:
        return self.response


def transport_for(url: str) -> Transport:
    return Transport(
        vendor="GitHub",
        base_url=url,
        auth=BearerToken(SECRET),
        secrets=(SECRET,),
        auth_hint="Check the token.",
        error_detail=lambda body: body["message"],
        timeout=0.5,
    )


def test_retry_after_in_seconds_is_taken_as_it_is():
    assert retry_after_seconds({"retry-after": "30"}, now=NOW) == 30


def test_retry_after_as_a_date_counts_from_now():
    assert retry_after_seconds({"retry-after": "Fri, 15 Jan 2027 08:01:40 GMT"}, now=NOW) == 100


def test_githubs_reset_in_epoch_seconds_counts_from_now():
    assert retry_after_seconds({"x-ratelimit-reset": str(int(NOW) + 90)}, now=NOW) == 90


def test_jiras_reset_as_an_iso_timestamp_counts_from_now():
    assert retry_after_seconds({"x-ratelimit-reset": "2027-01-15T08:01:00Z"}, now=NOW) == 60


def test_a_reset_in_the_past_means_no_wait():
    assert retry_after_seconds({"x-ratelimit-reset": str(int(NOW) - 5)}, now=NOW) == 0


def test_no_hint_means_the_default_minute():
    assert retry_after_seconds({}, now=NOW) == DEFAULT_RETRY_AFTER


def test_a_vendor_message_that_echoes_the_token_has_it_masked():
    fake = Scripted(FakeResponse(400, {"message": f"Token {SECRET} is malformed"}))
    with fake, pytest.raises(TrackerRejected) as raised:
        transport_for(fake.url).send("GET", "/anything")

    assert SECRET not in raised.value.message
    assert raised.value.detail == "Token *** is malformed"


def test_a_long_vendor_message_is_cut_short():
    with Scripted(FakeResponse(400, {"message": "x" * 5000})) as fake, pytest.raises(TrackerRejected) as raised:
        transport_for(fake.url).send("GET", "/anything")

    assert len(raised.value.detail) == 300


def test_a_success_that_is_not_json_is_unavailable_not_a_crash():
    with Scripted(FakeResponse(200, None)) as fake, pytest.raises(TrackerUnavailable, match="does not understand"):
        transport_for(fake.url).send_json("GET", "/anything")


def test_the_bearer_token_hides_itself():
    assert SECRET not in repr(BearerToken(SECRET))
    assert SECRET not in repr(transport_for("http://127.0.0.1"))
