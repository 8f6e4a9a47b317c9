"""A real OpenID Connect provider (oidc-provider-mock) served on a free port for the duration of a test.

`Provider.rewriting` puts a small proxy in front of the provider's token endpoint that swaps the ID token it
returns for another one the same provider signed (for another client, another sign-in, another issuer name):
the attacks the app's token checks exist for. Everything else is the provider's own behaviour.
"""

import json
import threading
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import httpx
import jwt
import pytest
import werkzeug.serving
from oidc_provider_mock import app as provider_app
from werkzeug.test import Client as WsgiClient

CLIENT_ID = "mlops-assessment"


class Provider:
    def __init__(self, *, token_max_age: timedelta = timedelta(hours=1)):
        self.app = provider_app(require_nonce=True, access_token_max_age=token_max_age)
        self.rewrite: Callable[[str], str] | None = None
        self.server = werkzeug.serving.make_server("localhost", 0, self._serve, threaded=True)
        self.url = f"http://localhost:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def set_user(self, sub: str, claims: dict) -> None:
        httpx.put(f"{self.url}/users/{sub}", json=claims).raise_for_status()

    def _serve(self, environ, start_response):
        if self.rewrite is None or environ["PATH_INFO"] != "/oauth2/token":
            return self.app(environ, start_response)
        answered = {}
        body = b"".join(self.app(environ, lambda status, headers, exc_info=None: answered.update(status=status)))
        token = json.loads(body)
        if answered["status"].startswith("200") and "id_token" in token:
            token["id_token"] = self.rewrite(token["id_token"])
        data = json.dumps(token).encode()
        start_response(answered["status"], [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]

    def id_token_for(self, *, sub: str, nonce: str, client_id: str = CLIENT_ID, base_url: str | None = None) -> str:
        """An ID token this provider signs through its own authorize and token endpoints."""
        client = WsgiClient(self.app)
        redirect_uri = "https://elsewhere.example/callback"
        query = urlencode(
            {
                "client_id": client_id,
                "redirect_uri": redirect_uri,
                "response_type": "code",
                "scope": "openid email profile",
                "state": "s",
                "nonce": nonce,
            }
        )
        base = base_url or self.url
        authorised = client.post(f"/oauth2/authorize?{query}", data={"sub": sub}, base_url=base)
        code = dict(part.split("=", 1) for part in urlsplit(authorised.location).query.split("&"))["code"]
        token = client.post(
            "/oauth2/token",
            data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri},
            auth=(client_id, "secret"),
            base_url=base,
        )
        return token.get_json()["id_token"]


def unverified_claims(id_token: str) -> dict:
    return jwt.decode(id_token, options={"verify_signature": False})


@pytest.fixture
def provider():
    running = Provider()
    yield running
    running.stop()


@pytest.fixture
def company_sign_in(settings, provider):
    """The app configured for `provider`, as OIDC_* settings would configure it."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "company": {
            "APPS": [
                {
                    "provider_id": "company",
                    "name": "Acme SSO",
                    "client_id": CLIENT_ID,
                    "secret": "client-secret",
                    "settings": {"server_url": provider.url, "oauth_pkce_enabled": True},
                }
            ]
        }
    }
    settings.OIDC_ALLOWED_EMAIL_DOMAINS = ["example.com"]
    return provider
