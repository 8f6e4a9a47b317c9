"""Read and validate the playbook content files, without touching the database.

`read_playbook(directory)` returns a `PlaybookContent` tree of frozen dataclasses
or raises `ContentError` naming the file, the item and the problem, e.g.

    challenges/03-security.yaml: practice 'endpoint-auth': weight 5 is out of range (1-3)

Every problem in the files is reported before anything is loaded, so a
malformed playbook never reaches the database half-written.
"""

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from playbook.rules import LEVELS, STEP_LEVELS, NextStep, ScoringRules

RATINGS = ("low", "medium", "high")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
VERSION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,31}$")
# Answer options describe observable states; degrees like these cannot be checked without debate.
VAGUE_WORDS_RE = re.compile(
    r"\b(somewhat|mostly|partially|partly|sometimes|often|usually|adequate(ly)?|reasonabl[ey])\b", re.I
)


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


@dataclass(frozen=True)
class PlaybookContent:
    version: str
    title: str
    content_hash: str
    level_names: tuple[str, ...]
    scoring: ScoringRules
    scoring_method: str
    references: tuple[ReferenceContent, ...]
    challenges: tuple[ChallengeContent, ...]

    def summary_line(self) -> str:
        practices = [p for c in self.challenges for p in c.practices]
        return (
            f"playbook {self.version}: challenges={len(self.challenges)} practices={len(practices)} "
            f"options={sum(len(p.options) for p in practices)} "
            f"guidance={sum(len(c.guidance) for c in self.challenges)} references={len(self.references)}"
        )


class _Reader:
    """Typed accessors over one parsed YAML mapping that raise `ContentError` with context."""

    def __init__(self, file: str, item: str, data: Any):
        if not isinstance(data, Mapping):
            raise ContentError(file, item, "must be a mapping of keys to values")
        self.file, self.item, self.data = file, item, data

    def fail(self, problem: str) -> ContentError:
        return ContentError(self.file, self.item, problem)

    def text(self, key: str, *, required: bool = True) -> str:
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.fail(f"'{key}' is missing")
            return ""
        if not isinstance(value, str | int | float):
            raise self.fail(f"'{key}' must be text")
        return str(value).strip()

    def slug(self, key: str = "slug") -> str:
        value = self.text(key)
        if not SLUG_RE.match(value) or len(value) > 100:
            raise self.fail(f"'{key}' {value!r} must be lower-case words joined by hyphens")
        return value

    def integer(self, key: str, low: int, high: int) -> int:
        value = self.data.get(key)
        if value is None:
            raise self.fail(f"'{key}' is missing")
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(f"'{key}' must be a whole number")
        if not low <= value <= high:
            raise self.fail(f"{key} {value} is out of range ({low}-{high})")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"'{key}' must be true or false")
        return value

    def slugs(self, key: str, *, required: bool) -> tuple[str, ...]:
        value = self.data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"'{key}' must be a list of ids")
        if required and not value:
            raise self.fail(f"'{key}' needs at least one entry")
        return tuple(value)

    def by_level(self, key: str, levels: tuple[int, ...]) -> dict[int, Any]:
        value = self.data.get(key)
        if not isinstance(value, Mapping):
            raise self.fail(f"'{key}' must map levels {levels[0]}-{levels[-1]} to text")
        for level in levels:
            if level not in value or value[level] in (None, ""):
                raise self.fail(f"'{key}' is missing level {level}")
        extra = set(value) - set(levels)
        if extra:
            raise self.fail(f"'{key}' has unknown level(s) {sorted(extra, key=str)}")
        return dict(value)


def _load_yaml(path: Path, root: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise ContentError(str(path.relative_to(root)), "file", f"is not valid YAML ({error})") from None


def _read_references(root: Path) -> dict[str, ReferenceContent]:
    references: dict[str, ReferenceContent] = {}
    for path in sorted((root / "references").glob("*.yaml")):
        name = str(path.relative_to(root))
        entries = _load_yaml(path, root) or []
        if not isinstance(entries, list):
            raise ContentError(name, "file", "must be a list of references")
        for index, entry in enumerate(entries, start=1):
            reader = _Reader(name, f"reference #{index}", entry)
            key = reader.slug("id")
            reader.item = f"reference '{key}'"
            url = reader.text("url")
            if not url.startswith(("https://", "http://")):
                raise reader.fail(f"url {url!r} must start with https:// or http://")
            reference = ReferenceContent(key, reader.text("title"), url, reader.text("publisher", required=False))
            # The same source may be listed in several files, but only identically.
            if key in references and references[key] != reference:
                raise reader.fail("duplicate reference id with a different title, url or publisher")
            references[key] = reference
    return references


def _read_practice(reader: _Reader) -> PracticeContent:
    slug = reader.slug()
    reader.item = f"practice '{slug}'"
    options = reader.by_level("options", LEVELS)
    for level in LEVELS:
        if vague := VAGUE_WORDS_RE.search(str(options[level])):
            raise reader.fail(f"option {level} uses the vague degree '{vague.group()}'; describe an observable state")
    steps = reader.by_level("next_steps", STEP_LEVELS)
    next_steps = []
    for level in STEP_LEVELS:
        step = _Reader(reader.file, f"{reader.item} next step from level {level}", steps[level])
        effort, impact = step.text("effort"), step.text("impact")
        for name, rating in (("effort", effort), ("impact", impact)):
            if rating not in RATINGS:
                raise step.fail(f"{name} {rating!r} must be one of {', '.join(RATINGS)}")
        next_steps.append(NextStep(step.text("step"), effort, impact))
    return PracticeContent(
        slug=slug,
        title=reader.text("title"),
        question=reader.text("question"),
        weight=reader.integer("weight", 1, 3),
        is_critical=reader.boolean("critical", False),
        not_applicable_rule=reader.text("not_applicable", required=False),
        options=tuple(str(options[level]).strip() for level in LEVELS),
        next_steps=tuple(next_steps),
        guidance=reader.slugs("guidance", required=True),
    )


def _read_guidance(reader: _Reader) -> GuidanceContent:
    slug = reader.slug()
    reader.item = f"guidance '{slug}'"
    pitfalls = reader.data.get("pitfalls") or []
    if not isinstance(pitfalls, list):
        raise reader.fail("'pitfalls' must be a list")
    return GuidanceContent(
        slug=slug,
        title=reader.text("title"),
        body=reader.text("body"),
        pitfalls=tuple(str(p).strip() for p in pitfalls),
        references=reader.slugs("references", required=True),
    )


def _read_challenge(path: Path, root: Path) -> ChallengeContent:
    name = str(path.relative_to(root))
    reader = _Reader(name, "challenge", _load_yaml(path, root))
    slug = reader.slug()
    reader.item = f"challenge '{slug}'"
    levels = reader.by_level("levels", LEVELS)
    practices, guidance = reader.data.get("practices"), reader.data.get("guidance")
    if not isinstance(practices, list) or not practices:
        raise reader.fail("'practices' must be a non-empty list")
    if not isinstance(guidance, list):
        raise reader.fail("'guidance' must be a list")
    return ChallengeContent(
        slug=slug,
        order=reader.integer("order", 1, 99),
        title=reader.text("title"),
        summary=reader.text("summary"),
        why_it_matters=reader.text("why_it_matters"),
        level_descriptions=tuple(str(levels[level]).strip() for level in LEVELS),
        references=reader.slugs("references", required=False),
        practices=tuple(_read_practice(_Reader(name, f"practice #{i}", p)) for i, p in enumerate(practices, 1)),
        guidance=tuple(_read_guidance(_Reader(name, f"guidance #{i}", g)) for i, g in enumerate(guidance, 1)),
    )


def _check_links(challenges: list[tuple[str, ChallengeContent]], references: Mapping[str, ReferenceContent]) -> None:
    seen: dict[str, str] = {}
    for name, challenge in challenges:
        kinds = [("challenge", challenge.slug)]
        kinds += [("practice", p.slug) for p in challenge.practices]
        kinds += [("guidance", g.slug) for g in challenge.guidance]
        for kind, slug in kinds:
            key = f"{kind} {slug}"
            if key in seen:
                raise ContentError(name, f"{kind} '{slug}'", f"duplicate slug (also in {seen[key]})")
            seen[key] = name
    guidance_slugs = {g.slug for _, c in challenges for g in c.guidance}
    for name, challenge in challenges:
        for key in challenge.references:
            if key not in references:
                raise ContentError(name, f"challenge '{challenge.slug}'", f"unknown reference '{key}'")
        for practice in challenge.practices:
            for slug in practice.guidance:
                if slug not in guidance_slugs:
                    raise ContentError(name, f"practice '{practice.slug}'", f"dangling guidance link '{slug}'")
        for section in challenge.guidance:
            for key in section.references:
                if key not in references:
                    raise ContentError(name, f"guidance '{section.slug}'", f"unknown reference '{key}'")


def _hash_files(root: Path, paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def read_playbook(root: Path) -> PlaybookContent:
    manifest_path = root / "playbook.yaml"
    if not manifest_path.is_file():
        raise ContentError("playbook.yaml", "file", f"not found in {root}")
    manifest = _Reader("playbook.yaml", "playbook", _load_yaml(manifest_path, root))
    version = manifest.text("version")
    if not VERSION_RE.match(version):
        raise manifest.fail(f"version {version!r} must be up to 32 letters, digits, dots or hyphens")
    level_names = manifest.by_level("level_names", LEVELS)
    scoring = _Reader("playbook.yaml", "scoring", manifest.data.get("scoring"))
    fraction = scoring.data.get("min_answered_fraction")
    if not isinstance(fraction, int | float) or isinstance(fraction, bool) or not 0 < fraction <= 1:
        raise scoring.fail("min_answered_fraction must be a number above 0 and at most 1")

    references = _read_references(root)
    challenge_paths = sorted((root / "challenges").glob("*.yaml"))
    if not challenge_paths:
        raise ContentError("challenges/", "folder", "holds no challenge files")
    challenges = [(str(p.relative_to(root)), _read_challenge(p, root)) for p in challenge_paths]
    _check_links(challenges, references)

    reference_paths = sorted((root / "references").glob("*.yaml"))
    return PlaybookContent(
        version=version,
        title=manifest.text("title"),
        content_hash=_hash_files(root, [manifest_path, *reference_paths, *challenge_paths]),
        level_names=tuple(str(level_names[level]) for level in LEVELS),
        scoring=ScoringRules(
            min_answered_fraction=float(fraction),
            critical_at_or_below=scoring.integer("critical_at_or_below", 0, 3),
            flagged_level_cap=scoring.integer("flagged_level_cap", 0, 4),
            overall_max_above_weakest=scoring.integer("overall_max_above_weakest", 0, 4),
            top_level=LEVELS[-1],
        ),
        scoring_method=manifest.text("scoring_method"),
        references=tuple(references.values()),
        challenges=tuple(sorted((c for _, c in challenges), key=lambda c: c.order)),
    )
