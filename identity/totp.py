"""Time-based one-time codes (RFC 6238, as authenticator apps compute them), for the demo's consultant only.

django-allauth checks the codes people type; this only lets `make run` say what code the demo account's
authenticator would show right now.
"""

import base64
import hashlib
import hmac
import struct
import time

# Base32. Public on purpose: the demo's consultant uses it, and `manage.py demo_code` refuses to run without DEBUG.
DEMO_TOTP_SECRET = "MLOPSDEMOCONSULTANTSECONDFACTORX"  # noqa: S105


def totp_code(secret: str, *, at: float | None = None, period: int = 30, digits: int = 6) -> str:
    counter = int((time.time() if at is None else at) // period)
    digest = hmac.new(base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}}"
