"""Scores and plans of many assessments, cached per revision of their answers (the heatmap and the portfolio)."""

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Answer, Assessment
from assessments.results import score_and_plan_many
from assessments.scored_cache import score_and_plan_cached
from playbook.models import AnswerOption
from tests.factories import resubmitted, submitted_assessment

pytestmark = pytest.mark.django_db


def loaded(*assessments) -> list[Assessment]:
    return sorted(Assessment.objects.select_related("playbook").filter(pk__in=[a.pk for a in assessments]), key=id_of)


def id_of(assessment: Assessment) -> int:
    return assessment.pk


@pytest.fixture
def two(team, lead):
    return loaded(
        submitted_assessment(team, lead, title="Low", level_for=lambda p: 1),
        submitted_assessment(team, lead, title="High", level_for=lambda p: 3),
    )


def test_cached_scores_and_plans_are_the_computed_ones(two):
    plan_for = {two[0].pk}
    assert score_and_plan_cached(two, plan_for=plan_for) == score_and_plan_many(two, plan_for=plan_for)
    assert score_and_plan_cached(two, plan_for=plan_for) == score_and_plan_many(two, plan_for=plan_for)


def test_answers_changed_in_bulk_are_scored_again_at_once(two):
    low = two[0]
    assert score_and_plan_cached(two)[low.pk].score.level == 1
    # As a shared answer set changes the answers inheriting it: one update, each answer's revision raised.
    for answer in Answer.objects.filter(assessment=low).select_related("option"):
        top = AnswerOption.objects.get(practice_id=answer.practice_id, level=4)
        Answer.objects.filter(pk=answer.pk).update(option=top, revision=F("revision") + 1, updated_at=timezone.now())
    assert score_and_plan_cached(two)[low.pk].score.level == 4
    assert score_and_plan_cached(two)[two[1].pk].score.level == 3


def test_new_targets_change_the_cached_plan(two):
    low = two[0]
    before = score_and_plan_cached(two, plan_for={low.pk})[low.pk]
    services.set_targets(assessment=low, targets={c.slug: 4 for c in before.score.challenges})
    after = score_and_plan_cached(loaded(*two), plan_for={low.pk})[low.pk].plan
    assert after == score_and_plan_many(loaded(low), plan_for={low.pk})[low.pk].plan != before.plan


def test_two_queries_whether_or_not_the_scores_are_cached(two, django_assert_num_queries):
    with django_assert_num_queries(2):
        score_and_plan_cached(two)
    with django_assert_num_queries(2):
        score_and_plan_cached(two)


def test_the_heatmap_shows_a_resubmission_with_changed_answers_at_once(client_for, consultant, team, lead):
    assessment = submitted_assessment(team, lead, level_for=lambda p: 1)
    url = reverse("assessments:organisation", args=[team.organisation.slug])
    client = client_for(consultant)
    assert "heat-1" in client.get(url).text and "heat-4" not in client.get(url).text
    resubmitted(assessment, lead, level_for=lambda p: 4)
    page = client.get(url).text
    assert "heat-4" in page and "heat-1" not in page


def test_the_heatmap_shows_a_renamed_team_at_once(client_for, consultant, team, lead):
    submitted_assessment(team, lead, level_for=lambda p: 1)
    url = reverse("assessments:organisation", args=[team.organisation.slug])
    client = client_for(consultant)
    client.get(url)
    team.name = "Renamed platform team"
    team.save()
    assert "Renamed platform team" in client.get(url).text
