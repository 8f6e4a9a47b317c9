"""The home page lists each team's three newest assessments, whatever the number a team has."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services

pytestmark = pytest.mark.django_db


def test_each_team_lists_its_three_newest_assessments(client_for, team, lead):
    for number in range(1, 6):
        services.create_assessment(team=team, user=lead, title=f"Round {number}")
    page = client_for(lead).get(reverse("assessments:home")).text
    assert all(f"Round {number}" in page for number in (3, 4, 5))
    assert "Round 1" not in page and "Round 2" not in page


def test_the_home_page_costs_the_same_queries_for_one_assessment_as_for_ten(client_for, team, lead):
    client = client_for(lead)
    services.create_assessment(team=team, user=lead, title="Only")
    client.get(reverse("assessments:home"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("assessments:home"))
    for number in range(9):
        services.create_assessment(team=team, user=lead, title=f"More {number}")
    with CaptureQueriesContext(connection) as ten:
        client.get(reverse("assessments:home"))
    assert len(ten) == len(one)
