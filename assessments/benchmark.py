"""Benchmark across organisations: where a team's challenge scores sit among every opted-in organisation's teams.

Plain functions over plain data, no database (`assessments.benchmark_data` fetches the contributions). The rules:

1. Each team contributes once per challenge: its latest submitted assessment, if its organisation opted in and the
   team is not archived. The viewing team's own organisation counts like any other, the team itself included.
2. The figure is the challenge score (0-4, the number shown beside the level; a capped score counts as its cap),
   not the level: levels are whole numbers, so their quartiles would mostly coincide. A challenge without a level
   (not enough answers) contributes nothing. Challenges are matched across playbook versions by slug.
3. A challenge's figures are shown only when at least `MINIMUM_ORGANISATIONS` distinct organisations contribute to
   it. An installation may ask for more, never for fewer. Below the threshold nothing is given, not even how many
   organisations there are, since "two" tells a participant more than "fewer than five".
4. Quartiles follow `statistics.quantiles(n=4, method="inclusive")` (Excel's QUARTILE.INC, numpy's default). There
   is no minimum, maximum or count per organisation: an extreme can point at a single team.
5. Where a team sits is decided on the scores as shown (one decimal, rounded down), so the page never contradicts
   itself: below Q1; from Q1 up to the median; at the median; above the median up to Q3; above Q3. A score equal to
   a quartile counts towards the middle.

Worked example: five organisations' teams score 1.0, 2.0, 2.5, 3.0 and 3.5 on a challenge. Q1 = 2.0, the median 2.5
and Q3 = 3.0. A team scoring 2.0 sits between Q1 and the median; one scoring 3.6 sits above Q3. With a sixth team
from one of the same five organisations the figures change, but the organisation count stays five.
"""

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from assessments.scoring import SCORE_DECIMALS, AssessmentScore, score_text

MINIMUM_ORGANISATIONS = 5


def effective_minimum(requested: int) -> int:
    """The threshold an installation asked for, but never below `MINIMUM_ORGANISATIONS`."""
    return max(requested, MINIMUM_ORGANISATIONS)


@dataclass(frozen=True)
class Contribution:
    organisation_id: int
    team_id: int
    challenge_slug: str
    score: float


@dataclass(frozen=True)
class Quartiles:
    q1: float
    median: float
    q3: float


@dataclass(frozen=True)
class ChallengeBenchmark:
    """One challenge's figures, or, below the threshold, only the threshold: counts are withheld too."""

    slug: str
    minimum: int
    quartiles: Quartiles | None = None
    organisations: int | None = None
    teams: int | None = None

    @property
    def is_shown(self) -> bool:
        return self.quartiles is not None


class Position(StrEnum):
    BELOW_Q1 = "below_q1"
    LOWER_MIDDLE = "lower_middle"
    AT_MEDIAN = "at_median"
    UPPER_MIDDLE = "upper_middle"
    ABOVE_Q3 = "above_q3"

    @property
    def label(self) -> str:
        return POSITION_LABELS[self]


POSITION_LABELS = {
    Position.BELOW_Q1: "Below Q1 (lowest quarter)",
    Position.LOWER_MIDDLE: "Between Q1 and the median",
    Position.AT_MEDIAN: "At the median",
    Position.UPPER_MIDDLE: "Between the median and Q3",
    Position.ABOVE_Q3: "Above Q3 (highest quarter)",
}


@dataclass(frozen=True)
class BenchmarkRow:
    """One challenge of the viewing team's assessment beside the benchmark."""

    slug: str
    title: str
    level: int | None
    score: float | None
    benchmark: ChallengeBenchmark
    position: Position | None  # None: no level of its own, or no figures to compare with


def contributions_of(organisation_id: int, team_id: int, score: AssessmentScore) -> list[Contribution]:
    """What one team's scored assessment contributes: the challenges that have a level."""
    return [
        Contribution(organisation_id, team_id, challenge.slug, challenge.shown_score)
        for challenge in score.challenges
        if challenge.level is not None
    ]


def quartiles(scores: Sequence[float]) -> Quartiles:
    q1, median, q3 = statistics.quantiles(scores, n=4, method="inclusive")
    return Quartiles(round(q1, SCORE_DECIMALS), round(median, SCORE_DECIMALS), round(q3, SCORE_DECIMALS))


def benchmark_challenges(
    contributions: Iterable[Contribution], minimum_organisations: int = MINIMUM_ORGANISATIONS
) -> dict[str, ChallengeBenchmark]:
    """The figures of every challenge anyone contributed to, by slug; suppressed below the threshold."""
    minimum = effective_minimum(minimum_organisations)
    scores: dict[str, list[float]] = {}
    organisations: dict[str, set[int]] = {}
    teams: dict[str, set[int]] = {}
    for contribution in contributions:
        slug = contribution.challenge_slug
        if contribution.team_id in teams.setdefault(slug, set()):
            raise ValueError(f"team {contribution.team_id} contributes twice to {slug}")
        teams[slug].add(contribution.team_id)
        organisations.setdefault(slug, set()).add(contribution.organisation_id)
        scores.setdefault(slug, []).append(contribution.score)
    return {
        slug: ChallengeBenchmark(slug, minimum, quartiles(values), len(organisations[slug]), len(teams[slug]))
        if len(organisations[slug]) >= minimum
        else ChallengeBenchmark(slug, minimum)
        for slug, values in scores.items()
    }


def _as_shown(score: float) -> Decimal:
    return Decimal(score_text(score))


def position_of(score: float, figures: Quartiles) -> Position:
    shown, q1, median, q3 = (_as_shown(value) for value in (score, figures.q1, figures.median, figures.q3))
    if shown < q1:
        return Position.BELOW_Q1
    if shown > q3:
        return Position.ABOVE_Q3
    if shown < median:
        return Position.LOWER_MIDDLE
    if shown > median:
        return Position.UPPER_MIDDLE
    return Position.AT_MEDIAN


def compare(
    score: AssessmentScore,
    benchmarks: Mapping[str, ChallengeBenchmark],
    minimum_organisations: int = MINIMUM_ORGANISATIONS,
) -> tuple[BenchmarkRow, ...]:
    """Every challenge of the assessment beside its figures; one nobody else contributed to is suppressed."""
    rows = []
    for challenge in score.challenges:
        benchmark = benchmarks.get(challenge.slug) or ChallengeBenchmark(
            challenge.slug, effective_minimum(minimum_organisations)
        )
        own = challenge.shown_score if challenge.level is not None else None
        position = position_of(own, benchmark.quartiles) if own is not None and benchmark.quartiles else None
        rows.append(BenchmarkRow(challenge.slug, challenge.title, challenge.level, own, benchmark, position))
    return tuple(rows)
