"""A team's score on an external framework, estimated from its answers: plain functions over plain data.

The ML Test Score (Breck et al., 2017) gives each of its 28 tests 0.5 points when
it is done by hand with the result written down and 1 point when it is automated
and run repeatedly; a section scores the sum of its tests, and the final score is
the lowest section score. The playbook says which practices cover each test and
at which levels a practice counts as manual or automated. Rules:

- A test's covering practices are those in the assessment's scope.
- With none in scope, the test is not assessed (its module was not chosen).
- With none of them answered with a level, the test is not assessed either.
- Otherwise the lowest level among the answered ones decides: at or above
  `automated_at_or_above` 1 point, at or above `manual_at_or_above` 0.5, else 0.
- A section's score is the sum of its tests' points, a test not assessed
  counting 0 (no answer is no evidence); the final score is the lowest section
  score, marked partial when any test is not assessed, so an estimate is never
  higher than the answers support.

Example: with manual at 2 and automated at 3, a test covered by practices at
levels 3 and 2 scores 0.5; a section of tests scoring 1, 0.5 and 0 scores 1.5.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ItemCoverage:
    key: str
    section: str
    title: str
    practices: tuple[str, ...]  # slugs of the practices covering the test


@dataclass(frozen=True)
class ItemEstimate:
    key: str
    section: str
    title: str
    points: float | None  # None: not assessed
    reason: str  # why not assessed, or which answers decided the points


@dataclass(frozen=True)
class SectionEstimate:
    key: str
    title: str
    points: float
    assessed: int
    total: int


@dataclass(frozen=True)
class FrameworkEstimate:
    tests: tuple[ItemEstimate, ...]
    sections: tuple[SectionEstimate, ...]
    final: float  # the lowest section score
    partial: bool  # some tests are not assessed and counted 0: the team may score higher once they are

    @property
    def not_assessed(self) -> tuple[ItemEstimate, ...]:
        return tuple(test for test in self.tests if test.points is None)


def estimate_item(
    test: ItemCoverage,
    levels: Mapping[str, int | None],
    in_scope: set[str],
    *,
    manual_at_or_above: int,
    automated_at_or_above: int,
) -> ItemEstimate:
    covering = [slug for slug in test.practices if slug in in_scope]
    if not covering:
        return ItemEstimate(test.key, test.section, test.title, None, "not in this assessment's scope")
    answered = {slug: levels[slug] for slug in covering if levels.get(slug) is not None}
    if not answered:
        return ItemEstimate(test.key, test.section, test.title, None, "its practices have no level yet")
    lowest = min(answered.values())
    points = 1.0 if lowest >= automated_at_or_above else 0.5 if lowest >= manual_at_or_above else 0.0
    decided_by = ", ".join(f"{slug} at {level}" for slug, level in sorted(answered.items()))
    return ItemEstimate(test.key, test.section, test.title, points, decided_by)


def estimate_framework(
    tests: Sequence[ItemCoverage],
    sections: Sequence[tuple[str, str]],
    levels: Mapping[str, int | None],
    in_scope: set[str],
    *,
    manual_at_or_above: int,
    automated_at_or_above: int,
) -> FrameworkEstimate:
    """`levels` maps practice slugs to their answered level (None or absent: no level)."""
    estimates = tuple(
        estimate_item(
            test, levels, in_scope, manual_at_or_above=manual_at_or_above, automated_at_or_above=automated_at_or_above
        )
        for test in tests
    )
    section_estimates = tuple(
        SectionEstimate(
            key=key,
            title=title,
            points=sum(t.points for t in estimates if t.section == key and t.points is not None),
            assessed=sum(1 for t in estimates if t.section == key and t.points is not None),
            total=sum(1 for t in estimates if t.section == key),
        )
        for key, title in sections
    )
    return FrameworkEstimate(
        tests=estimates,
        sections=section_estimates,
        final=min((section.points for section in section_estimates), default=0.0),
        partial=any(t.points is None for t in estimates),
    )
