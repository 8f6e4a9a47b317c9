"""The write services' own rules, called directly as every caller (page, workshop, API) does."""

import pytest

from assessments import services
from assessments.models import Status
from tests.factories import answer_every_practice

pytestmark = pytest.mark.django_db


def test_the_service_refuses_to_submit_an_assessment_without_a_level_for_every_challenge(team, lead):
    assessment = services.create_assessment(team=team, user=lead, title="Half")
    practices = answer_every_practice(assessment, lead)
    first_challenge = practices[0].challenge
    services.save_answers(
        assessment=assessment,
        user=lead,
        answers=[services.AnswerInput(p, None) for p in practices if p.challenge_id == first_challenge.pk],
    )
    with pytest.raises(services.IncompleteAssessment) as refused:
        services.submit_assessment(assessment=assessment, user=lead)
    assert refused.value.challenges == (first_challenge.title,)
    assessment.refresh_from_db()
    assert (assessment.status, assessment.submitted_at) == (Status.DRAFT, None)


def test_the_service_submits_an_assessment_with_a_level_for_every_challenge(team, lead):
    assessment = services.create_assessment(team=team, user=lead, title="Whole")
    answer_every_practice(assessment, lead)
    services.submit_assessment(assessment=assessment, user=lead)
    assessment.refresh_from_db()
    assert (assessment.status, assessment.submitted_by) == (Status.SUBMITTED, lead)
