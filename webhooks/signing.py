"""Signing webhook bodies, so a receiver can tell a delivery came from this app and was not replayed later.

The header is `X-MLOps-Signature: t=<unix time>,v1=<hex>`, where the hex is HMAC-SHA256, keyed with the webhook's
secret, of the timestamp, a full stop and the raw body: `f"{t}.".encode() + body`. Signing the time with the body
lets a receiver refuse an old delivery replayed by someone who captured it: it checks the signature, then that `t`
is within a few minutes of its own clock. Example: secret "whsec_test", t=1700000000, body b'{"id": "x"}' gives
`t=1700000000,v1=` followed by hmac.new(b"whsec_test", b'1700000000.{"id": "x"}', sha256).hexdigest().
"""

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "X-MLOps-Signature"
SECRET_START = "whsec_"  # noqa: S105 - a public marker that says what the string is, not a secret
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return SECRET_START + secrets.token_urlsafe(32)


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for `body` sent at `timestamp` (Unix seconds)."""
    return f"t={timestamp},v1={_digest(secret, timestamp, body)}"


def verify(secret: str, header: str, body: bytes, *, now: int, tolerance: int = TOLERANCE_SECONDS) -> bool:
    """True when `header` signs `body` with `secret` at a time no further than `tolerance` seconds from `now`."""
    parts = dict(item.strip().partition("=")[::2] for item in header.split(","))
    timestamp, signature = parts.get("t", ""), parts.get("v1", "")
    if not timestamp.isdigit() or abs(now - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(_digest(secret, int(timestamp), body), signature)
