"""Signing in with the company's OpenID Connect provider, against a real provider served during the test."""

from datetime import timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from assessments.models import Membership, Role
from identity.models import SignInRule
from tests.factories import PASSWORD, TeamFactory, UserFactory
from tests.identity.conftest import Provider, unverified_claims

pytestmark = pytest.mark.django_db
ALICE = {"email": "alice@example.com", "email_verified": True, "name": "Alice Example", "groups": ["ml-platform"]}


def sign_in(client, provider, sub="alice", claims=ALICE):
    """The whole redirect dance: the app sends the browser to the provider, the person approves, the provider
    sends the browser back with a code, and the app exchanges it and checks the ID token."""
    provider.set_user(sub, claims)
    start = client.post(reverse("company_login", args=["company"]))
    assert start.status_code == 302 and start.url.startswith(f"{provider.url}/oauth2/authorize?"), start
    assert "nonce=" in start.url and "code_challenge=" in start.url
    approved = httpx.post(start.url, data={"sub": sub})
    assert approved.status_code == 302, approved.text
    back = urlsplit(approved.headers["location"])
    assert back.path == reverse("company_callback", args=["company"])
    return client.get(f"{back.path}?{back.query}")


def test_a_first_sign_in_creates_the_account_and_joins_the_teams_its_rules_name(client, company_sign_in):
    by_domain, by_group = TeamFactory(), TeamFactory()
    SignInRule.objects.create(team=by_domain, email_domain="example.com", role=Role.VIEWER)
    SignInRule.objects.create(team=by_group, group="ml-platform", role=Role.LEAD)
    response = sign_in(client, company_sign_in)
    assert response.status_code == 302 and response.url == reverse("assessments:home")
    user = get_user_model().objects.get(email="alice@example.com")
    assert user.get_full_name() == "Alice Example" and not user.has_usable_password()
    roles = dict(Membership.objects.filter(user=user).values_list("team_id", "role"))
    assert roles == {by_domain.pk: Role.VIEWER, by_group.pk: Role.LEAD}
    assert client.get(reverse("assessments:home")).status_code == 200


def test_signing_in_again_is_the_same_account_and_never_lowers_a_role(client, company_sign_in):
    team = TeamFactory()
    SignInRule.objects.create(team=team, email_domain="example.com", role=Role.VIEWER)
    sign_in(client, company_sign_in)
    user = get_user_model().objects.get(email="alice@example.com")
    Membership.objects.filter(user=user, team=team).update(role=Role.LEAD)  # a lead promoted her in the app
    client.post(reverse("account_logout"))
    sign_in(client, company_sign_in)
    assert get_user_model().objects.filter(email="alice@example.com").count() == 1
    assert Membership.objects.get(user=user, team=team).role == Role.LEAD


def test_a_local_account_with_the_same_verified_email_is_the_one_signed_in(client, company_sign_in):
    local = UserFactory(email="alice@example.com")
    sign_in(client, company_sign_in)
    assert int(client.session["_auth_user_id"]) == local.pk
    assert get_user_model().objects.filter(email="alice@example.com").count() == 1


def test_an_email_domain_that_is_not_allowed_is_refused_and_nothing_is_created(client, company_sign_in):
    response = sign_in(client, company_sign_in, sub="mallory", claims={"email": "mallory@elsewhere.test"})
    assert response.status_code == 403 and "not in a domain this installation accepts" in response.text
    assert not get_user_model().objects.filter(email="mallory@elsewhere.test").exists()
    assert "_auth_user_id" not in client.session


def _refused(client, provider, rewrite, caplog, reason):
    provider.rewrite = rewrite
    response = sign_in(client, provider)
    assert response.status_code == 401 and "_auth_user_id" not in client.session, response
    assert not get_user_model().objects.filter(email=ALICE["email"]).exists()
    refusals = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Company sign-in refused")]
    assert len(refusals) == 1 and reason in refusals[0], refusals


def test_an_id_token_issued_to_another_application_is_refused(client, company_sign_in, caplog):
    def for_another_client(id_token):
        claims = unverified_claims(id_token)
        return company_sign_in.id_token_for(sub=claims["sub"], nonce=claims["nonce"], client_id="another-app")

    _refused(client, company_sign_in, for_another_client, caplog, "Audience doesn't match")


def test_an_id_token_from_another_sign_in_is_refused_by_its_nonce(client, company_sign_in, caplog):
    def from_another_sign_in(id_token):
        return company_sign_in.id_token_for(sub=unverified_claims(id_token)["sub"], nonce="someone-elses-nonce")

    _refused(client, company_sign_in, from_another_sign_in, caplog, "nonce")


def test_an_id_token_whose_signature_was_altered_is_refused(client, company_sign_in, caplog):
    def tampered(id_token):
        header, payload, signature = id_token.split(".")
        return ".".join(
            [header, payload, ("A" if signature[10] != "A" else "B").join([signature[:10], signature[11:]])]
        )

    _refused(client, company_sign_in, tampered, caplog, "Signature verification failed")


def test_an_id_token_naming_another_issuer_is_refused(client, company_sign_in, caplog):
    def other_issuer(id_token):
        claims = unverified_claims(id_token)
        # Signed with the provider's own key, but under another name than the one the app was configured with.
        other_name = company_sign_in.url.replace("localhost", "127.0.0.1")
        return company_sign_in.id_token_for(sub=claims["sub"], nonce=claims["nonce"], base_url=other_name)

    _refused(client, company_sign_in, other_issuer, caplog, "Invalid issuer")


def test_an_id_token_signed_by_another_provider_is_refused(client, company_sign_in, caplog):
    impostor = Provider()
    try:
        impostor.set_user("alice", ALICE)

        def from_impostor(id_token):
            claims = unverified_claims(id_token)
            return impostor.id_token_for(sub=claims["sub"], nonce=claims["nonce"])

        _refused(client, company_sign_in, from_impostor, caplog, "Unable to find a signing key")
    finally:
        impostor.stop()


def test_an_expired_id_token_is_refused(client, settings, caplog):
    expired = Provider(token_max_age=timedelta(seconds=-120))
    try:
        settings.SOCIALACCOUNT_PROVIDERS = {
            "company": {
                "APPS": [
                    {
                        "provider_id": "company",
                        "name": "Acme SSO",
                        "client_id": "mlops-assessment",
                        "secret": "client-secret",
                        "settings": {"server_url": expired.url, "oauth_pkce_enabled": True},
                    }
                ]
            }
        }
        response = sign_in(client, expired)
        assert response.status_code == 401 and "_auth_user_id" not in client.session
        assert any("Signature has expired" in r.getMessage() for r in caplog.records)
    finally:
        expired.stop()


def test_the_login_page_offers_the_company_provider(client, company_sign_in):
    page = client.get(reverse("account_login")).text
    assert "Sign in with Acme SSO" in page and 'name="password"' in page


def test_with_local_accounts_off_only_the_company_provider_signs_people_in(client, settings, company_sign_in, lead):
    settings.LOCAL_ACCOUNTS = False
    settings.SOCIALACCOUNT_ONLY = True
    page = client.get(reverse("account_login")).text
    assert "Sign in with Acme SSO" in page and 'name="password"' not in page
    refused = client.post(reverse("account_login"), {"login": lead.username, "password": PASSWORD})
    assert refused.status_code == 403 and "_auth_user_id" not in client.session
    assert sign_in(client, company_sign_in).status_code == 302
