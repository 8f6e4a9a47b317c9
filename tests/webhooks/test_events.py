import json
from datetime import date

import pytest

from assessments import services as assessment_services
from assessments import tracking
from assessments.models import ActionStatus
from assessments.results import build_results
from tests.factories import TeamFactory, submitted_assessment
from webhooks import services
from webhooks.models import Delivery, EventType

pytestmark = pytest.mark.django_db

PUBLIC_URL = "https://93.184.215.14/hooks/mlops"  # an address literal: no DNS in tests


def _webhook(team, lead, events=EventType.values):
    return services.create_webhook(team=team, url=PUBLIC_URL, events=events, user=lead).webhook


def _payloads(webhook) -> list[dict]:
    return [json.loads(delivery.payload) for delivery in webhook.deliveries.order_by("pk")]


def test_submitting_an_assessment_sends_its_levels(team, lead):
    webhook = _webhook(team, lead)
    assessment = submitted_assessment(team, lead, title="Spring review")

    (payload,) = _payloads(webhook)
    assert payload["type"] == "assessment.submitted"
    assert payload["team"] == {"id": team.pk, "name": team.name, "url": f"http://localhost:8000/teams/{team.pk}/"}
    assert payload["data"]["assessment"]["id"] == assessment.pk
    assert payload["data"]["assessment"]["status"] == "submitted"
    assert payload["data"]["assessment"]["results_url"].endswith(f"/assessments/{assessment.pk}/results/")
    assert {"challenge", "title", "level"} <= set(payload["data"]["challenges"][0])
    assert "level" in payload["data"] and "high_risk_practices" in payload["data"]


def test_the_payload_id_is_the_delivery_event_id(team, lead):
    webhook = _webhook(team, lead)
    submitted_assessment(team, lead)
    delivery = webhook.deliveries.get()
    assert json.loads(delivery.payload)["id"] == str(delivery.event_id)
    assert delivery.event_type == EventType.ASSESSMENT_SUBMITTED


def test_reopening_an_assessment_is_sent(team, lead):
    assessment = submitted_assessment(team, lead)
    webhook = _webhook(team, lead)
    assessment_services.reopen_assessment(assessment=assessment, user=lead)
    (payload,) = _payloads(webhook)
    assert payload["type"] == "assessment.reopened"
    assert payload["data"]["assessment"] == {
        "id": assessment.pk,
        "title": assessment.title,
        "status": "draft",
        "url": f"http://localhost:8000/assessments/{assessment.pk}/",
    }


def test_tracking_a_plan_item_is_sent_once(team, lead):
    assessment = submitted_assessment(team, lead)
    webhook = _webhook(team, lead)
    item = build_results(assessment).plan[0]
    action = tracking.track_action(assessment=assessment, item=item, user=lead)
    tracking.track_action(assessment=assessment, item=item, user=lead)  # already tracked: nothing new

    (payload,) = _payloads(webhook)
    assert payload["type"] == "action.created"
    assert payload["data"]["action"]["id"] == action.pk
    assert payload["data"]["action"]["status"] == "todo"
    assert "previous_status" not in payload["data"]["action"]


def test_a_status_change_is_sent_with_the_status_before(team, lead, member):
    assessment = submitted_assessment(team, lead)
    action = tracking.track_action(assessment=assessment, item=build_results(assessment).plan[0], user=lead)
    webhook = _webhook(team, lead)
    tracking.update_action(action=action, owner=member, due_date=None, status=ActionStatus.DOING)

    (payload,) = _payloads(webhook)
    assert payload["type"] == "action.status_changed"
    assert (payload["data"]["action"]["status"], payload["data"]["action"]["previous_status"]) == ("doing", "todo")
    assert "member" not in json.dumps(payload) and member.username not in json.dumps(payload)  # no names


def test_changing_an_action_without_changing_its_status_sends_nothing(team, lead, member):
    assessment = submitted_assessment(team, lead)
    action = tracking.track_action(assessment=assessment, item=build_results(assessment).plan[0], user=lead)
    webhook = _webhook(team, lead)
    tracking.update_action(action=action, owner=member, due_date=date(2027, 1, 31), status=ActionStatus.TODO)
    assert not webhook.deliveries.exists()


def test_a_webhook_hears_only_the_events_it_chose(team, lead):
    webhook = _webhook(team, lead, events=[EventType.ASSESSMENT_REOPENED])
    assessment = submitted_assessment(team, lead)
    assert not webhook.deliveries.exists()
    assessment_services.reopen_assessment(assessment=assessment, user=lead)
    assert webhook.deliveries.get().event_type == EventType.ASSESSMENT_REOPENED


def test_another_teams_webhook_hears_nothing(team, lead):
    other = _webhook(TeamFactory(organisation=team.organisation), lead)
    submitted_assessment(team, lead)
    assert not other.deliveries.exists()


def test_every_webhook_of_the_team_gets_the_same_event(team, lead):
    first, second = _webhook(team, lead), _webhook(team, lead)
    submitted_assessment(team, lead)
    one, two = first.deliveries.get(), second.deliveries.get()
    assert one.event_id == two.event_id and one.payload == two.payload


def test_deliveries_are_queued_only_when_the_change_commits(team, lead, django_capture_on_commit_callbacks):
    _webhook(team, lead)
    _webhook(team, lead)
    with django_capture_on_commit_callbacks() as callbacks:
        submitted_assessment(team, lead)
    assert len(callbacks) == 2 and Delivery.objects.filter(attempts=0).count() == 2


def test_a_team_without_webhooks_costs_one_query_per_event(team, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert services.emit(team=team, event_type=EventType.ASSESSMENT_REOPENED, data={}) == []
