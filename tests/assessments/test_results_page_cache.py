"""The results page's content is cached per revision of what it shows, and never shows an old revision."""

import re

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import services, tracking
from assessments.models import Answer
from assessments.results import build_results
from assessments.results_page import CSRF_PLACEHOLDER
from playbook.published import load_practices
from tests.factories import PASSWORD, answer_every_practice, resubmitted, submitted_assessment

pytestmark = pytest.mark.django_db


def results_url(assessment) -> str:
    return reverse("assessments:results", args=[assessment.pk])


def signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def draft(team, lead):
    assessment = services.create_assessment(team=team, user=lead, title="Cached")
    answer_every_practice(assessment, lead, level_for=lambda p: 1, notes_for=lambda p: "First notes")
    return assessment


def test_a_saved_answer_shows_on_the_next_results_page(client_for, draft, lead):
    client = client_for(lead)
    assert "First notes" in client.get(results_url(draft)).text
    practice = load_practices(draft.playbook)[0]
    answer = Answer.objects.get(assessment=draft, practice=practice)
    services.save_practice(
        assessment=draft,
        user=lead,
        practice=practice,
        answer=services.AnswerInput(
            practice, practice.options.all()[3], notes="Changed notes", seen_revision=answer.revision
        ),
    )
    assert "Changed notes" in client.get(results_url(draft)).text


def test_answers_changed_in_bulk_show_at_once(client_for, draft, lead):
    """As a shared answer set changes the answers inheriting it: one update, each answer's revision raised."""
    client = client_for(lead)
    client.get(results_url(draft))
    Answer.objects.filter(assessment=draft).update(
        notes="Bulk notes", revision=F("revision") + 1, updated_at=timezone.now()
    )
    page = client.get(results_url(draft)).text
    assert "Bulk notes" in page and "First notes" not in page


def test_new_targets_show_at_once(client_for, draft, lead):
    client = client_for(lead)
    client.get(results_url(draft))
    slug = build_results(draft).challenges[0].challenge.slug
    services.set_targets(assessment=draft, targets={slug: 4})
    page = client.get(results_url(draft)).text
    assert re.search(rf'name="{slug}"[^>]*>.*?<option value="4" selected>', page, re.S)


def test_a_renamed_assessment_shows_its_new_title(client_for, draft, lead):
    client = client_for(lead)
    client.get(results_url(draft))
    draft.title = "Renamed round"
    draft.save()
    assert "Renamed round" in client.get(results_url(draft)).text


def test_a_tracked_action_shows_at_once(client_for, draft, lead):
    client = client_for(lead)
    assert "Tracked on the team" not in client.get(results_url(draft)).text
    tracking.track_action(assessment=draft, item=build_results(draft).plan[0], user=lead)
    assert "Tracked on the team" in client.get(results_url(draft)).text


def test_an_organisation_viewer_never_gets_the_page_cached_with_notes(draft, lead, org_viewer):
    assert "First notes" in signed_in(lead).get(results_url(draft)).text
    page = signed_in(org_viewer).get(results_url(draft))
    assert page.status_code == 200 and "First notes" not in page.text
    assert "Save targets" not in page.text


def test_each_response_carries_its_own_csrf_token(draft, lead, consultant):
    tokens = []
    for user in (lead, consultant):
        page = signed_in(user).get(results_url(draft)).text
        assert CSRF_PLACEHOLDER not in page
        tokens.append(set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)))
    assert tokens[0] and tokens[1] and not tokens[0] & tokens[1]


def test_a_cached_pages_targets_form_is_accepted(draft, lead):
    client = Client(enforce_csrf_checks=True)
    client.login(username=lead.username, password=PASSWORD)
    client.get(results_url(draft))
    page = client.get(results_url(draft)).text  # from the cache
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    slug = build_results(draft).challenges[0].challenge.slug
    targets = {item.challenge.slug: 3 for item in build_results(draft).challenges} | {slug: 2}
    response = client.post(results_url(draft), targets | {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.targets[slug] == 2


def test_a_repeat_view_is_not_scored_again_and_costs_no_more_queries(client_for, draft, lead, monkeypatch):
    client = client_for(lead)
    with CaptureQueriesContext(connection) as first:
        client.get(results_url(draft))
    monkeypatch.setattr("assessments.results_page.build_results", lambda assessment: pytest.fail("scored again"))
    with CaptureQueriesContext(connection) as repeat:
        assert client.get(results_url(draft)).status_code == 200
    assert len(repeat) <= len(first)


def test_a_submission_shows_the_benchmark_sentence_at_once(client_for, team, lead):
    assessment = submitted_assessment(team, lead, title="Benchmarked")
    client = client_for(lead)
    assert "does not take part in the benchmark" in client.get(results_url(assessment)).text
    services.reopen_assessment(assessment=assessment, user=lead)
    assert "still in progress" in client.get(results_url(assessment)).text


def test_a_submitted_assessments_page_reads_no_answers_once_cached(client_for, team, lead):
    assessment = submitted_assessment(team, lead, title="Settled", notes_for=lambda p: "Settled notes")
    client = client_for(lead)
    client.get(results_url(assessment))
    with CaptureQueriesContext(connection) as repeat:
        assert "Settled notes" in client.get(results_url(assessment)).text
    assert not [query for query in repeat if '"assessments_answer"' in query["sql"]]


def test_answers_changed_after_reopening_show_once_submitted_again(client_for, team, lead):
    assessment = submitted_assessment(team, lead, title="Settled", notes_for=lambda p: "Settled notes")
    client = client_for(lead)
    assert "Settled notes" in client.get(results_url(assessment)).text
    resubmitted(assessment, lead, notes_for=lambda p: "Revised notes")
    page = client.get(results_url(assessment)).text
    assert "Revised notes" in page and "Settled notes" not in page
