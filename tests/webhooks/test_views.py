import pytest
from django.urls import reverse

from audit.models import EventKind, SecurityEvent
from webhooks import services
from webhooks.models import Attempt, Delivery, EventType, Webhook

pytestmark = pytest.mark.django_db

PUBLIC_URL = "https://93.184.215.14/hooks/mlops"  # an address literal: no DNS in tests


def _add(client, team, url=PUBLIC_URL, events=EventType.values):
    return client.post(reverse("webhooks:list", args=[team.pk]), {"url": url, "events": events})


def _webhook(team, lead):
    return services.create_webhook(team=team, url=PUBLIC_URL, events=EventType.values, user=lead).webhook


def test_a_lead_adds_a_webhook_and_sees_its_secret_once(client_for, team, lead):
    client = client_for(lead)
    response = _add(client, team, events=[EventType.ASSESSMENT_SUBMITTED, EventType.ACTION_CREATED])

    webhook = Webhook.objects.get(team=team)
    assert response.status_code == 200
    assert webhook.secret in response.content.decode()
    assert webhook.events == ["assessment.submitted", "action.created"]
    assert webhook.secret not in client.get(reverse("webhooks:list", args=[team.pk])).content.decode()


def test_adding_a_webhook_is_a_security_event(client_for, team, lead):
    _add(client_for(lead), team)
    event = SecurityEvent.objects.get(kind=EventKind.WEBHOOK_ADDED)
    assert event.team_id == team.pk and "https://93.184.215.14 for" in event.summary
    assert "/hooks/mlops" not in event.summary  # a path may hold the receiver's token
    assert Webhook.objects.get().secret not in event.summary


def test_a_url_leading_to_a_private_address_is_refused_with_what_was_typed(client_for, team, lead):
    response = _add(client_for(lead), team, url="https://169.254.169.254/latest/meta-data/")

    page = response.content.decode()
    assert response.status_code == 200 and not Webhook.objects.exists()
    assert "webhooks go only to addresses on the public internet" in page
    assert 'value="https://169.254.169.254/latest/meta-data/"' in page


def test_a_plain_http_url_is_refused(client_for, team, lead):
    response = _add(client_for(lead), team, url="http://93.184.215.14/hooks")
    assert "The address must start with https://." in response.content.decode() and not Webhook.objects.exists()


def test_the_operator_setting_allows_a_private_address(client_for, team, lead, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    _add(client_for(lead), team, url="http://127.0.0.1:9000/hooks")
    assert Webhook.objects.get().url == "http://127.0.0.1:9000/hooks"


def test_a_webhook_needs_at_least_one_event(client_for, team, lead):
    response = _add(client_for(lead), team, events=[])
    assert "This field is required." in response.content.decode() and not Webhook.objects.exists()


def test_a_member_may_not_see_the_webhooks(client_for, team, member):
    assert client_for(member).get(reverse("webhooks:list", args=[team.pk])).status_code == 403


def test_removing_a_webhook_stops_it_and_is_a_security_event(client_for, team, lead):
    webhook = _webhook(team, lead)
    response = client_for(lead).post(reverse("webhooks:remove", args=[team.pk, webhook.pk]))
    assert response.status_code == 302 and not Webhook.objects.exists()
    assert SecurityEvent.objects.filter(kind=EventKind.WEBHOOK_REMOVED, team_id=team.pk).exists()


def test_another_teams_lead_cannot_reach_a_webhook_through_their_own_team(client_for, team, lead, outsider):
    webhook = _webhook(team, lead)
    delivery = services.emit(team=team, event_type=EventType.ACTION_CREATED, data={})[0]
    their_team = outsider.memberships.get().team_id
    client = client_for(outsider)

    assert client.get(reverse("webhooks:deliveries", args=[their_team, webhook.pk])).status_code == 404
    assert client.post(reverse("webhooks:remove", args=[their_team, webhook.pk])).status_code == 404
    assert client.post(reverse("webhooks:redeliver", args=[their_team, delivery.pk])).status_code == 404
    assert Webhook.objects.filter(pk=webhook.pk).exists() and Delivery.objects.count() == 1


def test_the_delivery_log_shows_each_attempt(client_for, team, lead):
    webhook = _webhook(team, lead)
    delivery = services.emit(team=team, event_type=EventType.ACTION_CREATED, data={})[0]
    Attempt.objects.create(
        delivery=delivery, number=1, at=delivery.created_at, status_code=503, error="Answered HTTP 503"
    )
    response = client_for(lead).get(reverse("webhooks:deliveries", args=[team.pk, webhook.pk]))
    page = response.content.decode()
    assert "Try 1" in page and "HTTP 503" in page and str(delivery.event_id) in page
    assert webhook.secret not in page


def test_the_delivery_log_is_paginated_with_a_fixed_number_of_queries(
    client_for, team, lead, django_assert_num_queries
):
    webhook = _webhook(team, lead)
    for _ in range(30):
        delivery = services.emit(team=team, event_type=EventType.ACTION_CREATED, data={})[0]
        Attempt.objects.create(delivery=delivery, number=1, at=delivery.created_at, status_code=200)
    client = client_for(lead)
    url = reverse("webhooks:deliveries", args=[team.pk, webhook.pk])
    with django_assert_num_queries(7):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 25
    assert len(client.get(url, {"page": 2}).context["page"].object_list) == 5


def test_a_lead_sends_a_delivery_again(client_for, team, lead):
    webhook = _webhook(team, lead)
    delivery = services.emit(team=team, event_type=EventType.ACTION_CREATED, data={})[0]
    response = client_for(lead).post(reverse("webhooks:redeliver", args=[team.pk, delivery.pk]))

    assert response.url == reverse("webhooks:deliveries", args=[team.pk, webhook.pk])
    again = Delivery.objects.exclude(pk=delivery.pk).get()
    assert (again.event_id, again.payload, again.redelivery_of_id) == (delivery.event_id, delivery.payload, delivery.pk)
