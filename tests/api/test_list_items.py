"""The API's lists build each item without DRF's per-field machinery (api.serializers.FlatRepresentation); every
item must still be exactly what DRF's own representation of the same row is, in the list and alone."""

import datetime

import pytest
from django.urls import reverse
from rest_framework import serializers

from api.serializers import ActionSerializer, AssessmentSerializer
from assessments import services, tracking
from assessments.models import Action, Assessment
from assessments.results import build_results
from tests.factories import submitted_assessment

pytestmark = pytest.mark.django_db


def drf_representation(serializer_class, instance) -> dict:
    """DRF's field-by-field representation, of a row loaded afresh (nothing annotated: relations followed)."""
    fresh = type(instance).objects.get(pk=instance.pk)
    return serializers.Serializer.to_representation(serializer_class(), fresh)


@pytest.fixture
def assessments(team, lead):
    submitted = submitted_assessment(team, lead, title="Submitted", level_for=lambda practice: 1)
    Assessment.objects.filter(pk=submitted.pk).update(targets={"security-practice": 3}, subject="Fraud scoring")
    draft = services.create_assessment(team=team, user=lead, title="Draft")
    return [submitted, draft]


def test_assessment_items_are_drfs_own_in_the_list_and_alone(client, lead, bearer, assessments):
    headers = bearer(lead)
    listed = {item["id"]: item for item in client.get(reverse("api:assessments"), **headers).json()["results"]}
    assert set(listed) == {a.pk for a in assessments}
    for assessment in assessments:
        expected = drf_representation(AssessmentSerializer, assessment)
        assert listed[assessment.pk] == expected
        assert client.get(reverse("api:assessment", args=[assessment.pk]), **headers).json() == expected
    submitted, draft = (listed[a.pk] for a in assessments)
    # The values a shortcut could get wrong: a related key, a version across a relation, a username, dates, nulls.
    assert submitted["team"] == assessments[0].team_id and submitted["playbook_version"]
    assert submitted["submitted_by"] == lead.get_username() and submitted["submitted_at"].endswith("Z")
    assert submitted["targets"] == {"security-practice": 3}
    assert (draft["submitted_by"], draft["submitted_at"], draft["status"]) == (None, None, "draft")


def test_action_items_are_drfs_own_in_the_list_and_alone(client, team, lead, bearer):
    assessment = submitted_assessment(team, lead, level_for=lambda practice: 0)
    first, second = build_results(assessment).plan[:2]
    owned = tracking.track_action(assessment=assessment, item=first, user=lead)
    unowned = tracking.track_action(assessment=assessment, item=second, user=lead)
    Action.objects.filter(pk=owned.pk).update(owner=lead, due_date=datetime.date(2027, 3, 31))
    Action.objects.filter(pk=unowned.pk).update(owner=None, due_date=None)
    headers = bearer(lead)
    listed = {item["id"]: item for item in client.get(reverse("api:actions"), **headers).json()["results"]}
    for action in (owned, unowned):
        assert listed[action.pk] == drf_representation(ActionSerializer, action)
    assert (listed[owned.pk]["owner"], listed[owned.pk]["due_date"]) == (lead.get_username(), "2027-03-31")
    assert (listed[unowned.pk]["owner"], listed[unowned.pk]["due_date"]) == (None, None)
