"""Remediation planning: plain functions over plain data, no database.

Rules:
- Each challenge has a target level: the lead's choice, or by default one level
  above its current level (at most the top level). A challenge without a level yet aims at 1.
- Every answered, applicable practice whose level is below its challenge's target
  becomes a plan item: the step from its current level to the next one, with
  the guidance section that explains it. A practice with a high-risk flag is
  always a plan item, whatever the target: a low target never hides a risk.
- Items are ordered by: high-risk flag first, then weight (heavier first), then
  the gap to the target (larger first), then the playbook's own order.

- Each item falls in a horizon: *now* for every high-risk item and every quick
  win (low effort, high impact); *next* for the other essential (weight 3) or
  high-impact items; *later* for the rest.

Example: target 3 for a challenge where practice A (weight 3) is at 1 and B
(weight 1, critical, flagged) is at 0 gives [B (0 to 1), A (1 to 2)]: the flag
outranks the weight.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from assessments.scoring import AssessmentScore
from playbook.rules import TOP_LEVEL, NextStep


@dataclass(frozen=True)
class PracticeGuide:
    """What the plan needs to know about one practice, besides its answer."""

    challenge_slug: str
    practice_slug: str
    practice_title: str
    weight: int
    level: int | None
    not_applicable: bool
    next_steps: Mapping[int, NextStep]  # from level -> the step to level + 1
    guidance_anchor: str
    guidance_title: str


@dataclass(frozen=True)
class PlanItem:
    challenge_slug: str
    practice_slug: str
    practice_title: str
    current_level: int
    target_level: int
    step: NextStep
    is_flagged: bool
    weight: int
    guidance_anchor: str
    guidance_title: str

    @property
    def gap(self) -> int:
        return self.target_level - self.current_level


def default_target(level: int | None, top_level: int = TOP_LEVEL) -> int:
    return 1 if level is None else min(level + 1, top_level)


def resolve_targets(score: AssessmentScore, chosen: Mapping[str, int], top_level: int = TOP_LEVEL) -> dict[str, int]:
    return {c.slug: chosen.get(c.slug, default_target(c.level, top_level)) for c in score.challenges}


def plan_remediation(
    score: AssessmentScore, guides: Sequence[PracticeGuide], targets: Mapping[str, int]
) -> tuple[PlanItem, ...]:
    flagged = set(score.flagged)
    items = []
    for position, guide in enumerate(guides):
        target = targets[guide.challenge_slug]
        is_flagged = guide.practice_slug in flagged
        if guide.not_applicable or guide.level is None or (guide.level >= target and not is_flagged):
            continue
        item = PlanItem(
            challenge_slug=guide.challenge_slug,
            practice_slug=guide.practice_slug,
            practice_title=guide.practice_title,
            current_level=guide.level,
            target_level=max(target, guide.level + 1),
            step=guide.next_steps[guide.level],
            is_flagged=is_flagged,
            weight=guide.weight,
            guidance_anchor=guide.guidance_anchor,
            guidance_title=guide.guidance_title,
        )
        items.append((position, item))
    items.sort(key=lambda pair: (not pair[1].is_flagged, -pair[1].weight, -pair[1].gap, pair[0]))
    return tuple(item for _, item in items)


class Horizon(StrEnum):
    NOW = "now"
    NEXT = "next"
    LATER = "later"


def horizon_of(item: PlanItem) -> Horizon:
    if item.is_flagged or (item.step.effort == "low" and item.step.impact == "high"):
        return Horizon.NOW
    if item.weight == 3 or item.step.impact == "high":
        return Horizon.NEXT
    return Horizon.LATER


def group_by_horizon(plan: Sequence[PlanItem]) -> dict[Horizon, tuple[PlanItem, ...]]:
    """The plan split into horizons, keeping its priority order within each."""
    return {horizon: tuple(item for item in plan if horizon_of(item) == horizon) for horizon in Horizon}
