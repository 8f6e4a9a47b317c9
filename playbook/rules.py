"""The parts of the maturity model that code relies on, defined once.

Plain values shared by the content loader (`playbook.content_files`), the models,
and the pure scoring, planning and tally functions: the 0-4 level scale, the
numbers of the scoring rules, and one step from a level to the next.
"""

from dataclasses import asdict, dataclass

# Every practice is answered on this scale; a playbook names each level (Absent ... Optimised).
LEVELS = (0, 1, 2, 3, 4)
TOP_LEVEL = LEVELS[-1]
# Next steps lead from every level but the top one.
STEP_LEVELS = LEVELS[:-1]


@dataclass(frozen=True)
class ScoringRules:
    """The numbers of the scoring rules, as a playbook version's `scoring` block publishes them."""

    min_answered_fraction: float = 0.75
    critical_at_or_below: int = 1
    flagged_level_cap: int = 1
    overall_max_above_weakest: int = 1
    # Derived from the playbook's level names, not written in its scoring block.
    top_level: int = TOP_LEVEL

    @property
    def strength_from(self) -> int:
        """Answers at the two highest levels (Managed and Optimised) are the team's strengths."""
        return self.top_level - 1

    def as_published(self) -> dict:
        """The numbers as a playbook's scoring block states them; the top level follows from its level names."""
        values = asdict(self)
        del values["top_level"]
        return values


@dataclass(frozen=True)
class NextStep:
    """What to do to move a practice from one level to the next."""

    text: str
    effort: str  # low | medium | high
    impact: str
