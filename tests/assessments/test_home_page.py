"""The home page lists each team's three newest assessments, whatever the number a team has."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.models import Assessment, Role, Team
from tests.factories import MembershipFactory, TeamFactory, submitted_assessment

pytestmark = pytest.mark.django_db


def test_each_team_lists_its_three_newest_assessments(client_for, team, lead):
    for number in range(1, 6):
        services.create_assessment(team=team, user=lead, title=f"Round {number}")
    page = client_for(lead).get(reverse("assessments:home")).text
    assert all(f"Round {number}" in page for number in (3, 4, 5))
    assert "Round 1" not in page and "Round 2" not in page


def _card(page: str, team: Team) -> str:
    """The text of one team's card on the home page."""
    start = page.index(f'aria-labelledby="team-{team.pk}"')
    return page[start : page.index("</section>", start)]


def test_each_card_lists_its_own_teams_newest_three_the_later_started_first(client_for, team, lead):
    second, empty = (TeamFactory(organisation=team.organisation) for _ in range(2))
    for other in (second, empty):
        MembershipFactory(team=other, user=lead, role=Role.LEAD)
    for number in range(1, 6):
        services.create_assessment(team=team, user=lead, title=f"Round {number}")
    same_day = [services.create_assessment(team=second, user=lead, title=f"Pilot {n}") for n in range(1, 5)]
    # Started at the same moment (an import, say): the later created comes first.
    Assessment.objects.filter(pk__in=[a.pk for a in same_day]).update(created_at=same_day[0].created_at)
    page = client_for(lead).get(reverse("assessments:home")).text
    first_card, second_card = _card(page, team), _card(page, second)
    assert [f"Round {n}" in first_card for n in range(1, 6)] == [False, False, True, True, True]
    assert first_card.index("Round 5") < first_card.index("Round 4") < first_card.index("Round 3")
    assert "Pilot" not in first_card and "Round" not in second_card
    assert "Pilot 1" not in second_card
    assert second_card.index("Pilot 4") < second_card.index("Pilot 3") < second_card.index("Pilot 2")
    assert "No assessments yet." in _card(page, empty)


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


def test_a_cached_card_shows_each_change_at_once_and_only_what_the_person_may_do(client_for, team, lead, member):
    """The cards are cached per process, shared by everyone who opens the page: each key names what its card shows."""
    url = reverse("assessments:home")
    client = client_for(lead)
    draft = services.create_assessment(team=team, user=lead, title="First round")
    assert "First round" in client.get(url).text
    submitted_assessment(team, lead, title="Second round")
    page = client.get(url).text
    assert "Second round" in page and "submitted " in page
    Team.objects.filter(pk=team.pk).update(name="Renamed team")
    assert "Renamed team" in client.get(url).text
    services.delete_assessment(assessment=draft, user=lead)
    assert "First round" not in client.get(url).text
    assert "Start an assessment" in client.get(url).text
    assert "Start an assessment" not in client_for(member).get(url).text
