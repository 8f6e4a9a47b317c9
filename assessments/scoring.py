"""Maturity scoring: plain functions over plain data, no database.

The rules (their numbers come from the playbook version's `scoring` block, and
their prose from its `scoring_method`, shown to users):

1. Each answer is a level 0-4. 'Not applicable' answers leave both the
   numerator and the denominator; unanswered practices count for nothing. An
   answer that needs review (a 'not applicable' whose reason no longer
   qualifies, or an answer carried from an older playbook version that the team
   has not confirmed) counts as unanswered until the team reviews it.
2. A challenge's score is the weighted mean of its answered levels (weights 1-3).
3. A challenge gets a level only when every critical practice in it is answered
   (with a level, or 'not applicable' under its own rule) and at least
   `min_answered_fraction` of its applicable practices are answered; otherwise
   it has 'not enough answers', and the results name the critical answers that
   are missing. Skipping a hard question can never raise a level.
4. Its level is the score rounded down. A critical practice answered at or below
   `critical_at_or_below` raises a high-risk flag and caps the level at
   `flagged_level_cap`; the score shown beside a capped level is the cap, so a
   picture never shows more than the level (the uncapped score is reported
   apart, labelled as such). Without a flag, how far the score is short of the
   next level is reported, so a team knows how close it is.
5. The overall score is the mean of the challenges' shown scores; the overall
   level is that rounded down, but at most `overall_max_above_weakest` above the
   weakest challenge's level. Every challenge in the assessment's scope needs a
   level for an overall level.

Worked example, with the default numbers (0.75, 1, 1, 1): a challenge with
practices A (weight 3, answered 2), B (weight 1, answered 4), C (not
applicable) and D (weight 2, critical, answered 1) has 3 applicable practices,
all answered. Score = (3*2 + 1*4 + 2*1) / 6 = 2.0; D raises a flag, so the
level is capped at 1 and the score shown beside it is 1.0. Had D been left
unanswered, the challenge would have no level at all.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from playbook.rules import ScoringRules

# Scores are compared after rounding so that 2.9999999 from float sums stays 3.0.
SCORE_DECIMALS = 6


def score_text(score: float) -> str:
    """A score as people read it: one decimal, rounded down, so 2.96 reads 2.9 and never 3.0 beside level 2."""
    return str(Decimal(str(score)).quantize(Decimal("0.1"), rounding=ROUND_FLOOR))


def shortfall_text(gap: float) -> str:
    """A shortfall to the next level: one decimal, rounded up, so the shown score plus it reaches the level."""
    return str(Decimal(str(gap)).quantize(Decimal("0.1"), rounding=ROUND_CEILING))


@dataclass(frozen=True)
class PracticeAnswer:
    """One practice of the questionnaire with the team's answer, if any."""

    slug: str
    title: str
    weight: int
    is_critical: bool = False
    level: int | None = None
    not_applicable: bool = False
    needs_review: bool = False  # stored, but not counted until the team reviews it

    @property
    def is_answered(self) -> bool:
        return not self.needs_review and (self.level is not None or self.not_applicable)


@dataclass(frozen=True)
class ChallengeAnswers:
    slug: str
    title: str
    practices: tuple[PracticeAnswer, ...]


@dataclass(frozen=True)
class ChallengeScore:
    slug: str
    title: str
    score: float | None  # the weighted mean of the levels, before any cap
    level: int | None  # None: not enough answers
    answered: int  # with a level or marked not applicable
    applicable: int
    total: int
    levelled: int  # applicable practices answered with a level: what the level needs
    levels_needed: int  # how many of those the level needs
    flagged: tuple[str, ...]  # slugs of critical practices at a risky level
    held_back_by: tuple[str, ...]  # answered practices below the challenge's average, lowest first
    strengths: tuple[str, ...]  # practices answered at the two highest levels
    # How far the score is below the next level, when raising answers would reach it (no flag holds it down).
    short_of_next_level: float | None = None
    missing_critical: tuple[str, ...] = ()  # critical practices without a counted answer: no level until answered
    to_review: tuple[str, ...] = ()  # stored answers that do not count until the team reviews them

    @property
    def has_enough_answers(self) -> bool:
        return self.level is not None

    @property
    def is_capped(self) -> bool:
        return self.level is not None and self.score is not None and self.level < math.floor(self.score)

    @property
    def shown_score(self) -> float | None:
        """The score to show beside the level: the cap when a high-risk flag holds the level down."""
        return float(self.level) if self.is_capped else self.score


@dataclass(frozen=True)
class AssessmentScore:
    challenges: tuple[ChallengeScore, ...]
    score: float | None
    level: int | None

    @property
    def flagged(self) -> tuple[str, ...]:
        return tuple(slug for challenge in self.challenges for slug in challenge.flagged)

    @property
    def answered(self) -> int:
        return sum(c.answered for c in self.challenges)

    @property
    def total(self) -> int:
        return sum(c.total for c in self.challenges)

    @property
    def to_review(self) -> tuple[str, ...]:
        return tuple(slug for challenge in self.challenges for slug in challenge.to_review)

    def challenge(self, slug: str) -> ChallengeScore:
        return next(c for c in self.challenges if c.slug == slug)


def _round(value: float) -> float:
    return round(value, SCORE_DECIMALS)


def score_challenge(challenge: ChallengeAnswers, rules: ScoringRules) -> ChallengeScore:
    counted = [p for p in challenge.practices if not p.needs_review]
    applicable = [p for p in challenge.practices if not (p.not_applicable and not p.needs_review)]
    levelled = [p for p in counted if p.level is not None and not p.not_applicable]
    flagged = tuple(p.slug for p in levelled if p.is_critical and p.level <= rules.critical_at_or_below)
    missing_critical = tuple(p.slug for p in challenge.practices if p.is_critical and not p.is_answered)
    strengths = tuple(p.slug for p in levelled if p.level >= rules.strength_from)
    score = level = short_of_next_level = None
    held_back_by: tuple[str, ...] = ()
    if levelled:
        score = _round(sum(p.weight * p.level for p in levelled) / sum(p.weight for p in levelled))
    enough = (
        bool(applicable) and not missing_critical and len(levelled) >= rules.min_answered_fraction * len(applicable)
    )
    if score is not None:
        below_average = sorted((p for p in levelled if p.level < score), key=lambda p: (p.level, -p.weight))
        held_back_by = tuple(p.slug for p in below_average)
        if enough:
            level = math.floor(score)
            if flagged:
                level = min(level, rules.flagged_level_cap)
            elif level < rules.top_level:
                short_of_next_level = _round(level + 1 - score)
    return ChallengeScore(
        slug=challenge.slug,
        title=challenge.title,
        score=score,
        level=level,
        answered=sum(1 for p in challenge.practices if p.is_answered),
        applicable=len(applicable),
        total=len(challenge.practices),
        levelled=len(levelled),
        levels_needed=math.ceil(rules.min_answered_fraction * len(applicable)),
        flagged=flagged,
        held_back_by=held_back_by,
        strengths=strengths,
        short_of_next_level=short_of_next_level,
        missing_critical=missing_critical,
        to_review=tuple(p.slug for p in challenge.practices if p.needs_review),
    )


def score_assessment(challenges: Sequence[ChallengeAnswers], rules: ScoringRules) -> AssessmentScore:
    scores = tuple(score_challenge(challenge, rules) for challenge in challenges)
    if not scores or any(c.level is None for c in scores):
        return AssessmentScore(challenges=scores, score=None, level=None)
    overall = _round(sum(c.shown_score for c in scores) / len(scores))
    weakest = min(c.level for c in scores)
    return AssessmentScore(
        challenges=scores,
        score=overall,
        level=min(math.floor(overall), weakest + rules.overall_max_above_weakest),
    )
