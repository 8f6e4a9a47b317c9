"""Personal access tokens: made on the account page, shown once, stored hashed, no stronger than their owner."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken, TokenScope
from assessments.models import Membership
from audit.models import EventKind, SecurityEvent
from tests.factories import submitted_assessment

pytestmark = pytest.mark.django_db


def test_a_token_is_shown_once_stored_hashed_and_works_until_revoked(client_for, client, lead):
    page = client_for(lead).post(reverse("tokens:list"), {"name": "Backstage", "scope": "read", "days": 30})
    [secret] = re.findall(r'value="(mma_[^"]+)"', page.text)
    token = ApiToken.objects.get(user=lead)
    assert secret not in token.digest and token.digest != secret and len(token.digest) == 64
    assert token.expires_at.date() == (timezone.now() + timedelta(days=30)).date()
    assert secret not in client.get(reverse("tokens:list")).text  # never shown again

    client.logout()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get(reverse("api:teams"), **headers).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None

    client_for(lead).post(reverse("tokens:revoke", args=[token.pk]))
    client.logout()
    response = client.get(reverse("api:teams"), **headers)
    assert response.status_code == 401 and response.json()["error"]["code"] == "authentication_failed"
    kinds = set(SecurityEvent.objects.filter(actor_id=lead.pk).values_list("kind", flat=True))
    assert {EventKind.TOKEN_CREATED, EventKind.TOKEN_REVOKED} <= kinds


def test_an_expired_or_forged_token_is_refused(client, lead, bearer):
    headers = bearer(lead)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("api:teams"), **headers).status_code == 401
    forged = {"HTTP_AUTHORIZATION": headers["HTTP_AUTHORIZATION"][:-4] + "abcd"}
    assert client.get(reverse("api:teams"), **forged).status_code == 401


def test_the_token_form_keeps_the_input_and_caps_the_lifetime_at_a_year(client_for, lead):
    response = client_for(lead).post(reverse("tokens:list"), {"name": "Too long", "scope": "write", "days": 400})
    assert response.status_code == 200 and "less than or equal to 365" in response.text
    assert 'value="Too long"' in response.text and not ApiToken.objects.exists()


def test_a_read_only_token_cannot_change_anything(client, team, lead, bearer):
    response = client.post(reverse("api:assessments"), {"team": team.pk, "title": "X"}, **bearer(lead, TokenScope.READ))
    assert response.status_code == 403 and "read-only" in response.json()["error"]["message"]


def test_a_token_loses_a_team_the_moment_its_owner_does(client, team, lead, member, bearer):
    assessment = submitted_assessment(team, lead)
    headers = bearer(member)
    assert client.get(reverse("api:assessment", args=[assessment.pk]), **headers).status_code == 200
    Membership.objects.filter(team=team, user=member).delete()
    assert client.get(reverse("api:assessment", args=[assessment.pk]), **headers).status_code == 404
    assert client.get(reverse("api:teams"), **headers).json()["results"] == []


def test_staff_without_a_second_factor_cannot_make_tokens(client, team):
    from tests.factories import PASSWORD, UserFactory

    staff = UserFactory(is_staff=True)
    team.organisation.consultants.add(staff)
    client.login(username=staff.username, password=PASSWORD)
    page = client.post(reverse("tokens:list"), {"name": "Sneaky", "scope": "write", "days": 30})
    assert "need a" in page.text and not ApiToken.objects.exists()


def test_requests_over_the_limit_get_429_with_retry_after(client, lead, bearer, settings):
    settings.API_REQUESTS_PER_MINUTE = 3
    headers = bearer(lead)
    statuses = [client.get(reverse("api:teams"), **headers).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get(reverse("api:teams"), **headers)
    assert response.json()["error"]["code"] == "throttled" and int(response["Retry-After"]) > 0
