"""The questionnaire page's content is cached per revision of what it shows (assessments/questionnaire_page.py),
and never shows an old revision: each test draws the page, changes one thing it shows, and draws it again."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import evidence, organisations, services, shared_answers
from assessments.questionnaire_page import CSRF_PLACEHOLDER, load_stamps
from playbook.published import load_practices
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(team, lead):
    return services.create_assessment(team=team, user=lead, title="Cached questionnaire")


@pytest.fixture
def challenges(playbook):
    return list(playbook.challenges.order_by("order"))


def page_url(assessment, challenge) -> str:
    return reverse("assessments:questionnaire", args=[assessment.pk, challenge.slug])


def answer(practice, level, notes=""):
    return services.AnswerInput(practice, practice.options.get(level=level), notes=notes)


def upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"# Runbook\nRestart the scorer.\n")


def test_an_answer_on_another_challenge_moves_this_pages_progress_at_once(client_for, assessment, challenges, lead):
    first, second = challenges[0], challenges[1]
    client = client_for(lead)
    total = len(load_practices(assessment.playbook, second))
    assert f"0/{total}" in client.get(page_url(assessment, first)).text

    services.save_answers(
        assessment=assessment, user=lead, answers=[answer(load_practices(assessment.playbook, second)[0], 2)]
    )

    assert f"1/{total}" in client.get(page_url(assessment, first)).text


def test_an_evidence_file_shows_at_once_and_goes_when_removed(client_for, assessment, challenges, lead):
    practice = load_practices(assessment.playbook, challenges[0])[0]
    client = client_for(lead)
    client.get(page_url(assessment, challenges[0]))

    attached = evidence.attach_evidence(
        assessment=assessment, practice=practice, user=lead, upload=upload("runbook.md")
    )
    assert "runbook.md" in client.get(page_url(assessment, challenges[0])).text

    evidence.delete_evidence(evidence=attached, user=lead)
    assert "runbook.md" not in client.get(page_url(assessment, challenges[0])).text


def test_a_file_added_to_an_inherited_shared_answer_shows_at_once(client_for, assessment, challenges, team, lead):
    practice = load_practices(assessment.playbook, challenges[0])[0]
    platform = shared_answers.create_answer_set(organisation=team.organisation, user=lead, name="ML platform")
    shared_answers.save_shared_answers(answer_set=platform, user=lead, answers=[answer(practice, 3)])
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)
    client = client_for(lead)
    assert "gateway.md" not in client.get(page_url(assessment, challenges[0])).text

    evidence.attach_shared_evidence(answer_set=platform, practice=practice, user=lead, upload=upload("gateway.md"))

    assert "gateway.md" in client.get(page_url(assessment, challenges[0])).text


def test_a_renamed_team_and_a_submitted_assessment_show_at_once(client_for, assessment, challenges, team, lead):
    client = client_for(lead)
    assert "hx-post" in client.get(page_url(assessment, challenges[0])).text

    organisations.update_team(team=team, name="Renamed squad", business_unit="", product_area="", tags=[], by=lead)
    assert "Renamed squad" in client.get(page_url(assessment, challenges[0])).text

    assessment.status = "submitted"
    assessment.save(update_fields=["status"])
    page = client.get(page_url(assessment, challenges[0])).text
    assert "its answers are locked" in page and "hx-post" not in page


def test_each_response_carries_its_own_csrf_token_and_a_cached_pages_token_is_accepted(
    assessment, challenges, lead, member
):
    pages = []
    for user in (lead, member):
        client = Client(enforce_csrf_checks=True)
        assert client.login(username=user.username, password=PASSWORD)
        page = client.get(page_url(assessment, challenges[0])).text
        assert CSRF_PLACEHOLDER not in page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        pages.append((client, token))
    practice = load_practices(assessment.playbook, challenges[0])[0]
    client, token = pages[1]  # the member's page came from the cache the lead's view filled

    response = client.post(
        page_url(assessment, challenges[0]), {"csrfmiddlewaretoken": token, f"{practice.slug}-level": "2", "save": ""}
    )

    assert response.status_code == 302
    assert pages[0][1] != pages[1][1]


def test_a_repeat_view_costs_no_more_queries_than_the_first(client_for, assessment, challenges, lead):
    client = client_for(lead)
    services.save_answers(
        assessment=assessment,
        user=lead,
        answers=[answer(p, 1) for p in load_practices(assessment.playbook, challenges[0])],
    )
    client.get(page_url(assessment, challenges[1]))  # warms what every page loads once per process
    with CaptureQueriesContext(connection) as first:
        client.get(page_url(assessment, challenges[0]))
    with CaptureQueriesContext(connection) as repeat:
        client.get(page_url(assessment, challenges[0]))
    assert len(repeat) <= len(first)
    assert not any(
        'assessments_answer"."notes' in q["sql"] for q in repeat.captured_queries
    )  # no answer loaded in full


def test_the_keys_take_one_query_naming_own_and_inherited_files_oldest_first(assessment, challenges, team, lead):
    first, second, third = load_practices(assessment.playbook, challenges[0])[:3]
    platform = shared_answers.create_answer_set(organisation=team.organisation, user=lead, name="ML platform")
    shared_answers.save_shared_answers(answer_set=platform, user=lead, answers=[answer(first, 3)])
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)
    services.save_answers(assessment=assessment, user=lead, answers=[answer(second, 2)])
    own = [
        evidence.attach_evidence(assessment=assessment, practice=second, user=lead, upload=upload(f"{n}.md"))
        for n in "ab"
    ]
    inherited = evidence.attach_shared_evidence(answer_set=platform, practice=first, user=lead, upload=upload("c.md"))
    evidence.attach_evidence(assessment=assessment, practice=third, user=lead, upload=upload("unanswered.md"))
    load_practices(assessment.playbook)  # what every page loads once per process

    with CaptureQueriesContext(connection) as queries:
        progress, stamps, file_ids = load_stamps(assessment, challenges[0].slug)

    assert len(queries) == 1
    assert set(stamps) == {first.pk, second.pk}
    assert stamps[first.pk].answer_set_id == platform.pk and stamps[second.pk].answer_set_id is None
    assert file_ids[first.pk] == [inherited.pk]
    assert file_ids[second.pk] == sorted(file.pk for file in own)
    assert third.pk in file_ids  # a file may come before its answer
    assert [item.answered for item in progress][:1] == [2]
