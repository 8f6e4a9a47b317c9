"""The hot pages cost the same number of queries whatever the size of the playbook or the history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from tests.factories import publish_synthetic_playbook, submitted_assessment

pytestmark = pytest.mark.django_db
QUESTIONNAIRE_BUDGET = 8


def world(team, lead, *, challenges, practices, assessments=1):
    """A team whose assessments are fully answered on a synthetic playbook of challenges x practices."""
    playbook = publish_synthetic_playbook(
        version=f"size-{challenges}x{practices}-{assessments}", challenges=challenges, practices=practices
    )
    created = [
        submitted_assessment(team, lead, title=f"Round {i}", level_for=lambda p, i=i: i % 5, notes_for=lambda p: "n")
        for i in range(assessments)
    ]
    return playbook, created[-1]


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def page_costs(client, team, lead, **size) -> dict[str, int]:
    playbook, assessment = world(team, lead, **size)
    first_challenge = playbook.challenges.first().slug
    return {
        "questionnaire": count(client, reverse("assessments:questionnaire", args=[assessment.pk, first_challenge])),
        "results": count(client, reverse("assessments:results", args=[assessment.pk])),
        "overview": count(client, reverse("assessments:overview", args=[assessment.pk])),
        "dashboard": count(client, team.get_absolute_url()),
        "history": count(client, reverse("assessments:history", args=[team.pk])),
    }


def test_page_costs_do_not_grow_from_8_to_40_practices(client_for, lead, team):
    client = client_for(lead)
    small = page_costs(client, team, lead, challenges=4, practices=2)
    for assessment in team.assessments.all():
        services.delete_assessment(assessment=assessment, user=lead)
    large = page_costs(client, team, lead, challenges=5, practices=8)
    assert small == large
    assert large["questionnaire"] <= QUESTIONNAIRE_BUDGET


def test_dashboard_and_history_costs_do_not_grow_with_the_number_of_assessments(client_for, lead, team):
    client = client_for(lead)
    one = page_costs(client, team, lead, challenges=5, practices=2, assessments=1)
    for assessment in team.assessments.all():
        services.delete_assessment(assessment=assessment, user=lead)
    many = page_costs(client, team, lead, challenges=5, practices=2, assessments=6)
    assert one["dashboard"] == many["dashboard"]
    assert one["history"] == many["history"]


def test_a_page_finds_its_own_assessment_or_team_by_key_without_sorting(client_for, lead, team):
    """Looking one row up by its key with first() sorted it by the model's default ordering: a sort for nothing,
    compiled on every request, and for a team a join to its organisation."""
    _, assessment = world(team, lead, challenges=3, practices=2)
    client = client_for(lead)
    pages = {
        reverse("assessments:results", args=[assessment.pk]): f'"assessments_assessment"."id" = {assessment.pk}',
        team.get_absolute_url(): f'"assessments_team"."id" = {team.pk}',
    }
    for url, by_key in pages.items():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        lookup = next(query["sql"] for query in queries.captured_queries if by_key in query["sql"])
        assert "ORDER BY" not in lookup, lookup
