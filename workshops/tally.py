"""Counting a room's votes: plain functions over plain data, no database.

Rules:
- Each practice's tally counts the votes per level (0-4) and 'not applicable'.
- The room disagrees on a practice when two of its level votes are two or more
  levels apart (not applicable votes are left out of the spread).
- The room's suggestion is the level with the most votes. When two or more
  levels share the most votes the room is tied and there is no suggestion:
  the board says so rather than crown a winner the room did not choose.

Example: votes 1, 1, 3 give counts (0, 2, 0, 1, 0), a spread of 2, so the room
disagrees, and a suggestion of level 1. Votes 0 and 3 are tied: no suggestion.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from playbook.rules import LEVELS

DISAGREEMENT_SPREAD = 2


@dataclass(frozen=True)
class VoteCount:
    """One row of the aggregate query: how many voted `level` (or not applicable) on a practice."""

    practice_id: int
    level: int | None
    not_applicable: bool
    votes: int


@dataclass(frozen=True)
class Tally:
    practice_id: int
    counts: tuple[int, ...]  # index = level
    not_applicable: int

    @property
    def answered(self) -> int:
        return sum(self.counts) + self.not_applicable

    @property
    def spread(self) -> int:
        voted = [level for level in LEVELS if self.counts[level]]
        return max(voted) - min(voted) if voted else 0

    @property
    def disagrees(self) -> bool:
        return self.spread >= DISAGREEMENT_SPREAD

    @property
    def leaders(self) -> tuple[int, ...]:
        """The levels with the most votes (none before the first vote)."""
        most = max(self.counts)
        return tuple(level for level in LEVELS if most and self.counts[level] == most)

    @property
    def is_tied(self) -> bool:
        return len(self.leaders) > 1

    @property
    def suggestion(self) -> int | None:
        return self.leaders[0] if len(self.leaders) == 1 else None

    def share(self, level: int) -> int:
        """Percentage of level votes at `level`, for bar widths."""
        total = sum(self.counts)
        return round(100 * self.counts[level] / total) if total else 0


def tally_votes(rows: Iterable[VoteCount], practice_ids: Sequence[int]) -> dict[int, Tally]:
    counts = {pid: [0] * len(LEVELS) for pid in practice_ids}
    not_applicable = dict.fromkeys(practice_ids, 0)
    for row in rows:
        if row.practice_id not in counts:
            continue
        if row.not_applicable:
            not_applicable[row.practice_id] += row.votes
        elif row.level is not None:
            counts[row.practice_id][row.level] += row.votes
    return {pid: Tally(pid, tuple(counts[pid]), not_applicable[pid]) for pid in practice_ids}
