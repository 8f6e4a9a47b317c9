from django.conf import settings
from django.http import HttpRequest


def sign_in(request: HttpRequest) -> dict:
    """Whether local accounts (username, password, second factor) are on, for the login page and account menu."""
    return {"local_accounts": settings.LOCAL_ACCOUNTS}
