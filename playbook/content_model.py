"""The playbook's content as plain, frozen dataclasses: what the loader reads and the checks and publishing use."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from playbook.rules import NextStep, ScoringRules

# Where a practice of a new version came from in the previous one.
ORIGIN_KINDS = ("unchanged", "reworded", "levels-changed", "renamed", "split", "merged", "new")


class ContentError(ValueError):
    def __init__(self, file: str, item: str, problem: str):
        self.file, self.item, self.problem = file, item, problem
        super().__init__(f"{file}: {item}: {problem}")


@dataclass(frozen=True)
class ReferenceContent:
    key: str
    title: str
    url: str
    publisher: str


@dataclass(frozen=True)
class Origin:
    """Where a practice came from in the previous version, and so what happens to a team's earlier answer.

    unchanged and reworded keep the answer; levels-changed keeps it unless it was at one of `changed_levels`
    (all levels when none are listed); renamed keeps it under the new slug; split and merged carry it as a
    suggestion the team confirms; new starts empty.
    """

    kind: str = "new"
    sources: tuple[str, ...] = ()  # previous slugs: the practice's own, or those it was renamed, split or merged from
    changed_levels: tuple[int, ...] = ()

    def keeps(self, level: int | None) -> bool:
        """Whether an earlier answer at `level` still holds for the new wording (None: not applicable)."""
        if self.kind in ("unchanged", "reworded", "renamed"):
            return True
        if self.kind == "levels-changed":
            return level is not None and bool(self.changed_levels) and level not in self.changed_levels
        return False

    def as_data(self) -> dict:
        return {"kind": self.kind, "from": list(self.sources), "levels": list(self.changed_levels)}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> "Origin | None":
        """The origin a published practice stores (None for a version that declares no lineage)."""
        if not data:
            return None
        return cls(kind=data["kind"], sources=tuple(data["from"]), changed_levels=tuple(data["levels"]))


@dataclass(frozen=True)
class PracticeContent:
    slug: str
    title: str
    question: str
    weight: int
    is_critical: bool
    not_applicable_rule: str
    options: tuple[str, ...]  # index = level
    next_steps: tuple[NextStep, ...]  # index = level it leads from
    guidance: tuple[str, ...]
    origin: Origin | None = None  # None in a version with no previous one
    covers: tuple[tuple[str, str], ...] = ()  # (framework id, item id)
    is_organisation_wide: bool = False


@dataclass(frozen=True)
class GuidanceContent:
    slug: str
    title: str
    body: str
    pitfalls: tuple[str, ...]
    references: tuple[str, ...]


@dataclass(frozen=True)
class ChallengeContent:
    slug: str
    order: int
    title: str
    summary: str
    why_it_matters: str
    level_descriptions: tuple[str, ...]
    references: tuple[str, ...]
    practices: tuple[PracticeContent, ...]
    guidance: tuple[GuidanceContent, ...]
    is_module: bool = False
    builds_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class FrameworkItemContent:
    key: str
    section: str
    title: str
    out_of_scope: str


@dataclass(frozen=True)
class FrameworkContent:
    key: str
    title: str
    publisher: str
    url: str
    summary: str
    sections: tuple[tuple[str, str], ...]  # (id, title)
    items: tuple[FrameworkItemContent, ...]
    scoring: Mapping[str, Any]


@dataclass(frozen=True)
class PlaybookContent:
    version: str
    title: str
    content_hash: str
    level_names: tuple[str, ...]
    scoring: ScoringRules
    scoring_method: str
    references: tuple[ReferenceContent, ...]
    challenges: tuple[ChallengeContent, ...]  # the core challenges first, then the modules
    frameworks: tuple[FrameworkContent, ...] = ()
    previous_version: str = ""
    retired: Mapping[str, str] | None = None  # previous slugs with no successor, and why

    @property
    def practices(self) -> list[PracticeContent]:
        return [p for c in self.challenges for p in c.practices]

    def summary_line(self) -> str:
        practices = self.practices
        modules = sum(1 for c in self.challenges if c.is_module)
        return (
            f"playbook {self.version}: challenges={len(self.challenges)} modules={modules} "
            f"practices={len(practices)} options={sum(len(p.options) for p in practices)} "
            f"guidance={sum(len(c.guidance) for c in self.challenges)} references={len(self.references)}"
        )

    def coverage(self) -> list[tuple[FrameworkContent, int, int]]:
        """Per framework: how many items practices cover, and how many are marked out of scope."""
        covered = {pair for p in self.practices for pair in p.covers}
        return [
            (
                framework,
                sum(1 for item in framework.items if (framework.key, item.key) in covered),
                sum(1 for item in framework.items if item.out_of_scope),
            )
            for framework in self.frameworks
        ]

    def coverage_lines(self) -> list[str]:
        return [
            f"coverage {framework.key}: covered={covered} out_of_scope={out} items={len(framework.items)}"
            for framework, covered, out in self.coverage()
        ]
