"""Comparing two assessments of a team: plain functions over plain data, no database.

Practices are matched by slug, so assessments taken against different playbook
versions compare wherever a practice kept its slug. A practice improved when its
level rose, regressed when it fell; 'not applicable' and unanswered practices are
compared as no level. An action 'moved' its practice when the later level is
above the level the action started from.

Example: practice A at 1 then 3 is improved; an action on A started from 1 and
marked done, with A now at 3, is done and moved.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from assessments.scoring import AssessmentScore


class Change(StrEnum):
    IMPROVED = "improved"
    REGRESSED = "regressed"
    UNCHANGED = "unchanged"
    ADDED = "only in the later assessment"
    REMOVED = "only in the earlier assessment"


@dataclass(frozen=True)
class PracticeLevel:
    slug: str
    title: str
    challenge_title: str
    level: int | None


@dataclass(frozen=True)
class PracticeDelta:
    slug: str
    title: str
    challenge_title: str
    before: int | None
    after: int | None
    change: Change


@dataclass(frozen=True)
class ActionRecord:
    title: str
    practice_slug: str
    from_level: int
    status: str  # ActionStatus value
    status_label: str


@dataclass(frozen=True)
class ActionOutcome:
    action: ActionRecord
    level_now: int | None

    @property
    def moved(self) -> bool:
        return self.level_now is not None and self.level_now > self.action.from_level


def _change(before: int | None, after: int | None) -> Change:
    if before is None or after is None or before == after:
        return Change.UNCHANGED
    return Change.IMPROVED if after > before else Change.REGRESSED


def compare_practices(before: Sequence[PracticeLevel], after: Sequence[PracticeLevel]) -> tuple[PracticeDelta, ...]:
    earlier = {p.slug: p for p in before}
    later_slugs = {p.slug for p in after}
    deltas = [
        PracticeDelta(
            p.slug,
            p.title,
            p.challenge_title,
            earlier[p.slug].level if p.slug in earlier else None,
            p.level,
            _change(earlier[p.slug].level, p.level) if p.slug in earlier else Change.ADDED,
        )
        for p in after
    ]
    deltas += [
        PracticeDelta(p.slug, p.title, p.challenge_title, p.level, None, Change.REMOVED)
        for p in before
        if p.slug not in later_slugs
    ]
    return tuple(deltas)


@dataclass(frozen=True)
class ChallengeTrend:
    """A challenge's level in the previous submitted assessment and in this one."""

    title: str
    before: int | None
    after: int | None

    @property
    def change(self) -> Change:
        return _change(self.before, self.after)


def challenge_trends(before: AssessmentScore | None, after: AssessmentScore) -> tuple[ChallengeTrend, ...]:
    """Each challenge of `after` beside its level in `before`, matched by slug (None where `before` lacks it)."""
    earlier = {c.slug: c.level for c in before.challenges} if before else {}
    return tuple(ChallengeTrend(c.title, earlier.get(c.slug), c.level) for c in after.challenges)


def challenge_reworded(practice_origins: Sequence[str], *, same_version: bool, revises: bool) -> bool:
    """Whether a challenge reads differently in a later playbook version than in an earlier one.

    `practice_origins` are the origin kinds its practices declare in the later version. On the same version nothing
    changed; on the version that revises the earlier one, it is reworded when any practice declares a change;
    between versions further apart nothing is declared against the earlier one, so it counts as reworded.
    """
    if same_version:
        return False
    if not revises:
        return True
    return any(kind != "unchanged" for kind in practice_origins)


@dataclass(frozen=True)
class VersionChange:
    """Where a team's history moves from one playbook version to the next: the challenges worded differently."""

    before: str
    after: str
    reworded: tuple[str, ...]


@dataclass(frozen=True)
class ChallengeVersion:
    """A challenge as one assessment asked it: its slug and title, and whether its wording differs from the other
    assessment's version of it (always False when both used the same playbook version)."""

    slug: str
    title: str
    reworded: bool = False


@dataclass(frozen=True)
class ScopeComparison:
    compared: tuple[str, ...]  # titles of the challenges both assessments cover
    only_before: tuple[str, ...]
    only_after: tuple[str, ...]
    reworded: tuple[str, ...]  # compared challenges whose wording changed between the two versions


def compare_scopes(before: Sequence[ChallengeVersion], after: Sequence[ChallengeVersion]) -> ScopeComparison:
    """Which challenges two assessments both cover, which only one does, and where the wording changed between."""
    earlier = {c.slug for c in before}
    later = {c.slug for c in after}
    return ScopeComparison(
        compared=tuple(c.title for c in after if c.slug in earlier),
        only_before=tuple(c.title for c in before if c.slug not in later),
        only_after=tuple(c.title for c in after if c.slug not in earlier),
        reworded=tuple(c.title for c in after if c.slug in earlier and c.reworded),
    )


def action_outcomes(actions: Sequence[ActionRecord], levels_now: Mapping[str, int | None]) -> tuple[ActionOutcome, ...]:
    return tuple(ActionOutcome(action, levels_now.get(action.practice_slug)) for action in actions)
