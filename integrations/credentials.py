"""Tracker credentials at rest: encrypted with the key(s) in the CREDENTIALS_KEY setting, never stored in clear.

CREDENTIALS_KEY is one or more Fernet keys separated by commas. The first encrypts; every one decrypts, so an
operator rotates by putting a new key first, running `manage.py rotate_credentials`, then dropping the old key.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

MISSING_KEY = (
    "Tracker connections are turned off on this installation: the operator has not set CREDENTIALS_KEY, "
    "the key that encrypts their credentials."
)


class CredentialsUnavailable(Exception):
    """No key is configured, or the stored credentials were encrypted with a key no longer configured."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def is_configured() -> bool:
    return bool(_keys())


def encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(stored: str) -> str:
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except InvalidToken:
        raise CredentialsUnavailable(
            "The stored credentials cannot be read with this installation's CREDENTIALS_KEY "
            "(the key was changed without rotating). Connect the tracker again."
        ) from None


def rotate(stored: str) -> str:
    """The same secret, encrypted with the first key."""
    return _fernet().rotate(stored.encode()).decode()


def new_key() -> str:
    return Fernet.generate_key().decode()


def _keys() -> list[str]:
    return [key.strip() for key in settings.CREDENTIALS_KEY.split(",") if key.strip()]


def _fernet() -> MultiFernet:
    keys = _keys()
    if not keys:
        raise CredentialsUnavailable(MISSING_KEY)
    return MultiFernet([Fernet(key) for key in keys])
