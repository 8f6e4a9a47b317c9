"""Reading an assessment document against an outlined playbook version: no database."""

import json

import pytest

from assessments.portable import (
    FORMAT,
    FORMAT_VERSION,
    MAX_DOCUMENT_BYTES,
    DocumentRefused,
    PlannedAction,
    PlannedAnswer,
    PracticeOutline,
    VersionOutline,
    problem_summary,
    read_document,
)

LEVELS = frozenset(range(5))
OUTLINE = VersionOutline(
    version="2027.1",
    top_level=4,
    challenges={"security": False, "generative-ai": True, "monitoring": True},
    practices={
        "access-control": PracticeOutline("access-control", "security", LEVELS, False, False),
        "endpoint-auth": PracticeOutline("endpoint-auth", "security", LEVELS, True, True),  # critical, with a rule
        "red-teaming": PracticeOutline("red-teaming", "security", LEVELS, False, True),
        "prompt-versioning": PracticeOutline("prompt-versioning", "generative-ai", LEVELS, False, False),
        "drift-alerts": PracticeOutline("drift-alerts", "monitoring", LEVELS, False, False),
    },
)
VERSIONS = {"2026.1": OUTLINE, "2027.1": OUTLINE}


def document(**changes) -> dict:
    base = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "source": {"site_url": "https://assess.example.com", "team": "Fraud"},
        "playbook_version": "2027.1",
        "assessment": {"title": "Q3 review", "subject": "Card fraud scoring", "modules": ["generative-ai"]},
        "targets": {"security": 3},
        "answers": [
            {"practice": "access-control", "level": 2, "notes": "Reviewed in June."},
            {"practice": "red-teaming", "level": None, "not_applicable": {"reason": "other", "detail": "No users"}},
            {"practice": "prompt-versioning", "level": 1, "answered_by": "someone-elsewhere"},
        ],
        "actions": [
            {
                "practice": "access-control",
                "title": "Access control: review roles",
                "from_level": 2,
                "status": "doing",
                "due_date": "2026-09-30",
                "owner": "someone-elsewhere",
            }
        ],
    }
    return base | changes


def read(data: dict | bytes, versions=VERSIONS, title=""):
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return read_document(raw, versions, title=title)


def problems_of(data: dict | bytes, versions=VERSIONS) -> tuple[str, ...]:
    with pytest.raises(DocumentRefused) as refused:
        read(data, versions)
    return refused.value.problems


def with_answer(answer: dict) -> dict:
    return document(answers=[answer])


def test_a_valid_document_reads_as_everything_the_team_entered():
    plan = read(document())
    assert (plan.playbook_version, plan.title, plan.subject, plan.modules) == (
        "2027.1",
        "Q3 review",
        "Card fraud scoring",
        ("generative-ai",),
    )
    assert plan.answers == (
        PlannedAnswer("access-control", 2, notes="Reviewed in June."),
        PlannedAnswer("red-teaming", None, "other", "No users"),
        PlannedAnswer("prompt-versioning", 1),
    )
    assert plan.targets == {"security": 3}
    assert plan.actions == (
        PlannedAction(
            "access-control", "security", "Access control: review roles", 2, "doing", plan.actions[0].due_date
        ),
    )
    assert plan.actions[0].due_date.isoformat() == "2026-09-30"
    assert plan.source == "https://assess.example.com, Fraud"


def test_a_playbook_version_not_loaded_here_is_refused_naming_it_and_the_loaded_ones():
    assert problems_of(document(playbook_version="2099.1")) == (
        "Playbook version 2099.1 is not loaded here (loaded: 2026.1, 2027.1). "
        "An administrator can load it with `manage.py load_playbook` from its content files.",
    )


def test_a_file_that_is_not_json_is_refused_saying_where_it_breaks():
    assert problems_of(b'{"format": "mlops-assessment",\n  "answers": [}') == (
        "The file is not valid JSON: Expecting value at line 2, column 15.",
    )


@pytest.mark.parametrize(
    "raw",
    [b"\xff\xfe{}", b'{"format": NaN}', b"[" * 100_000 + b"]" * 100_000, b"[1, 2]"],
    ids=["not utf-8", "NaN", "nested too deep", "a list"],
)
def test_a_file_that_is_not_a_json_object_is_refused(raw):
    assert len(problems_of(raw)) == 1


def test_a_byte_order_mark_is_fine():
    assert read(b"\xef\xbb\xbf" + json.dumps(document()).encode()).title == "Q3 review"


def test_another_format_is_refused():
    assert problems_of(document(format="something-else")) == (
        'This is not an assessment document: its "format" should be "mlops-assessment".',
    )


def test_the_results_export_is_recognised_and_the_right_download_named():
    [problem] = problems_of({"schema": "mlops-maturity-assessment/2.0", "assessment": {}})
    assert problem.startswith("This is a results export") and "Export for another installation" in problem


def test_a_newer_format_version_is_refused_naming_both_versions():
    assert problems_of(document(format_version=2)) == (
        "The document is in format version 2; this installation reads version 1.",
    )


def test_an_unknown_practice_is_refused_naming_the_answer_and_the_version():
    assert problems_of(with_answer({"practice": "foo", "level": 1})) == (
        "Answer 1 names practice 'foo', which playbook version 2027.1 does not have.",
    )


@pytest.mark.parametrize("level", [5, -1, "2", True, 2.0])
def test_a_level_the_practice_does_not_have_is_refused(level):
    [problem] = problems_of(with_answer({"practice": "access-control", "level": level}))
    assert problem.startswith("Answer 1 gives level ") and problem.endswith("whose levels are 0 to 4.")


def test_an_answer_outside_the_scope_is_refused_naming_the_module():
    assert problems_of(with_answer({"practice": "drift-alerts", "level": 1})) == (
        "Answer 1 names practice 'drift-alerts' of module 'monitoring', which the assessment's scope does not include.",
    )


def test_a_module_the_version_does_not_have_is_refused_listing_its_modules():
    data = document(assessment={"title": "Q3", "modules": ["quantum"]}, answers=[], actions=[], targets={})
    assert problems_of(data) == (
        "Module 'quantum' is not a module of playbook version 2027.1 (its modules: generative-ai, monitoring).",
    )


def test_not_applicable_follows_the_questionnaires_rules():
    no_rule = {"practice": "access-control", "not_applicable": {"reason": "out_of_scope"}}
    no_detail = {"practice": "red-teaming", "not_applicable": {"reason": "other", "detail": " "}}
    unknown = {"practice": "endpoint-auth", "not_applicable": {"reason": "bored"}}
    assert problems_of(document(answers=[no_rule, no_detail, unknown])) == (
        "Answer 1 (practice 'access-control'): This practice cannot be not applicable.",
        "Answer 2 (practice 'red-teaming'): Describe the other reason.",
        'Answer 3 gives the not-applicable reason "bored"; the reasons are playbook_rule, out_of_scope, '
        "business_priority, architecture, other.",
    )


def test_a_general_reason_on_a_critical_practice_is_kept_as_the_source_holds_it_to_review():
    plan = read(with_answer({"practice": "endpoint-auth", "not_applicable": {"reason": "business_priority"}}))
    assert plan.answers == (PlannedAnswer("endpoint-auth", None, "business_priority"),)


def test_a_level_and_not_applicable_together_are_refused():
    answer = {"practice": "red-teaming", "level": 2, "not_applicable": {"reason": "out_of_scope"}}
    assert problems_of(with_answer(answer)) == (
        "Answer 1 gives both a level and 'not applicable' for practice 'red-teaming'.",
    )


def test_a_suggestion_to_confirm_keeps_its_suggested_level_and_the_earlier_wording_known_keys_only():
    carried = {
        "assessment": "Spring",
        "version": "2026.1",
        "answers": [{"slug": "old", "title": "Old", "level": 3, "statement": "Was so", "script": "<x>"}],
        "extra": "dropped",
    }
    plan = read(
        with_answer({"practice": "access-control", "to_confirm": True, "suggested_level": 3, "carried_from": carried})
    )
    [answer] = plan.answers
    assert (answer.level, answer.to_confirm, answer.suggested_level) == (None, True, 3)
    assert answer.carried_from == {
        "assessment": "Spring",
        "version": "2026.1",
        "answers": [
            {
                "slug": "old",
                "title": "Old",
                "statement": "Was so",
                "not_applicable_reason": "",
                "not_applicable_detail": "",
                "notes": "",
                "level": 3,
            }
        ],
    }


def test_the_same_practice_answered_twice_is_refused():
    answers = [{"practice": "access-control", "level": 1}, {"practice": "access-control", "level": 2}]
    assert problems_of(document(answers=answers)) == ("Answers 1 and 2 are both for practice 'access-control'.",)


def test_more_answers_than_the_version_has_practices_are_refused_before_reading_them():
    answers = [{"practice": "access-control", "level": 1}] * 6
    assert problems_of(document(answers=answers)) == (
        "The document has 6 answers; playbook version 2027.1 has 5 practices.",
    )


def test_a_file_over_the_limit_is_refused_unread():
    raw = json.dumps(document(padding="x" * MAX_DOCUMENT_BYTES)).encode()
    assert problems_of(raw) == ("The file is over 1024 KB, too large for an assessment.",)


def test_notes_longer_than_the_questionnaire_allows_are_refused():
    [problem] = problems_of(with_answer({"practice": "access-control", "level": 1, "notes": "n" * 2001}))
    assert problem == "Answer 1's notes: 2001 characters, at most 2000 fit."


def test_targets_must_be_levels_of_challenges_in_scope():
    assert problems_of(document(targets={"security": 7, "monitoring": 2})) == (
        "The target for 'security' should be a level from 0 to 4.",
        "A target names challenge 'monitoring', which the assessment's scope does not include.",
    )


def test_an_action_with_an_unknown_status_or_a_bad_date_is_refused():
    action = {"practice": "access-control", "title": "T", "from_level": 2, "status": "someday", "due_date": "30/09"}
    assert problems_of(document(actions=[action])) == (
        'Action 1 has status "someday"; the statuses are todo, doing, done, wont_do.',
        "Action 1: the due date should be a date as YYYY-MM-DD, or null.",
    )


def test_every_problem_is_reported_at_once():
    data = document(
        assessment={"title": "", "modules": []},
        answers=[{"practice": "foo"}, {"practice": "access-control", "level": 9}],
    )
    assert problems_of(data) == (
        "The title is empty.",
        "Answer 1 names practice 'foo', which playbook version 2027.1 does not have.",
        "Answer 2 gives level 9 for practice 'access-control', whose levels are 0 to 4.",
    )


def test_a_long_list_of_problems_is_cut_with_a_count():
    assert problem_summary([f"p{n}" for n in range(25)], shown=20)[-2:] == ["p19", "…and 5 more."]
    assert problem_summary(["one"]) == ["one"]


def test_a_title_given_on_the_import_page_stands_in_for_the_documents_even_an_empty_one():
    data = document(assessment={"title": "", "modules": ["generative-ai"]})
    assert read(data, title="Moved review").title == "Moved review"
