"""Scoring rules on hand-built cases. No database: any query would fail these tests."""

from assessments.scoring import ChallengeAnswers, PracticeAnswer, score_assessment, score_challenge
from playbook.rules import ScoringRules

RULES = ScoringRules(
    min_answered_fraction=0.75, critical_at_or_below=1, flagged_level_cap=1, overall_max_above_weakest=1
)


def practice(slug, level=None, *, weight=1, critical=False, na=False):
    return PracticeAnswer(
        slug=slug, title=slug.title(), weight=weight, is_critical=critical, level=level, not_applicable=na
    )


def challenge(*practices, slug="c"):
    return ChallengeAnswers(slug=slug, title=slug.upper(), practices=tuple(practices))


def test_all_answered_gives_the_mean_rounded_down():
    result = score_challenge(challenge(practice("a", 2), practice("b", 3), practice("c", 3)), RULES)
    assert result.score == 2.666667
    assert result.level == 2
    assert (result.answered, result.applicable, result.total) == (3, 3, 3)


def test_weights_pull_the_score_towards_heavier_practices():
    result = score_challenge(challenge(practice("a", 4, weight=3), practice("b", 0, weight=1)), RULES)
    assert result.score == 3.0
    assert result.level == 3


def test_not_applicable_answers_leave_the_denominator():
    result = score_challenge(challenge(practice("a", 3), practice("b", 3), practice("c", na=True)), RULES)
    assert result.score == 3.0
    assert result.level == 3
    assert result.applicable == 2
    assert result.answered == 3


def test_a_challenge_with_nothing_answered_has_no_score_and_no_level():
    result = score_challenge(challenge(practice("a"), practice("b")), RULES)
    assert result.score is None
    assert result.level is None
    assert not result.has_enough_answers


def test_too_few_answers_says_not_enough_rather_than_a_level():
    result = score_challenge(challenge(practice("a", 4), practice("b", 4), practice("c"), practice("d")), RULES)
    assert result.score == 4.0
    assert result.level is None


def test_the_counts_behind_not_enough_answers_leave_out_not_applicable():
    # Reported from use: "5 of 6 applicable practices answered" counted a not-applicable answer among the five.
    result = score_challenge(
        challenge(*(practice(s, 2) for s in "abcd"), practice("e", na=True), practice("f"), practice("g")), RULES
    )
    assert result.level is None
    assert (result.answered, result.applicable, result.levelled, result.levels_needed) == (5, 6, 4, 5)


def test_three_of_four_answered_is_enough():
    result = score_challenge(challenge(practice("a", 2), practice("b", 2), practice("c", 2), practice("d")), RULES)
    assert result.level == 2


def test_only_not_applicable_answers_give_no_level():
    result = score_challenge(challenge(practice("a", na=True), practice("b", na=True)), RULES)
    assert result.level is None
    assert result.applicable == 0


def test_a_low_critical_answer_raises_a_flag_and_caps_the_level():
    result = score_challenge(
        challenge(practice("endpoint-auth", 0, critical=True), *(practice(f"p{i}", 4, weight=3) for i in range(5))),
        RULES,
    )
    assert result.flagged == ("endpoint-auth",)
    assert result.score >= 3.5
    assert result.level == 1
    assert result.is_capped


def test_a_critical_practice_above_the_threshold_raises_no_flag():
    result = score_challenge(challenge(practice("endpoint-auth", 2, critical=True), practice("b", 2)), RULES)
    assert result.flagged == ()
    assert result.level == 2


def test_held_back_by_lists_answers_below_the_average_lowest_first():
    result = score_challenge(challenge(practice("a", 3), practice("b", 1), practice("c", 0), practice("d", 4)), RULES)
    assert result.held_back_by == ("c", "b")
    assert result.strengths == ("a", "d")


def test_overall_is_the_mean_of_challenge_scores_rounded_down():
    score = score_assessment([challenge(practice("a", 3), slug="one"), challenge(practice("b", 2), slug="two")], RULES)
    assert score.score == 2.5
    assert score.level == 2


def test_overall_is_at_most_one_level_above_the_weakest_challenge():
    score = score_assessment(
        [
            challenge(practice("a", 4), slug="one"),
            challenge(practice("b", 4), slug="two"),
            challenge(practice("c", 4), slug="three"),
            challenge(practice("d", 0), slug="four"),
        ],
        RULES,
    )
    assert score.score == 3.0
    assert score.level == 1


def test_overall_needs_a_level_in_every_challenge():
    score = score_assessment([challenge(practice("a", 4), slug="one"), challenge(practice("b"), slug="two")], RULES)
    assert score.level is None
    assert score.score is None


def test_flags_of_all_challenges_are_collected():
    score = score_assessment(
        [
            challenge(practice("a", 1, critical=True), slug="one"),
            challenge(practice("b", 0, critical=True), slug="two"),
        ],
        RULES,
    )
    assert score.flagged == ("a", "b")


def test_float_sums_do_not_lose_a_level():
    # 0.1-style float error must not turn an exact 3.0 into 2.999... and level 2.
    practices = [practice(f"p{i}", level, weight=weight) for i, (level, weight) in enumerate([(3, 1), (3, 3), (3, 2)])]
    assert score_challenge(challenge(*practices), RULES).level == 3


def test_leaving_a_critical_practice_unanswered_gives_no_level_and_names_it():
    # Six of seven answered is enough by count, but the one left blank is the critical one.
    practices = [practice(f"p{i}", 3) for i in range(6)] + [practice("open-endpoint", critical=True)]
    result = score_challenge(challenge(*practices), RULES)
    assert result.level is None and result.missing_critical == ("open-endpoint",)


def test_skipping_a_critical_practice_can_never_score_higher_than_answering_it_honestly():
    answered = [practice(f"p{i}", 3) for i in range(6)]
    honest = score_challenge(challenge(*answered, practice("open-endpoint", 0, critical=True)), RULES)
    skipped = score_challenge(challenge(*answered, practice("open-endpoint", critical=True)), RULES)
    assert honest.level == 1 and skipped.level is None


def test_a_critical_practice_not_applicable_under_its_rule_counts_as_answered():
    result = score_challenge(
        challenge(practice("a", 3), practice("b", 3), practice("c", na=True, critical=True)), RULES
    )
    assert result.level == 3 and result.missing_critical == ()


def test_an_answer_that_needs_review_counts_as_unanswered_and_is_listed():
    review = PracticeAnswer("c", "C", 1, is_critical=True, not_applicable=True, needs_review=True)
    result = score_challenge(challenge(practice("a", 3), practice("b", 3), review), RULES)
    assert result.level is None
    assert result.to_review == ("c",) and result.missing_critical == ("c",)
    assert result.applicable == 3 and result.answered == 2


def test_the_score_shown_beside_a_capped_level_is_the_cap_and_the_overall_uses_it():
    capped = challenge(practice("a", 4), practice("b", 4), practice("c", 1, critical=True), slug="x")
    steady = challenge(practice("d", 2), practice("e", 2), slug="y")
    result = score_assessment([capped, steady], RULES)
    x = result.challenge("x")
    assert (x.score, x.level, x.shown_score, x.is_capped) == (3.0, 1, 1.0, True)
    assert result.score == 1.5 and result.level == 1  # the uncapped 3.0 would have given 2.5
