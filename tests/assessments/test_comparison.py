"""Comparing assessments, without a database."""

from assessments.comparison import (
    ActionRecord,
    Change,
    PracticeLevel,
    action_outcomes,
    compare_practices,
)


def level(slug, value):
    return PracticeLevel(slug, slug.title(), "Challenge", value)


def test_rises_and_falls_are_improvements_and_regressions():
    deltas = compare_practices(
        [level("a", 1), level("b", 3), level("c", 2)], [level("a", 3), level("b", 2), level("c", 2)]
    )
    assert [(d.slug, d.change) for d in deltas] == [
        ("a", Change.IMPROVED),
        ("b", Change.REGRESSED),
        ("c", Change.UNCHANGED),
    ]


def test_practices_matched_by_slug_across_playbook_versions():
    deltas = compare_practices([level("kept", 1), level("retired", 2)], [level("kept", 2), level("new", 0)])
    assert {d.slug: d.change for d in deltas} == {
        "kept": Change.IMPROVED,
        "new": Change.ADDED,
        "retired": Change.REMOVED,
    }


def test_an_unanswered_practice_neither_improves_nor_regresses():
    [delta] = compare_practices([level("a", None)], [level("a", 3)])
    assert delta.change == Change.UNCHANGED


def test_an_action_moved_its_practice_when_the_level_rose_above_its_start():
    done = ActionRecord("Fix it", "a", 1, "done", "Done")
    stuck = ActionRecord("Fix that", "b", 2, "done", "Done")
    unanswered = ActionRecord("And this", "c", 0, "todo", "To do")
    outcomes = action_outcomes([done, stuck, unanswered], {"a": 2, "b": 2})
    assert [o.moved for o in outcomes] == [True, False, False]
    assert outcomes[2].level_now is None
