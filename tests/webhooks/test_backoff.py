from datetime import timedelta

from webhooks.backoff import MAX_ATTEMPTS, retry_delay


def test_each_retry_waits_four_times_longer_than_the_one_before():
    delays = [retry_delay(attempt) for attempt in range(1, MAX_ATTEMPTS)]
    assert delays == [timedelta(minutes=minutes) for minutes in (1, 4, 16, 64, 256)]


def test_there_is_no_retry_after_the_last_attempt():
    assert retry_delay(MAX_ATTEMPTS) is None
    assert retry_delay(MAX_ATTEMPTS + 1) is None
