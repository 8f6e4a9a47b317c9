"""Properties of the scoring rules that must hold for any answers (hypothesis)."""

import math

from hypothesis import given
from hypothesis import strategies as st

from assessments.scoring import ChallengeAnswers, PracticeAnswer, score_assessment, score_challenge
from playbook.rules import ScoringRules

RULES = ScoringRules()

answers = st.builds(
    PracticeAnswer,
    slug=st.uuids().map(str),
    title=st.just("P"),
    weight=st.integers(1, 3),
    is_critical=st.booleans(),
    level=st.one_of(st.none(), st.integers(0, 4)),
    not_applicable=st.booleans(),
).map(lambda p: p if not p.not_applicable else PracticeAnswer(p.slug, p.title, p.weight, p.is_critical, None, True))
challenges = st.lists(answers, min_size=1, max_size=12).map(lambda ps: ChallengeAnswers("c", "C", tuple(ps)))


@given(challenges)
def test_scores_stay_between_0_and_4_and_levels_never_exceed_the_score(challenge):
    result = score_challenge(challenge, RULES)
    if result.score is not None:
        assert 0 <= result.score <= 4
    if result.level is not None:
        assert result.level <= math.floor(result.score)


@given(challenges)
def test_a_level_needs_enough_answers(challenge):
    result = score_challenge(challenge, RULES)
    levelled = sum(1 for p in challenge.practices if p.level is not None)
    if result.level is not None:
        assert levelled >= RULES.min_answered_fraction * result.applicable > 0


@given(challenges, st.integers(1, 3))
def test_adding_a_not_applicable_answer_changes_nothing_but_the_count(challenge, weight):
    extended = ChallengeAnswers(
        "c", "C", (*challenge.practices, PracticeAnswer("extra", "E", weight, True, None, True))
    )
    before, after = score_challenge(challenge, RULES), score_challenge(extended, RULES)
    assert (after.score, after.level, after.applicable) == (before.score, before.level, before.applicable)


@given(challenges)
def test_a_flag_always_caps_the_level(challenge):
    result = score_challenge(challenge, RULES)
    if result.flagged and result.level is not None:
        assert result.level <= RULES.flagged_level_cap


@given(challenges, st.integers(0, 4))
def test_raising_one_answer_never_lowers_the_score(challenge, bump):
    practices = list(challenge.practices)
    index = next((i for i, p in enumerate(practices) if p.level is not None), None)
    if index is None:
        return
    p = practices[index]
    raised = PracticeAnswer(p.slug, p.title, p.weight, False, max(p.level, bump), False)
    practices[index] = PracticeAnswer(p.slug, p.title, p.weight, False, p.level, False)
    before = score_challenge(ChallengeAnswers("c", "C", tuple(practices)), RULES)
    practices[index] = raised
    after = score_challenge(ChallengeAnswers("c", "C", tuple(practices)), RULES)
    assert after.score >= before.score


@given(st.lists(challenges, min_size=1, max_size=6))
def test_overall_is_never_more_than_one_above_the_weakest_challenge(all_challenges):
    named = [ChallengeAnswers(f"c{i}", "C", c.practices) for i, c in enumerate(all_challenges)]
    result = score_assessment(named, RULES)
    if result.level is not None:
        assert result.level <= min(c.level for c in result.challenges) + RULES.overall_max_above_weakest
        assert result.level <= math.floor(result.score)
