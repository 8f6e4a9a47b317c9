"""bench/estate.py: the benchmark's bulk-copied estate is data the app reads like its own."""

import pytest
from django.db import connection
from django.db.models import F

from assessments.models import Action, Answer, Assessment, Status, Submission, Team
from assessments.results import build_results
from bench.estate import Sizes, seed_estate
from tests.factories import OrganisationFactory, TeamFactory

TINY = 0.01  # 20 teams, 200 assessments, about 7,000 answers


def test_the_full_estate_is_fifty_organisations_and_two_thousand_teams():
    assert Sizes.at(1.0) == Sizes(organisations=50, teams=2_000, large_teams=200)


def test_a_small_scale_keeps_at_least_one_of_everything():
    assert Sizes.at(0.0001) == Sizes(organisations=2, teams=1, large_teams=1)


@pytest.mark.django_db
def test_every_copied_row_satisfies_the_schema(playbook):
    seed_estate(scale=TINY, large=OrganisationFactory())
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the foreign keys are checked now, not at a commit
    assert not Answer.objects.exclude(option__practice=F("practice")).exists()


@pytest.mark.django_db
def test_the_large_organisation_gets_its_share_of_the_teams(playbook):
    large = OrganisationFactory()
    made = seed_estate(scale=TINY, large=large)
    assert made["teams"] == 20
    assert Team.objects.filter(organisation=large).count() == 2


@pytest.mark.django_db
def test_each_submitted_assessment_has_one_submission_and_results(playbook):
    made = seed_estate(scale=TINY, large=OrganisationFactory())
    submitted = Assessment.objects.filter(status=Status.SUBMITTED)
    assert submitted.count() == made["submitted"] == Submission.objects.count()
    results = build_results(submitted.first())
    assert all(challenge.level is not None for challenge in results.score.challenges)


@pytest.mark.django_db
def test_the_answers_and_actions_it_reports_are_in_the_database(playbook):
    made = seed_estate(scale=TINY, large=OrganisationFactory())
    assert Answer.objects.count() == made["answers"] > 0
    assert Action.objects.count() == made["actions"] > 0


@pytest.mark.django_db
def test_rows_made_after_the_estate_do_not_collide_with_it(playbook):
    seed_estate(scale=TINY, large=OrganisationFactory())
    newest = Team.objects.order_by("-pk").first().pk
    assert TeamFactory().pk > newest
