"""Why a tracker call failed, each with a message fit to show the person who asked for it.

Messages name the tracker and what to do next; they never hold a credential, a request header or a stack trace.
"""


class TrackerError(Exception):
    def __init__(self, message: str, *, vendor: str):
        super().__init__(message)
        self.message = message
        self.vendor = vendor


class TrackerAuthFailed(TrackerError):
    """401 or 403: the credentials are wrong, expired or lack a permission."""


class TrackerItemGone(TrackerError):
    """404 (410 on GitHub) for an item pushed before: someone deleted or moved it in the tracker."""


class TrackerRateLimited(TrackerError):
    """429, or GitHub's 403 with no requests left: wait `retry_after` seconds before the next call."""

    def __init__(self, message: str, *, vendor: str, retry_after: int):
        super().__init__(message, vendor=vendor)
        self.retry_after = retry_after


class TrackerUnavailable(TrackerError):
    """No answer in time, no connection, a 5xx, or an answer that is not what the vendor documents."""


class TrackerRejected(TrackerError):
    """400, 422 and other refusals of the request itself; `detail` is the vendor's own explanation."""

    def __init__(self, message: str, *, vendor: str, detail: str):
        super().__init__(message, vendor=vendor)
        self.detail = detail
