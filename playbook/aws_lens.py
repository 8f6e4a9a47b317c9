"""A playbook version as an AWS Well-Architected Tool custom lens, so teams that review there ask the same questions.

`custom_lens(content, site_url=..., modules=...)` maps the playbook onto the lens format
(https://docs.aws.amazon.com/wellarchitected/latest/userguide/lenses-format-specification.html):

- one pillar per challenge: the core challenges always, a module only when its slug is in `modules`;
- one question per practice, its description the playbook's question (and when it may be not applicable);
- one choice per level, `level_0` to `level_4`. The title is the level and its statement, cut at a word to the
  tool's 128 characters; the helpful resource carries the whole statement. The improvement plan of level N is the
  playbook's step from N-1 to N (for level 0, a pointer to the guidance), because the tool lists the plans of the
  choices *not* selected: a team at level 1 sees the steps to 2, 3 and 4. Both link to the practice's guidance.
  Every level is a statement of its own, so no "None of these" choice is added;
- risk rules from the critical flag: a critical practice answered at or below `critical_at_or_below` (Absent or
  Initial) is HIGH_RISK, below the strength levels (Repeatable) MEDIUM_RISK, and otherwise NO_RISK. The tool takes
  the first rule whose condition holds, so the riskiest comes first and a team ticking two levels gets the lower.
  Other practices have only the `default` rule every question needs, NO_RISK.

For 2027.1 a critical practice's rules read `level_0 || level_1` → HIGH_RISK, `level_2` → MEDIUM_RISK,
`default` → NO_RISK. `lens_json(lens)` writes the lens compactly; `playbook.aws_lens_limits.lens_problems` checks it.
"""

import json
from collections.abc import Iterable
from urllib.parse import urlsplit

from playbook.aws_lens_limits import (
    COMPACT_JSON,
    MAX_CHOICE_RESOURCE_TEXT,
    MAX_CHOICE_TITLE,
    MAX_LENS_DESCRIPTION,
    MAX_LENS_NAME,
    MAX_PILLAR_NAME,
    MAX_QUESTION_DESCRIPTION,
    MAX_QUESTION_RESOURCE_TEXT,
    MAX_QUESTION_TITLE,
    SCHEMA_VERSION,
)
from playbook.content_model import ChallengeContent, GuidanceContent, PlaybookContent, PracticeContent
from playbook.published import guidance_url
from playbook.rules import LEVELS


def custom_lens(content: PlaybookContent, *, site_url: str, modules: Iterable[str] = ()) -> dict:
    """The custom lens for `content`, linking to the playbook at `site_url` (the origin, e.g.
    `https://maturity.example.org`; the paths come from the URLconf)."""
    parts = urlsplit(site_url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ValueError(f"site_url must be an https:// or http:// address the lens can link to: {site_url!r}")
    challenges = _challenges_in_scope(content, set(modules))
    links = _guidance_links(content, site_url.rstrip("/"))
    practices = sum(len(c.practices) for c in challenges)
    return {
        "schemaVersion": SCHEMA_VERSION,
        "name": shorten(f"{content.title} {content.version}", MAX_LENS_NAME),
        "description": shorten(
            f"{content.title}, version {content.version}: {practices} practices in {len(challenges)} challenges "
            f"({', '.join(c.title for c in challenges)}). Answer each question with the level "
            f"({', '.join(content.level_names)}) that best describes the workload today. A critical practice at "
            f"{content.level_names[content.scoring.critical_at_or_below]} or below is a high risk.",
            MAX_LENS_DESCRIPTION,
        ),
        "pillars": [
            {
                "id": _identifier(challenge.slug),
                "name": shorten(challenge.title, MAX_PILLAR_NAME),
                "questions": [_question(content, practice, links) for practice in challenge.practices],
            }
            for challenge in challenges
        ],
    }


def lens_json(lens: dict) -> str:
    """The lens as the compact JSON file the tool imports."""
    return json.dumps(lens, **COMPACT_JSON)


def shorten(text: str, limit: int) -> str:
    """`text` on one line, cut at a word boundary with an ellipsis when it is longer than `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


def _guidance_links(content: PlaybookContent, site_url: str) -> dict[str, tuple[str, GuidanceContent]]:
    """Per practice slug, the absolute address and the section of its first guidance section."""
    sections = {g.slug: (c.slug, g) for c in content.challenges for g in c.guidance}
    links = {}
    for practice in content.practices:
        challenge_slug, section = sections[practice.guidance[0]]
        links[practice.slug] = (site_url + guidance_url(content.version, challenge_slug, section.slug), section)
    return links


def _challenges_in_scope(content: PlaybookContent, modules: set[str]) -> list[ChallengeContent]:
    known = {c.slug for c in content.challenges if c.is_module}
    if unknown := modules - known:
        raise ValueError(
            f"unknown module(s) {', '.join(sorted(unknown))}; playbook {content.version} has "
            f"{', '.join(sorted(known)) or 'no modules'}"
        )
    return [c for c in content.challenges if not c.is_module or c.slug in modules]


def _identifier(slug: str) -> str:
    return slug.replace("-", "_")


def _question(
    content: PlaybookContent, practice: PracticeContent, links: dict[str, tuple[str, GuidanceContent]]
) -> dict:
    url, section = links[practice.slug]
    description = practice.question
    if practice.is_critical:
        low = content.level_names[content.scoring.critical_at_or_below]
        description += f" Critical: an answer at {low} or below is a high risk."
    if practice.not_applicable_rule:
        description += f" Not applicable: {practice.not_applicable_rule}"
    return {
        "id": _identifier(practice.slug),
        "title": shorten(practice.title, MAX_QUESTION_TITLE),
        "description": shorten(description, MAX_QUESTION_DESCRIPTION),
        "helpfulResource": {"displayText": shorten(section.title, MAX_QUESTION_RESOURCE_TEXT), "url": url},
        "choices": [_choice(content, practice, level, url, section) for level in LEVELS],
        "riskRules": _risk_rules(content, practice),
    }


def _choice(
    content: PlaybookContent, practice: PracticeContent, level: int, url: str, section: GuidanceContent
) -> dict:
    name, statement = content.level_names[level], practice.options[level]
    if level == LEVELS[0]:
        plan = f"Start from the playbook's guidance: {section.title}."
    else:
        plan = f"To reach {name} ({level}): {practice.next_steps[level - 1].text}"
    statement_text = shorten(f"{name} ({level}): {statement}", MAX_CHOICE_RESOURCE_TEXT)
    return {
        "id": _choice_id(level),
        "title": shorten(f"{level} {name}: {statement}", MAX_CHOICE_TITLE),
        "helpfulResource": {"displayText": statement_text, "url": url},
        "improvementPlan": {"displayText": shorten(plan, MAX_CHOICE_RESOURCE_TEXT), "url": url},
    }


def _choice_id(level: int) -> str:
    return f"level_{level}"


def _risk_rules(content: PlaybookContent, practice: PracticeContent) -> list[dict]:
    if not practice.is_critical:
        return [{"condition": "default", "risk": "NO_RISK"}]
    high = [level for level in LEVELS if level <= content.scoring.critical_at_or_below]
    medium = [level for level in LEVELS if content.scoring.critical_at_or_below < level < content.scoring.strength_from]
    rules = [
        {"condition": " || ".join(_choice_id(level) for level in levels), "risk": risk}
        for levels, risk in ((high, "HIGH_RISK"), (medium, "MEDIUM_RISK"))
        if levels
    ]
    return [*rules, {"condition": "default", "risk": "NO_RISK"}]
