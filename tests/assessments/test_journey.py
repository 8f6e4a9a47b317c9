"""The whole journey of a team lead through Django's test client, on PostgreSQL."""

import re
from html import unescape

import pytest
from django.conf import settings
from django.urls import reverse

from assessments.models import Assessment, Status
from assessments.results import build_results
from playbook.published import load_practices
from tests.factories import PASSWORD
from tests.pdf import pdf_links, pdf_text

pytestmark = pytest.mark.django_db


def answer_post_data(practices, level_for):
    data = {"next": ""}
    for practice in practices:
        data[f"{practice.slug}-level"] = str(level_for(practice))
        data[f"{practice.slug}-notes"] = f"Evidence for {practice.slug}"
    return data


def test_a_lead_answers_every_challenge_submits_and_downloads_the_report(client, team, lead, playbook):
    response = client.post(reverse("account_login"), {"login": lead.username, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("assessments:home")
    assert f'href="{team.get_absolute_url()}"' in response.text

    response = client.post(
        reverse("assessments:start_assessment", args=[team.pk]),
        {"subject": "Card fraud scoring", "title": "First look"},
    )
    assessment = Assessment.objects.get(team=team)
    assert response.url == assessment.get_absolute_url()
    assert assessment.playbook == playbook

    challenges = [challenge for challenge in playbook.challenges.all() if assessment.includes(challenge)]
    assert len(challenges) == 5  # no module chosen: the five core challenges
    for index, challenge in enumerate(challenges):
        url = reverse("assessments:questionnaire", args=[assessment.pk, challenge.slug])
        page = client.get(url)
        assert page.status_code == 200
        practices = load_practices(playbook, challenge)
        for practice in practices:
            assert practice.question in unescape(page.text)
        # Critical practices at level 0 so that the report has a high-risk flag to lead with.
        response = client.post(url, answer_post_data(practices, lambda p: 0 if p.is_critical else 2))
        expected = (
            reverse("assessments:questionnaire", args=[assessment.pk, challenges[index + 1].slug])
            if index + 1 < len(challenges)
            else assessment.get_absolute_url()
        )
        assert response.status_code == 302 and response.url == expected

    # Leaving and coming back finds the answers kept.
    page = client.get(reverse("assessments:questionnaire", args=[assessment.pk, challenges[0].slug]))
    first = load_practices(playbook, challenges[0])[0]
    assert re.search(rf'name="{first.slug}-level"[^>]*value="{0 if first.is_critical else 2}"[^>]*checked', page.text)

    response = client.post(reverse("assessments:submit", args=[assessment.pk]))
    assert response.url == reverse("assessments:results", args=[assessment.pk])
    assessment.refresh_from_db()
    assert assessment.status == Status.SUBMITTED

    results = build_results(assessment)
    assert results.score.level == 1  # capped by the critical practices at level 0
    page = client.get(response.url)
    assert "Results: overall 1 · Initial" in page.text
    top = results.plan[0]
    assert top.is_flagged
    assert top.step.text in page.text

    pdf = client.get(reverse("assessments:report_pdf", args=[assessment.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert f"mlops-maturity-{team.slug}" in pdf["Content-Disposition"]
    text = pdf_text(pdf.content)
    assert team.name in text
    assert top.practice_title in text
    links = pdf_links(pdf.content)
    guidance_links = [link for link in links if link.startswith(f"{settings.SITE_URL}/playbook/")]
    assert len(guidance_links) == len(results.plan)
    for link in set(guidance_links):
        path, anchor = link.removeprefix(settings.SITE_URL).split("#")
        page = client.get(path)
        assert page.status_code == 200
        assert f'id="{anchor}"' in page.text


def test_answers_are_locked_once_submitted(client_for, team, lead, playbook):
    client = client_for(lead)
    client.post(
        reverse("assessments:start_assessment", args=[team.pk]), {"subject": "Card fraud scoring", "title": "Locked"}
    )
    assessment = Assessment.objects.get(team=team)
    challenge = playbook.challenges.first()
    practices = load_practices(playbook, challenge)
    Assessment.objects.filter(pk=assessment.pk).update(status=Status.SUBMITTED)

    url = reverse("assessments:questionnaire", args=[assessment.pk, challenge.slug])
    response = client.post(url, answer_post_data(practices, lambda p: 3))
    assert response.status_code == 200
    assert "submitted" in response.text
    assert not assessment.answers.exists()


def test_submitting_with_too_few_answers_is_refused_with_the_challenges_named(client_for, team, lead, playbook):
    client = client_for(lead)
    client.post(
        reverse("assessments:start_assessment", args=[team.pk]), {"subject": "Card fraud scoring", "title": "Early"}
    )
    assessment = Assessment.objects.get(team=team)
    response = client.post(reverse("assessments:submit", args=[assessment.pk]), follow=True)
    assessment.refresh_from_db()
    assert assessment.status == Status.DRAFT
    assert "Not submitted: answer more practices in" in response.text
    assert playbook.challenges.first().title in response.text


def test_invalid_answers_are_shown_again_with_the_error_and_nothing_is_lost(client_for, team, lead, playbook):
    client = client_for(lead)
    client.post(
        reverse("assessments:start_assessment", args=[team.pk]), {"subject": "Card fraud scoring", "title": "Typo"}
    )
    assessment = Assessment.objects.get(team=team)
    challenge = next(c for c in playbook.challenges.all() if any(p.allows_not_applicable for p in c.practices.all()))
    practices = load_practices(playbook, challenge)
    na_practice = next(p for p in practices if p.allows_not_applicable)
    data = answer_post_data(practices, lambda p: 1)
    data[f"{na_practice.slug}-level"] = "na"  # without a reason
    data[f"{practices[0].slug}-notes"] = "My carefully typed notes"

    response = client.post(reverse("assessments:questionnaire", args=[assessment.pk, challenge.slug]), data)
    assert response.status_code == 200
    assert "Say why this practice does not apply." in response.text
    assert "My carefully typed notes" in response.text
    assert not assessment.answers.exists()
