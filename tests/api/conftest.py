import pytest

from api import services
from api.models import TokenScope


@pytest.fixture
def bearer():
    """Authorization headers for a new token of `user` (read-write unless asked)."""

    def make(user, scope=TokenScope.WRITE, days=90) -> dict:
        secret = services.create_token(user=user, name="test", scope=scope, days=days).secret
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return make
