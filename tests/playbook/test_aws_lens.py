"""The AWS Well-Architected custom lens built from the real 2027.1 content, and the check of the tool's limits."""

import copy
import dataclasses
import json
from functools import cache

import pytest
from django.conf import settings
from django.urls import reverse

from playbook.aws_lens import custom_lens, lens_json, shorten
from playbook.aws_lens_limits import MAX_LENS_BYTES, lens_problems, lens_size
from playbook.content_files import read_playbook
from playbook.published import guidance_url

SITE = "https://maturity.example.org"


@cache
def content():
    return read_playbook(settings.PLAYBOOK_CONTENT_DIR / "2027.1")


def module_slugs() -> list[str]:
    return [c.slug for c in content().challenges if c.is_module]


@cache
def _lens(modules: tuple[str, ...]) -> dict:
    return custom_lens(content(), site_url=SITE, modules=modules)


def core_lens() -> dict:
    return copy.deepcopy(_lens(()))


def full_lens() -> dict:
    return copy.deepcopy(_lens(tuple(module_slugs())))


def questions(lens: dict) -> list[dict]:
    return [q for pillar in lens["pillars"] for q in pillar["questions"]]


def practice(slug: str):
    return next(p for p in content().practices if p.slug == slug)


@pytest.mark.parametrize("lens", [core_lens, full_lens], ids=["core", "all-modules"])
def test_the_real_content_breaks_no_documented_limit(lens):
    assert lens_problems(lens()) == []


def test_the_core_lens_has_a_pillar_per_core_challenge_and_a_question_per_practice():
    lens = core_lens()
    core = [c for c in content().challenges if not c.is_module]
    assert [p["id"] for p in lens["pillars"]] == [c.slug.replace("-", "_") for c in core]
    assert len(questions(lens)) == sum(len(c.practices) for c in core)


def test_all_modules_give_every_challenge_a_pillar_and_every_practice_a_question():
    lens = full_lens()
    assert len(lens["pillars"]) == len(content().challenges) == 10
    assert [q["id"] for q in questions(lens)] == [p.slug.replace("-", "_") for p in content().practices]
    assert len(questions(lens)) == 73


def test_a_module_is_a_pillar_only_when_chosen():
    lens = custom_lens(content(), site_url=SITE, modules=["generative-ai"])
    assert [p["id"] for p in lens["pillars"]][-2:] == ["downstream_application", "generative_ai"]


def test_an_unknown_module_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="unknown module.*not-a-module.*data-foundations"):
        custom_lens(content(), site_url=SITE, modules=["not-a-module"])


@pytest.mark.parametrize("site_url", ["ftp://example.org", "example.org", "https://"])
def test_a_site_url_that_is_not_a_web_address_is_refused(site_url):
    """The format accepts http:// and https:// links (the lens format guide); anything else is refused."""
    with pytest.raises(ValueError, match="https:// or http://"):
        custom_lens(content(), site_url=site_url)


def test_the_lens_is_named_after_the_playbook_and_its_version():
    lens = core_lens()
    assert lens["schemaVersion"] == "2021-11-01"
    assert lens["name"] == "MLOps Maturity Playbook 2027.1"
    assert "version 2027.1" in lens["description"]


def test_each_question_offers_one_choice_per_level_and_no_none_of_these():
    for question in questions(full_lens()):
        assert [c["id"] for c in question["choices"]] == ["level_0", "level_1", "level_2", "level_3", "level_4"]


def test_choice_titles_start_with_the_level_and_keep_the_whole_statement_in_the_helpful_resource():
    question = next(q for q in questions(core_lens()) if q["id"] == "model_endpoint_access_control")
    statement = practice("model-endpoint-access-control").options[2]
    choice = question["choices"][2]
    assert choice["title"].startswith("2 Repeatable: Every model endpoint requires")
    assert choice["title"].endswith("…") and len(choice["title"]) <= 128
    assert choice["helpfulResource"]["displayText"] == f"Repeatable (2): {statement}"


def test_every_choice_links_to_its_practice_guidance():
    guidance_owner = {g.slug: c.slug for c in content().challenges for g in c.guidance}
    for question, source in zip(questions(full_lens()), content().practices, strict=True):
        section = source.guidance[0]
        expected = SITE + guidance_url("2027.1", guidance_owner[section], section)
        for choice in question["choices"]:
            assert choice["improvementPlan"]["url"] == expected
            assert choice["helpfulResource"]["url"] == expected


def test_a_guidance_link_is_the_versioned_challenge_page_and_section():
    question = next(q for q in questions(core_lens()) if q["id"] == "model_endpoint_access_control")
    assert question["choices"][0]["improvementPlan"]["url"] == (
        "https://maturity.example.org/playbook/2027.1/security-practice/#model-endpoint-access-control"
    )


def test_a_trailing_slash_on_the_site_url_does_not_double_up():
    lens = custom_lens(content(), site_url=SITE + "/")
    assert lens == core_lens()


def test_the_improvement_plan_of_a_level_is_the_step_that_reaches_it():
    source = practice("model-endpoint-access-control")
    question = next(q for q in questions(core_lens()) if q["id"] == "model_endpoint_access_control")
    for level in (1, 2, 3, 4):
        plan = question["choices"][level]["improvementPlan"]["displayText"]
        assert source.next_steps[level - 1].text in plan


def test_critical_practices_are_high_risk_at_initial_or_below_and_medium_at_repeatable():
    critical = {p.slug.replace("-", "_") for p in content().practices if p.is_critical}
    assert critical
    for question in questions(full_lens()):
        if question["id"] in critical:
            assert question["riskRules"] == [
                {"condition": "level_0 || level_1", "risk": "HIGH_RISK"},
                {"condition": "level_2", "risk": "MEDIUM_RISK"},
                {"condition": "default", "risk": "NO_RISK"},
            ]


def test_other_practices_carry_only_the_default_rule_the_format_requires():
    critical = {p.slug.replace("-", "_") for p in content().practices if p.is_critical}
    for question in questions(full_lens()):
        if question["id"] not in critical:
            assert question["riskRules"] == [{"condition": "default", "risk": "NO_RISK"}]


def test_the_full_lens_file_is_compact_and_under_the_size_limit():
    lens = full_lens()
    text = lens_json(lens)
    assert json.loads(text) == lens
    assert "\n" not in text and '": ' not in text
    assert len(text.encode("utf-8")) == lens_size(lens) < MAX_LENS_BYTES


def test_shorten_cuts_at_a_word_boundary_with_an_ellipsis():
    assert shorten("one two  three\nfour", 100) == "one two three four"
    assert shorten("one two three four", 12) == "one two…"
    assert shorten("abcdefghij", 5) == "abcd…"


# Each case breaks one documented limit of a valid lens and gives (part of) the sentence lens_problems must write.


def _pillar(lens, index=0):
    return lens["pillars"][index]


def _question(lens):
    return lens["pillars"][0]["questions"][0]


def _choice(lens, index=0):
    return _question(lens)["choices"][index]


def _copies(item: dict, count: int, prefix: str) -> list[dict]:
    """`count` copies of a pillar or question with ids of their own (and, for pillars, their questions' too)."""
    copies = []
    for number in range(count):
        clone = copy.deepcopy(item)
        clone["id"] = f"{prefix}_{number}"
        for question in clone.get("questions", []):
            question["id"] = f"{prefix}_{number}_{question['id']}"
        copies.append(clone)
    return copies


def _set(path_of, key, value):
    def change(lens):
        path_of(lens)[key] = value

    return change


def _drop(path_of, key):
    def change(lens):
        del path_of(lens)[key]

    return change


def _oversize(lens):
    for question in questions(lens):
        for choice in question["choices"]:
            choice["helpfulResource"]["displayText"] = "x" * 1024
            choice["improvementPlan"]["displayText"] = "y" * 1024


BROKEN = {
    "schema version": (_set(lambda lens: lens, "schemaVersion", "2020-01-01"), "schemaVersion is '2020-01-01'"),
    "lens name missing": (_drop(lambda lens: lens, "name"), "The lens has no name"),
    "lens name length": (_set(lambda lens: lens, "name", "n" * 129), "The lens has a name of 129 characters"),
    "lens description length": (
        _set(lambda lens: lens, "description", "d" * 1025),
        "The lens has a description of 1025 characters; at most 1024",
    ),
    "no pillars": (_set(lambda lens: lens, "pillars", []), "The lens has no pillars"),
    "pillars per lens": (
        lambda lens: lens["pillars"].extend(_copies(_pillar(lens), 6, "extra")),
        "The lens has 11 pillars; at most 10",
    ),
    "pillar id pattern": (_set(_pillar, "id", "user-engagement"), "has id 'user-engagement'; ids are 3-64"),
    "pillar id too short": (_set(_pillar, "id", "ab"), "has id 'ab'; ids are 3-64"),
    "pillar id too long": (_set(_pillar, "id", "p" * 65), "ids are 3-64 letters, digits or underscores"),
    "pillar id unique": (
        _set(lambda lens: _pillar(lens, 1), "id", "user_engagement"),
        "Pillar 'user_engagement' repeats id 'user_engagement'",
    ),
    "pillar name length": (_set(_pillar, "name", "n" * 129), "Pillar 'user_engagement' has a name of 129 characters"),
    "pillar without questions": (_set(_pillar, "questions", []), "Pillar 'user_engagement' has no questions"),
    "questions per pillar": (
        lambda lens: _pillar(lens)["questions"].extend(_copies(_question(lens), 14, "extra")),
        "Pillar 'user_engagement' has 21 questions; at most 20",
    ),
    "question id pattern": (_set(_question, "id", "q 1"), "has id 'q 1'; ids are 3-128"),
    "question id length": (_set(_question, "id", "q" * 129), "ids are 3-128 letters"),
    "question id unique": (
        _set(lambda lens: _pillar(lens, 1)["questions"][0], "id", "users_shape_the_problem"),
        "question 'users_shape_the_problem' repeats id 'users_shape_the_problem'; ids must be unique in the lens",
    ),
    "question title missing": (_drop(_question, "title"), "question 'users_shape_the_problem' has no title"),
    "question title length": (_set(_question, "title", "t" * 129), "has a title of 129 characters; at most 128"),
    "question description length": (
        _set(_question, "description", "d" * 2049),
        "has a description of 2049 characters; at most 2048",
    ),
    "question resource text length": (
        lambda lens: _question(lens)["helpfulResource"].update(displayText="h" * 2049),
        "its helpfulResource has a displayText of 2049 characters",
    ),
    "question resource url scheme": (
        lambda lens: _question(lens)["helpfulResource"].update(url="ftp://example.org/x"),
        "its helpfulResource has url 'ftp://example.org/x'; it must start with https:// or http://",
    ),
    "resource text needed with a url": (
        lambda lens: _question(lens)["helpfulResource"].pop("displayText"),
        "its helpfulResource has no displayText",
    ),
    "question without choices": (_set(_question, "choices", []), "has no choices"),
    "choices per question": (
        lambda lens: _question(lens)["choices"].extend(
            {**copy.deepcopy(_choice(lens)), "id": f"extra_{n}"} for n in range(11)
        ),
        "has 16 choices; at most 15 are allowed, 'None of these' included",
    ),
    "choice id pattern": (_set(_choice, "id", "level-0"), "has id 'level-0'; ids are 3-64"),
    "choice id length": (_set(_choice, "id", "c" * 65), "ids are 3-64 letters"),
    "choice id unique": (
        _set(lambda lens: _choice(lens, 1), "id", "level_0"),
        "choice 'level_0' repeats id 'level_0'; ids must be unique in its question",
    ),
    "choice title length": (_set(_choice, "title", "t" * 129), "choice 'level_0' has a title of 129 characters"),
    "choice resource text length": (
        lambda lens: _choice(lens)["helpfulResource"].update(displayText="h" * 1025),
        "choice 'level_0': its helpfulResource has a displayText of 1025 characters; at most 1024",
    ),
    "improvement plan required": (_drop(_choice, "improvementPlan"), "choice 'level_0' has no improvementPlan"),
    "improvement plan text required": (
        lambda lens: _choice(lens)["improvementPlan"].update(displayText=""),
        "choice 'level_0': its improvementPlan has no displayText",
    ),
    "improvement plan text length": (
        lambda lens: _choice(lens)["improvementPlan"].update(displayText="p" * 1025),
        "its improvementPlan has a displayText of 1025 characters",
    ),
    "improvement plan url scheme": (
        lambda lens: _choice(lens)["improvementPlan"].update(url="javascript:alert(1)"),
        "its improvementPlan has url 'javascript:alert(1)'",
    ),
    "url length": (
        lambda lens: _choice(lens)["improvementPlan"].update(url="https://example.org/" + "u" * 1005),
        "its improvementPlan has a url of 1025 characters; at most 1024",
    ),
    "additional resource type": (
        _set(_choice, "additionalResources", [{"type": "VIDEO", "content": []}]),
        "an additional resource has type 'VIDEO'",
    ),
    "additional resources per type": (
        _set(
            _choice,
            "additionalResources",
            [{"type": "HELPFUL_RESOURCE", "content": [{"displayText": "more", "url": "https://example.org"}] * 6}],
        ),
        "its HELPFUL_RESOURCE additional resources must be a list of at most 5",
    ),
    "risk rules required": (_drop(_question, "riskRules"), "has no riskRules"),
    "default rule required": (
        _set(_question, "riskRules", [{"condition": "level_0", "risk": "HIGH_RISK"}]),
        "has 0 'default' risk rules; it needs exactly one",
    ),
    "default rule last": (
        _set(
            _question,
            "riskRules",
            [{"condition": "default", "risk": "NO_RISK"}, {"condition": "level_0", "risk": "HIGH_RISK"}],
        ),
        "has its 'default' risk rule before others",
    ),
    "risk rules per question": (
        _set(
            _question,
            "riskRules",
            [
                {"condition": "level_0", "risk": "HIGH_RISK"},
                {"condition": "level_1", "risk": "MEDIUM_RISK"},
                {"condition": "level_2", "risk": "NO_RISK"},
                {"condition": "default", "risk": "NO_RISK"},
            ],
        ),
        # Four rules over three risks necessarily repeat one.
        ("has 4 risk rules; at most 3", "has two risk rules for the same risk"),
    ),
    "risk value": (
        _set(_question, "riskRules", [{"condition": "default", "risk": "LOW_RISK"}]),
        "has a risk rule with risk 'LOW_RISK'",
    ),
    "one rule per risk": (
        _set(
            _question,
            "riskRules",
            [{"condition": "level_0", "risk": "NO_RISK"}, {"condition": "default", "risk": "NO_RISK"}],
        ),
        "has two risk rules for the same risk",
    ),
    "condition names a choice of the question": (
        _set(
            _question,
            "riskRules",
            [{"condition": "level_0 || level_9", "risk": "HIGH_RISK"}, {"condition": "default", "risk": "NO_RISK"}],
        ),
        "risk condition 'level_0 || level_9' names 'level_9', which is not a choice of the question",
    ),
    "condition syntax": (
        _set(
            _question,
            "riskRules",
            [{"condition": "(level_0 && ) level_1", "risk": "HIGH_RISK"}, {"condition": "default", "risk": "NO_RISK"}],
        ),
        "risk condition '(level_0 && ) level_1' is not a Boolean expression",
    ),
    "condition characters": (
        _set(
            _question,
            "riskRules",
            [{"condition": "level_0 & level_1", "risk": "HIGH_RISK"}, {"condition": "default", "risk": "NO_RISK"}],
        ),
        "risk condition 'level_0 & level_1' has an unexpected character at position 9",
    ),
}


@pytest.mark.parametrize(("change", "expected"), BROKEN.values(), ids=BROKEN.keys())
def test_lens_problems_names_each_broken_limit(change, expected):
    lens = core_lens()
    change(lens)
    expected = (expected,) if isinstance(expected, str) else expected
    problems = lens_problems(lens)
    assert len(problems) == len(expected), problems
    for fragment, problem in zip(expected, problems, strict=True):
        assert fragment in problem


def test_lens_problems_names_a_lens_over_the_size_limit():
    lens = full_lens()
    _oversize(lens)
    problems = lens_problems(lens)
    assert len(problems) == 1, problems
    assert problems[0].startswith("The lens is ") and "at most 500,000" in problems[0]


def test_lens_problems_names_the_pillar_question_and_choice():
    lens = core_lens()
    _choice(lens)["title"] = ""
    assert lens_problems(lens) == [
        "Pillar 'user_engagement', question 'users_shape_the_problem', choice 'level_0' has no title; "
        "it needs one of at most 128 characters."
    ]


def test_a_none_of_these_choice_needs_no_improvement_plan():
    lens = core_lens()
    _question(lens)["choices"].append({"id": "level_none_no", "title": "None of these"})
    assert lens_problems(lens) == []


@pytest.mark.parametrize(
    "condition", ["level_0", "!level_4", "level_0 && level_1", "((level_0 || level_1) && !level_2) || level_3"]
)
def test_documented_condition_forms_are_accepted(condition):
    lens = core_lens()
    rules = [{"condition": condition, "risk": "HIGH_RISK"}, {"condition": "default", "risk": "NO_RISK"}]
    _question(lens)["riskRules"] = rules
    assert lens_problems(lens) == []


def test_the_risk_rules_follow_the_playbook_scoring_rules():
    scoring = dataclasses.replace(content().scoring, critical_at_or_below=0)
    lens = custom_lens(dataclasses.replace(content(), scoring=scoring), site_url=SITE)
    question = next(q for q in questions(lens) if q["id"] == "model_endpoint_access_control")
    assert question["riskRules"] == [
        {"condition": "level_0", "risk": "HIGH_RISK"},
        {"condition": "level_1 || level_2", "risk": "MEDIUM_RISK"},
        {"condition": "default", "risk": "NO_RISK"},
    ]


@pytest.mark.django_db
def test_the_coverage_page_offers_the_lens_and_the_download_passes_the_documented_limits(client, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    page = client.get(reverse("playbook:coverage", args=["2027.1"])).text
    assert "With every module" in page
    core = client.get(reverse("playbook:aws_lens", args=["2027.1"]))
    assert core["Content-Disposition"].endswith('-aws-lens.json"')
    lens = json.loads(core.content)
    assert lens_problems(lens) == [] and len(lens["pillars"]) == 5
    modules = ",".join(
        c.slug for c in read_playbook(settings.PLAYBOOK_CONTENT_DIR / "2027.1").challenges if c.is_module
    )
    full = json.loads(client.get(reverse("playbook:aws_lens", args=["2027.1"]), {"modules": modules}).content)
    assert lens_problems(full) == [] and len(full["pillars"]) == 10
    assert full["pillars"][0]["questions"][0]["choices"][0]["helpfulResource"]["url"].startswith(settings.SITE_URL)
    refused = client.get(reverse("playbook:aws_lens", args=["2027.1"]), {"modules": "no-such-module"})
    assert refused.status_code == 400 and "no-such-module" in refused.text
