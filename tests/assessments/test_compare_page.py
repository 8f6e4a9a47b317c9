"""The team history's comparison of two assessments: its form, its defaults and how it reads."""

import re
from datetime import timedelta
from html import escape

import pytest
from django.urls import reverse

from assessments import services, tracking
from assessments.models import Action, Assessment
from assessments.results import build_results
from tests.factories import answer_every_practice, submitted_assessment

pytestmark = pytest.mark.django_db


def make(team, lead, title, level: int, *, submit: bool = True, days_ago: int = 0) -> Assessment:
    if submit:
        assessment = submitted_assessment(team, lead, title=title, level_for=lambda p: level)
    else:
        assessment = services.create_assessment(team=team, user=lead, title=title)
        answer_every_practice(assessment, lead, level_for=lambda p: level)
    Assessment.objects.filter(pk=assessment.pk).update(created_at=assessment.created_at - timedelta(days=days_ago))
    assessment.refresh_from_db()
    return assessment


def compare(client, team, before, after):
    return client.get(reverse("assessments:compare", args=[team.pk]), {"before": before.pk, "after": after.pk})


def selected(page: str, field: str) -> str:
    """The title of the option selected in one of the compare form's lists."""
    select = page.split(f'name="{field}"', 1)[1].split("</select>", 1)[0]
    return select.split(" selected>", 1)[1].split(" (", 1)[0].strip("\u2068\u2069")  # titles are bidi-isolated


def test_the_same_assessment_on_both_sides_is_refused_and_the_choice_kept(client_for, team, lead):
    spring = make(team, lead, "Spring", 1, days_ago=90)
    make(team, lead, "Summer", 2)
    response = compare(client_for(lead), team, spring, spring)
    assert response.status_code == 200
    assert "Choose two different assessments: both sides are the same one." in response.text
    assert (selected(response.text, "before"), selected(response.text, "after")) == ("Spring", "Spring")


def test_the_form_compares_the_newest_with_the_last_submitted_one_before_it(client_for, team, lead):
    make(team, lead, "Winter", 1, days_ago=180)
    make(team, lead, "Spring", 1, days_ago=90)
    make(team, lead, "Abandoned draft", 2, submit=False, days_ago=30)
    make(team, lead, "Autumn draft", 2, submit=False)
    page = client_for(lead).get(reverse("assessments:history", args=[team.pk])).text
    assert (selected(page, "before"), selected(page, "after")) == ("Spring", "Autumn draft")


def test_a_comparison_with_nothing_improved_says_so(client_for, team, lead):
    earlier = make(team, lead, "Spring", 2, days_ago=90)
    later = make(team, lead, "Summer", 1)
    page = compare(client_for(lead), team, earlier, later).text
    assert "Nothing improved." in page and "Nothing regressed." not in page


def test_action_outcomes_keep_the_action_title_apart_from_its_status(client_for, team, lead):
    earlier = make(team, lead, "Spring", 1, days_ago=90)
    action = tracking.track_action(assessment=earlier, item=build_results(earlier).plan[0], user=lead)
    Action.objects.filter(pk=action.pk).update(status="done")
    later = make(team, lead, "Summer", 3)
    page = compare(client_for(lead), team, earlier, later).text
    rows = re.findall(r"<tr><td><bdi>(.*?)</bdi></td><td>(.*?)</td>", page)
    assert (escape(action.title), "Done") in rows
