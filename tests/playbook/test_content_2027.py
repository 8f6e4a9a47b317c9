"""The level statements a review found broken in 2026.1, each checked on 2026.1 (broken) and 2027.1 (fixed).

Published versions never change, so each check must fail on the old content: that is what shows it tests the fix.
"""

from functools import cache

import pytest
from django.conf import settings

from playbook.content_files import read_playbook


@cache
def version(name: str):
    return read_playbook(settings.PLAYBOOK_CONTENT_DIR / name)


def options(name: str, slug: str) -> tuple[str, ...]:
    return next(p for p in version(name).practices if p.slug == slug).options


def code_review_level_3_adds_more_than_level_2(name):
    level_2, level_3 = options(name, "data-science-code-review")[2:4]
    # Level 2 asks for review of every change; level 3 must ask for something new, such as enforcing it.
    return "refuses to merge" in level_3 and "refuses" not in level_2


def walking_skeleton_is_reachable_today_and_about_this_product(name):
    level_3, level_4 = options(name, "walking-skeleton-first")[3:5]
    return "since the first release" not in level_3 and "across teams" not in level_4 and "product" in level_4


def training_serving_levels_0_and_1_are_exclusive_and_ordered(name):
    level_0, level_1 = options(name, "training-serving-consistency")[:2]
    # Level 1 must describe something a team does that level 0 does not; 2026.1's level 1 was another "nobody".
    return not level_1.startswith("Nobody") and "Nobody" in level_0


def network_location_is_not_authentication(name):
    level_0, _, level_2 = options(name, "model-endpoint-access-control")[:3]
    counts_private_network = "private networking)" in level_2 or "or private networking" in level_2
    return not counts_private_network and "does not count as authentication" in level_0


def consumer_contract_level_4_is_something_the_team_does(name):
    return "without consumer incidents" not in options(name, "consumer-output-contract")[4]


def reproducible_execution_level_1_is_not_defined_by_an_absence(name):
    return "without version pins" not in options(name, "reproducible-execution")[1]


def notebooks_level_4_leaves_no_notebook_in_production(name):
    return "exceptions register is empty" in options(name, "notebooks-out-of-production")[4]


def each_piece_of_evidence_is_scored_in_one_practice(name):
    return (
        "override" not in options(name, "explainable-actionable-outputs")[4]
        and "hurdle" not in options(name, "non-ml-baseline-first")[3]
        and "relative to the baseline" not in options(name, "realistic-acceptance-criteria")[2]
        and "retirement plan" not in options(name, "ml-stop-criteria")[3]
    )


def exposed_ml_tooling_is_assessed(name):
    practice = next((p for p in version(name).practices if p.slug == "ml-tooling-exposure"), None)
    statements = " ".join([practice.question, *practice.options]).lower() if practice else ""
    return bool(practice) and practice.is_critical and "notebook server" in statements and "registr" in statements


def critical_follows_the_written_rule(name):
    playbook = version(name)
    critical = {p.slug for p in playbook.practices if p.is_critical}
    rule = "expose people, money or data to harm that no other practice can offset"
    return rule in " ".join(playbook.scoring_method.split()) and "walking-skeleton-first" not in critical


CHECKS = [
    code_review_level_3_adds_more_than_level_2,
    walking_skeleton_is_reachable_today_and_about_this_product,
    training_serving_levels_0_and_1_are_exclusive_and_ordered,
    network_location_is_not_authentication,
    consumer_contract_level_4_is_something_the_team_does,
    reproducible_execution_level_1_is_not_defined_by_an_absence,
    notebooks_level_4_leaves_no_notebook_in_production,
    each_piece_of_evidence_is_scored_in_one_practice,
    exposed_ml_tooling_is_assessed,
    critical_follows_the_written_rule,
]


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_the_2027_1_content_fixes_what_2026_1_got_wrong(check):
    assert not check("2026.1")
    assert check("2027.1")


def test_core_statements_speak_of_the_product_and_only_organisation_practices_of_the_organisation():
    for practice in version("2027.1").practices:
        text = " ".join([practice.question, *practice.options])
        if not practice.is_organisation_wide:
            assert "across teams" not in text and "your team" not in text.lower(), practice.slug


def test_the_2027_1_playbook_has_the_modules_and_framework_coverage_it_promises():
    playbook = version("2027.1")
    assert sum(1 for c in playbook.challenges if c.is_module) == 5
    assert len(playbook.practices) >= 65
    assert all(6 <= len(c.practices) <= 8 for c in playbook.challenges)
    coverage = {framework.key: (covered, out) for framework, covered, out in playbook.coverage()}
    ml_test_score = next(f for f in playbook.frameworks if f.key == "ml-test-score")
    covered, out = coverage["ml-test-score"]
    assert covered >= 26 and covered + out == len(ml_test_score.items) == 28 and out <= 2
    for framework in playbook.frameworks:
        covered, out = coverage[framework.key]
        assert covered + out == len(framework.items), framework.key
    assert coverage["microsoft-mlops"][1] == coverage["google-mlops"][1] == 0


def test_the_published_list_of_changes_gives_each_changed_statement_before_and_after():
    from playbook.content_changes import describe_changes

    text = describe_changes(version("2026.1"), version("2027.1"))
    before, after = (
        options("2026.1", "model-endpoint-access-control")[2],
        options("2027.1", "model-endpoint-access-control")[2],
    )
    section = text.split("### `model-endpoint-access-control`", 1)[1].split("###", 1)[0]
    assert f"  - before: {before}\n  - after: {after}" in section
    assert "### `ml-tooling-exposure`: new" in text
    committed = settings.BASE_DIR / "docs" / "playbook" / "2027.1-changes.md"
    assert committed.read_text() == text, "regenerate with: manage.py load_playbook --changes 2027.1"
