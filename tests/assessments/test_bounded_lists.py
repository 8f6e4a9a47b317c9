"""Lists that grow are paginated: the same queries for a page whatever the total."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Action
from tests.factories import TeamFactory, submitted_assessment

pytestmark = pytest.mark.django_db


def _get(client, url, page=1) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"page": page})
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_home_page_is_bounded_for_someone_who_sees_many_teams(client, team, org_viewer):
    client.force_login(org_viewer)
    home = reverse("assessments:home")
    TeamFactory.create_batch(4, organisation=team.organisation)
    few, _ = _get(client, home)
    TeamFactory.create_batch(20, organisation=team.organisation)
    many, first_page = _get(client, home)
    assert many == few, "the same queries for 5 teams as for 25"
    assert first_page.count('class="card mb-3"') == 20 and "Page 1 of 2" in first_page
    assert _get(client, home, 2)[1].count('class="card mb-3"') == 5


def test_the_actions_page_shows_thirty_at_a_time(client, team, lead):
    assessment = submitted_assessment(team, lead, level_for=lambda practice: 1)
    client.force_login(lead)
    url = reverse("assessments:actions", args=[team.pk])

    def track(count):
        start = Action.objects.count()
        Action.objects.bulk_create(
            Action(team=team, assessment=assessment, challenge_slug="c", practice_slug=f"p-{n}", title=f"Step {n}",
                   from_level=1, created_by=lead)
            for n in range(start, start + count)
        )  # fmt: skip

    track(5)
    few, _ = _get(client, url)
    track(30)
    many, first_page = _get(client, url)
    assert many == few and first_page.count('<section class="card mb-3"') == 30 and "Page 1 of 2" in first_page
    assert _get(client, url, 2)[1].count('<section class="card mb-3"') == 5
