"""The limits an AWS Well-Architected Tool custom lens must respect, and a check that names every breach.

`lens_problems(lens)` returns one readable sentence per problem, naming the pillar, question and choice at fault,
and an empty list for a lens the tool accepts. Where the lens format specification and the API reference give
different limits for the same field, the stricter one is enforced, so a lens that passes here also reads back
through the API unchanged. The sources:

- FORMAT: https://docs.aws.amazon.com/wellarchitected/latest/userguide/lenses-format-specification.html
- API_LENS (lens description): https://docs.aws.amazon.com/wellarchitected/latest/APIReference/API_Lens.html
- API_PILLAR (pillar id): https://docs.aws.amazon.com/wellarchitected/latest/APIReference/API_SelectedPillar.html
- API_CHOICE (choice id): https://docs.aws.amazon.com/wellarchitected/latest/APIReference/API_Choice.html
- API_CHOICE_CONTENT (choice resources):
  https://docs.aws.amazon.com/wellarchitected/latest/APIReference/API_ChoiceContent.html
- IMPORT (size): https://docs.aws.amazon.com/wellarchitected/latest/APIReference/API_ImportLens.html
  ("A custom lens cannot exceed 500 KB"; its JSONString is at most 500,000 characters)

A risk rule's condition is `default` or a Boolean expression over the question's choice ids with `&&`, `||`, `!`
and parentheses, for example `(choice_1 || choice_2) && !choice_3` (FORMAT, "Risk Rules section").
"""

import json
import re
from collections.abc import Generator, Iterator
from typing import Any

SCHEMA_VERSION = "2021-11-01"  # FORMAT: "Set by the template, do not change."
COMPACT_JSON: dict[str, Any] = {"ensure_ascii": False, "separators": (",", ":")}

MAX_LENS_BYTES = 500_000  # IMPORT: 500 KB, counted here in UTF-8 bytes of the compact JSON
MAX_LENS_NAME = 128  # FORMAT and API_LENS
MAX_LENS_DESCRIPTION = 1024  # API_LENS: 1024 (FORMAT says 2048)
MAX_PILLARS = 10  # FORMAT: "up to 10 pillars in a custom lens"
MAX_PILLAR_NAME = 128  # FORMAT
MAX_QUESTIONS = 20  # FORMAT: "up to 20 questions in a pillar"
MAX_QUESTION_TITLE = 128  # FORMAT
MAX_QUESTION_DESCRIPTION = 2048  # FORMAT
MAX_QUESTION_RESOURCE_TEXT = 2048  # FORMAT: question helpfulResource displayText
MAX_CHOICES = 15  # FORMAT: "up to 15 choices for a question", a "None of these" choice included
MAX_CHOICE_TITLE = 128  # FORMAT (API_CHOICE allows 512)
MAX_CHOICE_RESOURCE_TEXT = 1024  # API_CHOICE_CONTENT: 1024 (FORMAT says 2048)
MAX_RESOURCE_URL = 1024  # API_CHOICE_CONTENT, applied to every url
MAX_ADDITIONAL_RESOURCES = 5  # FORMAT: up to five of each type per choice
ADDITIONAL_RESOURCE_TYPES = ("HELPFUL_RESOURCE", "IMPROVEMENT_PLAN")  # FORMAT
MAX_RISK_RULES = 3  # FORMAT: "a maximum of three risk rules per question, one for each level of risk"
RISKS = ("HIGH_RISK", "MEDIUM_RISK", "NO_RISK")  # FORMAT
NONE_OF_THESE_SUFFIX = "_no"  # FORMAT: a choice id ending in _no is the question's "None of these" choice

# FORMAT: ids of 3-128 letters, digits and underscores; API_PILLAR and API_CHOICE cap those ids at 64.
ID_RE = re.compile(r"^[A-Za-z0-9_]+$")
PILLAR_ID_LENGTH = (3, 64)
QUESTION_ID_LENGTH = (3, 128)
CHOICE_ID_LENGTH = (3, 64)
CONDITION_TOKEN_RE = re.compile(r"(&&|\|\||!|\(|\))|([A-Za-z0-9_]+)")


def lens_size(lens: dict) -> int:
    """The size in bytes of the lens as `aws_lens.lens_json` writes it."""
    return len(json.dumps(lens, **COMPACT_JSON).encode("utf-8"))


def lens_problems(lens: dict) -> list[str]:
    """Every way `lens` breaks the documented custom lens format and limits, as readable sentences."""
    if not isinstance(lens, dict):
        return ["The lens must be a JSON object."]
    problems = list(_lens_problems(lens))
    try:
        size = lens_size(lens)
    except (TypeError, ValueError) as error:
        problems.append(f"The lens cannot be written as JSON ({error}).")
    else:
        if size > MAX_LENS_BYTES:
            problems.append(f"The lens is {size:,} bytes; the tool accepts at most {MAX_LENS_BYTES:,}.")
    return problems


def _lens_problems(lens: dict) -> Iterator[str]:
    if lens.get("schemaVersion") != SCHEMA_VERSION:
        yield f"The lens schemaVersion is {lens.get('schemaVersion')!r}; it must be {SCHEMA_VERSION!r}."
    yield from _text(lens, "name", MAX_LENS_NAME, "The lens")
    yield from _text(lens, "description", MAX_LENS_DESCRIPTION, "The lens")
    pillars = lens.get("pillars")
    if not isinstance(pillars, list) or not pillars:
        yield "The lens has no pillars; it needs at least one."
        return
    if len(pillars) > MAX_PILLARS:
        yield f"The lens has {len(pillars)} pillars; at most {MAX_PILLARS} are allowed."
    pillar_ids: set[str] = set()
    question_ids: set[str] = set()
    for index, pillar in enumerate(pillars, start=1):
        if not isinstance(pillar, dict):
            yield f"Pillar #{index} must be a JSON object."
            continue
        where = f"Pillar {pillar.get('id', f'#{index}')!r}"
        yield from _identifier(pillar, PILLAR_ID_LENGTH, pillar_ids, where, "among the lens's pillars")
        yield from _text(pillar, "name", MAX_PILLAR_NAME, where)
        yield from _pillar_questions(pillar, where, question_ids)


def _pillar_questions(pillar: dict, where: str, question_ids: set[str]) -> Iterator[str]:
    questions = pillar.get("questions")
    if not isinstance(questions, list) or not questions:
        yield f"{where} has no questions; it needs at least one."
        return
    if len(questions) > MAX_QUESTIONS:
        yield f"{where} has {len(questions)} questions; at most {MAX_QUESTIONS} are allowed."
    for index, question in enumerate(questions, start=1):
        if not isinstance(question, dict):
            yield f"{where}, question #{index} must be a JSON object."
            continue
        at = f"{where}, question {question.get('id', f'#{index}')!r}"
        yield from _identifier(question, QUESTION_ID_LENGTH, question_ids, at, "in the lens")
        yield from _text(question, "title", MAX_QUESTION_TITLE, at)
        yield from _text(question, "description", MAX_QUESTION_DESCRIPTION, at, required=False)
        yield from _resource(question.get("helpfulResource"), f"{at}: its helpfulResource", MAX_QUESTION_RESOURCE_TEXT)
        choice_ids = yield from _question_choices(question, at)
        yield from _risk_rules(question.get("riskRules"), at, choice_ids)


def _question_choices(question: dict, at: str) -> Generator[str, None, set[str]]:
    """The problems of a question's choices; returns the valid choice ids for its risk rules."""
    choices = question.get("choices")
    if not isinstance(choices, list) or not choices:
        yield f"{at} has no choices; it needs at least one."
        return set()
    if len(choices) > MAX_CHOICES:
        yield f"{at} has {len(choices)} choices; at most {MAX_CHOICES} are allowed, 'None of these' included."
    choice_ids: set[str] = set()
    for index, choice in enumerate(choices, start=1):
        if not isinstance(choice, dict):
            yield f"{at}, choice #{index} must be a JSON object."
            continue
        here = f"{at}, choice {choice.get('id', f'#{index}')!r}"
        yield from _identifier(choice, CHOICE_ID_LENGTH, choice_ids, here, "in its question")
        yield from _text(choice, "title", MAX_CHOICE_TITLE, here)
        yield from _resource(choice.get("helpfulResource"), f"{here}: its helpfulResource", MAX_CHOICE_RESOURCE_TEXT)
        is_none_of_these = str(choice.get("id", "")).endswith(NONE_OF_THESE_SUFFIX)
        plan = choice.get("improvementPlan")
        if plan is None and not is_none_of_these:
            yield f"{here} has no improvementPlan; every choice but 'None of these' needs one."
        elif plan is not None:
            yield from _resource(plan, f"{here}: its improvementPlan", MAX_CHOICE_RESOURCE_TEXT)
        yield from _additional_resources(choice.get("additionalResources"), here)
    return choice_ids


def _additional_resources(resources: Any, here: str) -> Iterator[str]:
    if resources is None:
        return
    if not isinstance(resources, list):
        yield f"{here}: its additionalResources must be a list."
        return
    for entry in resources:
        kind = entry.get("type") if isinstance(entry, dict) else None
        if kind not in ADDITIONAL_RESOURCE_TYPES:
            yield f"{here}: an additional resource has type {kind!r}; it must be HELPFUL_RESOURCE or IMPROVEMENT_PLAN."
            continue
        content = entry.get("content")
        if not isinstance(content, list) or len(content) > MAX_ADDITIONAL_RESOURCES:
            yield f"{here}: its {kind} additional resources must be a list of at most {MAX_ADDITIONAL_RESOURCES}."
            continue
        for item in content:
            yield from _resource(item, f"{here}: a {kind} additional resource", MAX_CHOICE_RESOURCE_TEXT)


def _risk_rules(rules: Any, at: str, choice_ids: set[str]) -> Iterator[str]:
    if not isinstance(rules, list) or not rules:
        yield f"{at} has no riskRules; every question needs at least the 'default' rule."
        return
    if len(rules) > MAX_RISK_RULES:
        yield f"{at} has {len(rules)} risk rules; at most {MAX_RISK_RULES} are allowed, one per risk."
    risks = [rule.get("risk") if isinstance(rule, dict) else None for rule in rules]
    for risk in risks:
        if risk not in RISKS:
            yield f"{at} has a risk rule with risk {risk!r}; it must be one of {', '.join(RISKS)}."
    if len(set(risks)) != len(risks):
        yield f"{at} has two risk rules for the same risk; each risk may have one rule."
    conditions = [rule.get("condition") if isinstance(rule, dict) else None for rule in rules]
    if conditions.count("default") != 1:
        yield f"{at} has {conditions.count('default')} 'default' risk rules; it needs exactly one."
    elif conditions[-1] != "default":
        yield f"{at} has its 'default' risk rule before others; the first true condition wins, so it must be last."
    for condition in conditions:
        if condition != "default":
            for problem in _condition(condition, choice_ids):
                yield f"{at}: risk condition {condition!r} {problem}."


def _condition(condition: Any, choice_ids: set[str]) -> Iterator[str]:
    """The problems of one risk condition: its syntax, and choice ids that the question does not have."""
    if not isinstance(condition, str) or not condition.strip():
        yield "is empty"
        return
    tokens: list[str] = []
    position = 0
    while (position := len(condition) - len(condition[position:].lstrip())) < len(condition):
        match = CONDITION_TOKEN_RE.match(condition, position)
        if not match:
            yield f"has an unexpected character at position {position + 1}"
            return
        tokens.append(match.group(1) or match.group(2))
        position = match.end()
    for name in tokens:
        if name not in ("&&", "||", "!", "(", ")") and name not in choice_ids:
            yield f"names {name!r}, which is not a choice of the question"
    if not _is_expression(tokens):
        yield "is not a Boolean expression of choice ids joined by &&, || and !"


def _is_expression(tokens: list[str]) -> bool:
    """Whether `tokens` is `term (|| term)*`, a term being `factor (&& factor)*` and a factor `!factor`,
    `(expression)` or a choice id."""
    position = 0

    def factor() -> bool:
        nonlocal position
        if position >= len(tokens):
            return False
        symbol = tokens[position]
        position += 1
        if symbol == "!":
            return factor()
        if symbol == "(":
            if not expression() or position >= len(tokens) or tokens[position] != ")":
                return False
            position += 1
            return True
        return symbol not in ("&&", "||", ")")

    def joined(part, operator: str) -> bool:
        nonlocal position
        if not part():
            return False
        while position < len(tokens) and tokens[position] == operator:
            position += 1
            if not part():
                return False
        return True

    def expression() -> bool:
        return joined(lambda: joined(factor, "&&"), "||")

    return expression() and position == len(tokens)


def _identifier(item: dict, length: tuple[int, int], seen: set[str], where: str, scope: str) -> Iterator[str]:
    value, (low, high) = item.get("id"), length
    if not isinstance(value, str) or not ID_RE.match(value) or not low <= len(value) <= high:
        yield f"{where} has id {value!r}; ids are {low}-{high} letters, digits or underscores."
    elif value in seen:
        yield f"{where} repeats id {value!r}; ids must be unique {scope}."
    else:
        seen.add(value)


def _text(item: dict, key: str, limit: int, where: str, *, required: bool = True) -> Iterator[str]:
    value = item.get(key)
    if value is None and not required:
        return
    if not isinstance(value, str) or not value.strip():
        yield f"{where} has no {key}; it needs one of at most {limit} characters."
    elif len(value) > limit:
        yield f"{where} has a {key} of {len(value)} characters; at most {limit} are allowed."


def _resource(resource: Any, where: str, limit: int) -> Iterator[str]:
    """A helpfulResource, improvementPlan or additional resource: displayText and an optional http(s) url."""
    if resource is None:
        return
    if not isinstance(resource, dict):
        yield f"{where} must be an object with displayText and url."
        return
    yield from _text(resource, "displayText", limit, where)
    url = resource.get("url")
    if url is None:
        return
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        yield f"{where} has url {url!r}; it must start with https:// or http://."
    elif len(url) > MAX_RESOURCE_URL:
        yield f"{where} has a url of {len(url)} characters; at most {MAX_RESOURCE_URL} are allowed."
