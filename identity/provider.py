"""The company's OpenID Connect provider, as a django-allauth provider (configured in settings from OIDC_*).

allauth's generic OpenID Connect provider trusts the ID token it fetched over TLS without checking its signature,
and sends no nonce. This one sends a nonce with every sign-in and checks the ID token fully: signature against
the provider's published keys, issuer, audience (our client id), expiry and that nonce.
"""

import hmac
import logging
import secrets

import jwt
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.utils import build_absolute_uri
from django.http import HttpRequest
from django.urls import reverse

logger = logging.getLogger(__name__)
NONCE_SESSION_KEY = "identity_oidc_nonce"
ACCEPTED_ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]


class CompanyOAuth2Adapter(OpenIDConnectOAuth2Adapter):
    def get_callback_url(self, request: HttpRequest, app) -> str:
        return build_absolute_uri(request, reverse("company_callback", kwargs={"provider_id": self.provider_id}))

    def complete_login(self, request: HttpRequest, app, token, **kwargs):
        id_token = kwargs["response"].get("id_token")
        if not id_token:
            raise OAuth2Error("The identity provider sent no ID token.")
        try:
            claims = verify_id_token(
                id_token,
                jwks_uri=self.openid_config["jwks_uri"],
                issuer=self.openid_config["issuer"],
                client_id=app.client_id,
                nonce=request.session.pop(NONCE_SESSION_KEY, None),
            )
        except OAuth2Error as error:
            logger.warning("Company sign-in refused: %s", error)
            raise
        userinfo = self._fetch_user_info(token.token) if self.openid_config.get("userinfo_endpoint") else {}
        if userinfo.get("sub", claims["sub"]) != claims["sub"]:
            raise OAuth2Error("The identity provider's user information is about someone else.")
        return self.get_provider().sociallogin_from_response(request, {"id_token": claims, "userinfo": userinfo})


def verify_id_token(id_token: str, *, jwks_uri: str, issuer: str, client_id: str, nonce: str | None) -> dict:
    """The ID token's claims, or OAuth2Error when its signature, issuer, audience, expiry or nonce is wrong."""
    try:
        key = jwt.PyJWKClient(jwks_uri, cache_keys=True).get_signing_key_from_jwt(id_token)
        claims = jwt.decode(
            id_token,
            key.key,
            algorithms=ACCEPTED_ALGORITHMS,
            audience=client_id,
            issuer=issuer,
            options={"require": ["iss", "sub", "aud", "exp", "iat"]},
        )
    except jwt.PyJWTError as error:
        raise OAuth2Error(f"The identity provider's ID token was refused: {error}") from error
    if not nonce or not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
        raise OAuth2Error("The identity provider's ID token was refused: it answers a different sign-in (nonce).")
    return claims


class CompanyProvider(OpenIDConnectProvider):
    id = "company"
    name = "Company sign-in"
    oauth2_adapter_class = CompanyOAuth2Adapter

    def redirect(self, request: HttpRequest, process, next_url=None, data=None, **kwargs):
        nonce = secrets.token_urlsafe(32)
        request.session[NONCE_SESSION_KEY] = nonce
        auth_params = kwargs.pop("auth_params", None) or self.get_auth_params()
        return super().redirect(request, process, next_url, data, auth_params={**auth_params, "nonce": nonce}, **kwargs)


provider_classes = [CompanyProvider]
