"""Read and validate the playbook content files, without touching the database.

`read_playbook(directory)` returns a `PlaybookContent` tree of frozen dataclasses
or raises `ContentError` naming the file, the item and the problem, e.g.

    challenges/03-security.yaml: practice 'endpoint-auth': weight 5 is out of range (1-3)

A version's folder holds `playbook.yaml`, `challenges/` (the core, in every
assessment), optionally `modules/` (lifecycle modules a team chooses) and
`frameworks/` (external frameworks the practices map to), and `references/`.
Every problem in the files is reported before anything is loaded, so a
malformed playbook never reaches the database half-written. The checks across
files (links, framework coverage, where each practice came from in the
previous version) are in `playbook.content_checks`.
"""

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from playbook.content_checks import check_links, check_origins
from playbook.content_model import (
    ChallengeContent,
    ContentError,
    FrameworkContent,
    FrameworkItemContent,
    GuidanceContent,
    Origin,
    PlaybookContent,
    PracticeContent,
    ReferenceContent,
)
from playbook.rules import LEVELS, STEP_LEVELS, NextStep, ScoringRules

RATINGS = ("low", "medium", "high")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
VERSION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,31}$")
# Answer options describe observable states; degrees like these cannot be checked without debate.
VAGUE_WORDS_RE = re.compile(
    r"\b(somewhat|mostly|partially|partly|sometimes|often|usually|adequate(ly)?|reasonabl[ey])\b", re.I
)
ORIGIN_KEYS = {"levels-changed": "levels-changed", "renamed-from": "renamed", "split-from": "split"}


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


def _clauses(statement: str) -> set[str]:
    """The clauses of a level statement, normalised: split at sentence ends, semicolons and commas."""
    parts = re.split(r"[.;:,]\s+|[.;]$", statement.lower())
    # "..., and X" and "X, ..." state the same requirement.
    parts = [re.sub(r"^(and|but|or|then|so)\s+", "", " ".join(part.split())) for part in parts]
    return {part for part in parts if len(part.split()) >= 4}


def _read_origin(reader: _Reader) -> Origin:
    value = reader.data.get("origin")
    if isinstance(value, str) and value in ("unchanged", "reworded", "levels-changed", "new"):
        return Origin(kind=value)
    if isinstance(value, Mapping) and len(value) == 1:
        [(key, detail)] = value.items()
        if key == "levels-changed" and isinstance(detail, list) and all(level in LEVELS for level in detail):
            return Origin(kind="levels-changed", changed_levels=tuple(sorted(detail)))
        if key in ("renamed-from", "split-from") and isinstance(detail, str) and SLUG_RE.match(detail):
            return Origin(kind=ORIGIN_KEYS[key], sources=(detail,))
        if key == "merged-from" and isinstance(detail, list) and len(detail) >= 2:
            return Origin(kind="merged", sources=tuple(detail))
    raise reader.fail(
        "'origin' must be unchanged, reworded, levels-changed, new, {levels-changed: [levels]}, "
        "{renamed-from: slug}, {split-from: slug} or {merged-from: [slugs]}"
    )


def _read_covers(reader: _Reader) -> tuple[tuple[str, str], ...]:
    value = reader.data.get("covers") or {}
    if not isinstance(value, Mapping) or not all(isinstance(items, list | None) for items in value.values()):
        raise reader.fail("'covers' must map framework ids to lists of item ids")
    return tuple((str(framework), str(item)) for framework, items in value.items() for item in items or [])


def _read_practice(reader: _Reader, *, has_previous: bool) -> PracticeContent:
    slug = reader.slug()
    reader.item = f"practice '{slug}'"
    options = reader.by_level("options", LEVELS)
    for level in LEVELS:
        if vague := VAGUE_WORDS_RE.search(str(options[level])):
            raise reader.fail(f"option {level} uses the vague degree '{vague.group()}'; describe an observable state")
    for level in LEVELS[:-1]:
        # A level that repeats a requirement of the level below adds nothing a team could show.
        if repeated := _clauses(str(options[level])) & _clauses(str(options[level + 1])):
            raise reader.fail(f"options {level} and {level + 1} both say {sorted(repeated)[0]!r}")
    steps = reader.by_level("next_steps", STEP_LEVELS)
    next_steps = []
    for level in STEP_LEVELS:
        step = _Reader(reader.file, f"{reader.item} next step from level {level}", steps[level])
        effort, impact = step.text("effort"), step.text("impact")
        for name, rating in (("effort", effort), ("impact", impact)):
            if rating not in RATINGS:
                raise step.fail(f"{name} {rating!r} must be one of {', '.join(RATINGS)}")
        next_steps.append(NextStep(step.text("step"), effort, impact))
    scope = reader.text("scope", required=False) or "product"
    if scope not in ("product", "organisation"):
        raise reader.fail(f"scope {scope!r} must be product or organisation")
    if has_previous and "origin" not in reader.data:
        raise reader.fail("'origin' is missing: say where the practice came from in the previous version")
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
        origin=_read_origin(reader) if has_previous else None,
        covers=_read_covers(reader),
        is_organisation_wide=scope == "organisation",
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


def _read_challenge(path: Path, root: Path, *, is_module: bool, has_previous: bool) -> ChallengeContent:
    name = str(path.relative_to(root))
    reader = _Reader(name, "module" if is_module else "challenge", _load_yaml(path, root))
    slug = reader.slug()
    reader.item = f"{'module' if is_module else 'challenge'} '{slug}'"
    levels = reader.by_level("levels", LEVELS)
    practices, guidance = reader.data.get("practices"), reader.data.get("guidance")
    if not isinstance(practices, list) or not practices:
        raise reader.fail("'practices' must be a non-empty list")
    if not isinstance(guidance, list):
        raise reader.fail("'guidance' must be a list")
    if not is_module and "builds_on" in reader.data:
        raise reader.fail("'builds_on' is for modules: a core challenge is in every assessment")
    return ChallengeContent(
        slug=slug,
        order=reader.integer("order", 1, 99),
        title=reader.text("title"),
        summary=reader.text("summary"),
        why_it_matters=reader.text("why_it_matters"),
        level_descriptions=tuple(str(levels[level]).strip() for level in LEVELS),
        references=reader.slugs("references", required=False),
        practices=tuple(
            _read_practice(_Reader(name, f"practice #{i}", p), has_previous=has_previous)
            for i, p in enumerate(practices, 1)
        ),
        guidance=tuple(_read_guidance(_Reader(name, f"guidance #{i}", g)) for i, g in enumerate(guidance, 1)),
        is_module=is_module,
        builds_on=reader.slugs("builds_on", required=False),
    )


def _read_framework(path: Path, root: Path) -> FrameworkContent:
    name = str(path.relative_to(root))
    reader = _Reader(name, "framework", _load_yaml(path, root))
    key = reader.slug("id")
    reader.item = f"framework '{key}'"
    sections = []
    for index, entry in enumerate(reader.data.get("sections") or [], start=1):
        section = _Reader(name, f"{reader.item} section #{index}", entry)
        sections.append((section.slug("id"), section.text("title")))
    raw_items = reader.data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise reader.fail("'items' must be a non-empty list")
    items = []
    for index, entry in enumerate(raw_items, start=1):
        item = _Reader(name, f"{reader.item} item #{index}", entry)
        item_key = item.slug("id")
        item.item = f"{reader.item} item '{item_key}'"
        section = item.text("section", required=False)
        if sections and section not in dict(sections):
            raise item.fail(f"section {section!r} is not one of the framework's sections")
        items.append(
            FrameworkItemContent(item_key, section, item.text("title"), item.text("out_of_scope", required=False))
        )
    if len({item.key for item in items}) != len(items):
        raise reader.fail("an item id is listed twice")
    scoring = reader.data.get("scoring") or {}
    if scoring:
        rules = _Reader(name, f"{reader.item} scoring", scoring)
        manual = rules.integer("manual_at_or_above", 0, 4)
        automated = rules.integer("automated_at_or_above", manual, 4)
        scoring = {"manual_at_or_above": manual, "automated_at_or_above": automated, "method": rules.text("method")}
    url = reader.text("url")
    if not url.startswith(("https://", "http://")):
        raise reader.fail(f"url {url!r} must start with https:// or http://")
    return FrameworkContent(
        key=key,
        title=reader.text("title"),
        publisher=reader.text("publisher", required=False),
        url=url,
        summary=reader.text("summary"),
        sections=tuple(sections),
        items=tuple(items),
        scoring=scoring,
    )


def _hash_files(root: Path, paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def version_folders(root: Path) -> list[Path]:
    """The content folders under `root`, one per playbook version; `root` itself when it is one."""
    if (root / "playbook.yaml").is_file():
        return [root]
    return sorted(path.parent for path in root.glob("*/playbook.yaml"))


def read_playbook(root: Path) -> PlaybookContent:
    """Read and check one version's folder; a version that revises another is checked against it as well."""
    manifest_path = root / "playbook.yaml"
    if not manifest_path.is_file():
        raise ContentError("playbook.yaml", "file", f"not found in {root}")
    manifest = _Reader("playbook.yaml", "playbook", _load_yaml(manifest_path, root))
    version = manifest.text("version")
    if not VERSION_RE.match(version):
        raise manifest.fail(f"version {version!r} must be up to 32 letters, digits, dots or hyphens")
    previous_version = manifest.text("previous_version", required=False)
    level_names = manifest.by_level("level_names", LEVELS)
    scoring = _Reader("playbook.yaml", "scoring", manifest.data.get("scoring"))
    fraction = scoring.data.get("min_answered_fraction")
    if not isinstance(fraction, int | float) or isinstance(fraction, bool) or not 0 < fraction <= 1:
        raise scoring.fail("min_answered_fraction must be a number above 0 and at most 1")
    retired = manifest.data.get("retired") or {}
    if not isinstance(retired, Mapping):
        raise manifest.fail("'retired' must map practice slugs of the previous version to the reason they went")

    references = _read_references(root)
    challenge_paths = sorted((root / "challenges").glob("*.yaml"))
    module_paths = sorted((root / "modules").glob("*.yaml"))
    framework_paths = sorted((root / "frameworks").glob("*.yaml"))
    if not challenge_paths:
        raise ContentError("challenges/", "folder", "holds no challenge files")
    has_previous = bool(previous_version)
    challenges = [
        (str(p.relative_to(root)), _read_challenge(p, root, is_module=False, has_previous=has_previous))
        for p in challenge_paths
    ] + [
        (str(p.relative_to(root)), _read_challenge(p, root, is_module=True, has_previous=has_previous))
        for p in module_paths
    ]
    frameworks = [(str(p.relative_to(root)), _read_framework(p, root)) for p in framework_paths]
    check_links(challenges, references, frameworks)

    reference_paths = sorted((root / "references").glob("*.yaml"))
    content = PlaybookContent(
        version=version,
        title=manifest.text("title"),
        content_hash=_hash_files(
            root, [manifest_path, *reference_paths, *challenge_paths, *module_paths, *framework_paths]
        ),
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
        challenges=tuple(sorted((c for _, c in challenges), key=lambda c: (c.is_module, c.order))),
        frameworks=tuple(framework for _, framework in frameworks),
        previous_version=previous_version,
        retired={str(k): str(v) for k, v in retired.items()},
    )
    if has_previous:
        previous_root = root.parent / previous_version
        if not (previous_root / "playbook.yaml").is_file():
            raise manifest.fail(f"previous_version {previous_version!r} has no folder beside this one")
        check_origins(content, read_playbook(previous_root), dict(challenges))
    return content
