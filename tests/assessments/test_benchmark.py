"""The benchmark's rules, without a database (assessments/benchmark.py)."""

import pytest

from assessments.benchmark import (
    MINIMUM_ORGANISATIONS,
    ChallengeBenchmark,
    Contribution,
    Position,
    Quartiles,
    benchmark_challenges,
    compare,
    contributions_of,
    effective_minimum,
    position_of,
    quartiles,
)
from assessments.scoring import AssessmentScore, ChallengeScore


def one_team_per_organisation(*scores: float, slug: str = "data") -> list[Contribution]:
    return [Contribution(i, 100 + i, slug, score) for i, score in enumerate(scores, start=1)]


def challenge(slug: str, score: float | None, level: int | None, flagged: tuple[str, ...] = ()) -> ChallengeScore:
    return ChallengeScore(
        slug=slug,
        title=slug.title(),
        score=score,
        level=level,
        answered=4,
        applicable=4,
        total=4,
        levelled=4,
        levels_needed=3,
        flagged=flagged,
        held_back_by=(),
        strengths=(),
    )


def test_five_organisations_give_the_worked_example_quartiles():
    figures = benchmark_challenges(one_team_per_organisation(1.0, 2.0, 2.5, 3.0, 3.5))["data"]
    assert figures.quartiles == Quartiles(2.0, 2.5, 3.0)
    assert (figures.organisations, figures.teams) == (5, 5)


def test_four_organisations_are_suppressed_with_no_counts_at_all():
    figures = benchmark_challenges(one_team_per_organisation(1.0, 2.0, 3.0, 4.0))["data"]
    assert not figures.is_shown
    assert figures == ChallengeBenchmark("data", minimum=5)


def test_many_teams_of_four_organisations_are_still_suppressed():
    contributions = [Contribution(team % 4, team, "data", 2.0) for team in range(40)]
    assert not benchmark_challenges(contributions)["data"].is_shown


def test_organisations_are_counted_distinctly_and_teams_each_count_once():
    contributions = [*one_team_per_organisation(1.0, 2.0, 2.5, 3.0, 3.5), Contribution(1, 999, "data", 4.0)]
    figures = benchmark_challenges(contributions)["data"]
    assert (figures.organisations, figures.teams) == (5, 6)


def test_each_challenge_has_its_own_threshold():
    contributions = [
        *one_team_per_organisation(1, 2, 3, 4, 4, slug="data"),
        *one_team_per_organisation(1, 2, slug="ops"),
    ]
    figures = benchmark_challenges(contributions)
    assert figures["data"].is_shown and not figures["ops"].is_shown


def test_an_installation_may_ask_for_more_organisations():
    contributions = one_team_per_organisation(1.0, 2.0, 2.5, 3.0, 3.5)
    assert not benchmark_challenges(contributions, minimum_organisations=6)["data"].is_shown


def test_an_installation_can_never_ask_for_fewer_than_five():
    assert effective_minimum(2) == MINIMUM_ORGANISATIONS == 5
    contributions = one_team_per_organisation(1.0, 2.0, 3.0, 4.0)
    assert benchmark_challenges(contributions, minimum_organisations=1)["data"] == ChallengeBenchmark("data", 5)


def test_a_team_contributing_twice_to_one_challenge_is_a_mistake():
    with pytest.raises(ValueError, match="team 101 contributes twice"):
        benchmark_challenges([Contribution(1, 101, "data", 1.0), Contribution(1, 101, "data", 2.0)])


def test_quartiles_use_the_inclusive_method_interpolating_between_scores():
    # Inclusive: positions 1 + (n - 1) * p, so with six scores Q1 is a quarter of the way from the 2nd to the 3rd.
    assert quartiles([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]) == Quartiles(2.25, 3.5, 4.75)


def test_quartiles_never_reach_beyond_the_scores_and_are_rounded():
    figures = quartiles([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7])
    assert figures == Quartiles(0.25, 0.4, 0.55)


def test_tied_scores_give_equal_quartiles():
    assert quartiles([2.0] * 5) == Quartiles(2.0, 2.0, 2.0)


@pytest.mark.parametrize(
    ("score", "position"),
    [
        (1.9, Position.BELOW_Q1),
        (2.0, Position.LOWER_MIDDLE),
        (2.4, Position.LOWER_MIDDLE),
        (2.5, Position.AT_MEDIAN),
        (2.6, Position.UPPER_MIDDLE),
        (3.0, Position.UPPER_MIDDLE),
        (3.1, Position.ABOVE_Q3),
    ],
)
def test_a_score_on_a_quartile_counts_towards_the_middle(score, position):
    assert position_of(score, Quartiles(2.0, 2.5, 3.0)) is position


def test_a_score_tied_with_everyone_sits_at_the_median():
    assert position_of(2.0, Quartiles(2.0, 2.0, 2.0)) is Position.AT_MEDIAN


def test_positions_compare_scores_as_shown_so_the_page_never_contradicts_itself():
    # 2.96 and 2.91 both read 2.9: a team is not "below Q1" beside two equal numbers.
    assert position_of(2.91, Quartiles(2.96, 3.5, 3.8)) is Position.LOWER_MIDDLE


def test_contributions_come_from_challenges_with_a_level_using_the_capped_score():
    score = AssessmentScore(
        challenges=(
            challenge("data", 3.5, 1, flagged=("p",)),
            challenge("ops", 2.7, 2),
            challenge("risk", 3.0, None),
        ),
        score=None,
        level=None,
    )
    assert contributions_of(7, 70, score) == [Contribution(7, 70, "data", 1.0), Contribution(7, 70, "ops", 2.7)]


def test_compare_places_each_challenge_and_marks_those_without_figures():
    score = AssessmentScore(challenges=(challenge("data", 3.2, 3), challenge("ops", 2.0, 2)), score=2.6, level=2)
    figures = benchmark_challenges(one_team_per_organisation(1.0, 2.0, 2.5, 3.0, 3.5))
    data, ops = compare(score, figures)
    assert (data.level, data.score, data.position) == (3, 3.2, Position.ABOVE_Q3)
    assert ops.benchmark == ChallengeBenchmark("ops", 5) and ops.position is None


def test_compare_keeps_the_installations_threshold_for_challenges_nobody_else_has():
    score = AssessmentScore(challenges=(challenge("ops", 2.0, 2),), score=2.0, level=2)
    (row,) = compare(score, {}, minimum_organisations=8)
    assert row.benchmark.minimum == 8


def test_every_position_has_its_own_label():
    assert Position.BELOW_Q1.label == "Below Q1 (lowest quarter)"
    assert len({position.label for position in Position}) == len(Position)
