"""What every tracker client does, against each vendor's fake: push once, push again, read back, fail clearly."""

import dataclasses
import logging
import traceback

import pytest

from integrations.trackers.errors import (
    TrackerAuthFailed,
    TrackerError,
    TrackerItemGone,
    TrackerRateLimited,
    TrackerUnavailable,
)
from integrations.trackers.types import ExternalStatus
from tests.integrations.trackers.conftest import TIMEOUT


def assert_no_secret(tracker, error: TrackerError, caplog) -> None:
    shown = " ".join([error.message, repr(error), *traceback.format_exception(error), caplog.text])
    for secret in tracker.secrets:
        assert secret not in shown
    # No httpx exception rides along: it holds the request, headers and all, for whoever logs the error.
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__


def test_a_first_push_creates_one_item_and_gives_its_key_and_address(tracker, item):
    result = tracker.client.push(item)

    assert tracker.count() == 1
    assert result.external_key
    assert result.url.startswith(("http://", "https://"))


def test_pushing_again_with_the_key_updates_the_item_instead_of_creating_another(tracker, item):
    first = tracker.client.push(item)
    renamed = dataclasses.replace(item, title="Experiment tracking, now with datasets", external_key=first.external_key)

    second = tracker.client.push(renamed)

    assert tracker.count() == 1
    assert second.external_key == first.external_key


def test_a_new_item_is_open(tracker, item):
    key = tracker.client.push(item).external_key

    assert tracker.client.status(key) == ExternalStatus.OPEN


def test_an_item_completed_in_the_tracker_reads_as_done(tracker, item):
    key = tracker.client.push(item).external_key
    tracker.finish(key)

    assert tracker.client.status(key) == ExternalStatus.DONE


def test_refused_credentials_raise_auth_failed_with_what_to_check(tracker, item, caplog):
    caplog.set_level(logging.DEBUG)
    tracker.fake.fail_next(401)

    with pytest.raises(TrackerAuthFailed) as raised:
        tracker.client.push(item)

    assert "refused the credentials" in raised.value.message
    assert "expired" in raised.value.message
    assert_no_secret(tracker, raised.value, caplog)


def test_a_deleted_item_raises_item_gone_on_sync(tracker, item, caplog):
    caplog.set_level(logging.DEBUG)
    key = tracker.client.push(item).external_key
    tracker.delete(key)

    with pytest.raises(TrackerItemGone) as raised:
        tracker.client.status(key)

    assert key in raised.value.message and "deleted" in raised.value.message
    assert_no_secret(tracker, raised.value, caplog)


def test_a_deleted_item_raises_item_gone_on_push_and_creates_nothing(tracker, item):
    key = tracker.client.push(item).external_key
    tracker.delete(key)

    with pytest.raises(TrackerItemGone):
        tracker.client.push(dataclasses.replace(item, external_key=key))

    assert tracker.count() == 0


def test_a_rate_limit_raises_rate_limited_with_the_wait_it_asks_for(tracker, item, caplog):
    caplog.set_level(logging.DEBUG)
    key = tracker.client.push(item).external_key
    tracker.fake.fail_next(429, retry_after=30)

    with pytest.raises(TrackerRateLimited) as raised:
        tracker.client.status(key)

    assert raised.value.retry_after == 30
    assert "try again in 30 seconds" in raised.value.message
    assert_no_secret(tracker, raised.value, caplog)


def test_no_answer_in_time_raises_unavailable(tracker, item, caplog):
    caplog.set_level(logging.DEBUG)
    tracker.fake.hang_next(5)

    with pytest.raises(TrackerUnavailable) as raised:
        tracker.client.push(item)

    assert f"did not answer within {TIMEOUT:g} seconds" in raised.value.message
    assert_no_secret(tracker, raised.value, caplog)


def test_a_server_error_raises_unavailable(tracker, item):
    tracker.fake.fail_next(503)

    with pytest.raises(TrackerUnavailable, match="HTTP 503"):
        tracker.client.push(item)


def test_a_tracker_that_cannot_be_reached_raises_unavailable(tracker, item):
    tracker.fake.stop()

    with pytest.raises(TrackerUnavailable, match="could not be reached"):
        tracker.client.push(item)


def test_the_client_shows_no_credential_in_its_repr(tracker):
    for secret in tracker.secrets:
        assert secret not in repr(tracker.client)
        assert secret not in repr(tracker.client._transport)


def test_every_request_carries_the_credentials_the_fake_checks(tracker, item):
    tracker.client.push(item)

    assert all(request.headers.get("Authorization") for request in tracker.fake.requests)
