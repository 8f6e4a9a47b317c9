"""The ML Test Score estimate from a team's answers, on hand-built cases without a database."""

from assessments.framework_scores import ItemCoverage, estimate_framework, estimate_item

SECTIONS = [("data", "Data"), ("monitoring", "Monitoring")]
RULE = {"manual_at_or_above": 2, "automated_at_or_above": 3}


def test_the_lowest_covering_level_decides_between_manual_and_automated():
    test = ItemCoverage("data-1", "data", "Schema", ("a", "b"))
    assert estimate_item(test, {"a": 3, "b": 4}, {"a", "b"}, **RULE).points == 1.0
    assert estimate_item(test, {"a": 3, "b": 2}, {"a", "b"}, **RULE).points == 0.5
    assert estimate_item(test, {"a": 1, "b": 4}, {"a", "b"}, **RULE).points == 0.0


def test_practices_out_of_scope_or_without_a_level_leave_a_test_not_assessed():
    test = ItemCoverage("monitoring-1", "monitoring", "Alerts", ("m",))
    out = estimate_item(test, {"m": 4}, set(), **RULE)
    unanswered = estimate_item(test, {"m": None}, {"m"}, **RULE)
    assert (out.points, out.reason) == (None, "not in this assessment's scope")
    assert (unanswered.points, unanswered.reason) == (None, "its practices have no level yet")


def test_the_final_score_is_the_weakest_section_and_tests_not_assessed_count_nothing():
    tests = [
        ItemCoverage("data-1", "data", "Schema", ("a",)),
        ItemCoverage("data-2", "data", "Features", ("b",)),
        ItemCoverage("monitoring-1", "monitoring", "Alerts", ("m",)),
    ]
    estimate = estimate_framework(tests, SECTIONS, {"a": 3, "b": 2}, {"a", "b"}, **RULE)
    assert [(s.key, s.points, s.assessed, s.total) for s in estimate.sections] == [
        ("data", 1.5, 2, 2),
        ("monitoring", 0, 0, 1),
    ]
    # Leaving the monitoring module out cannot make the estimate look better than the data section alone.
    assert estimate.final == 0 and estimate.partial
    assert [t.key for t in estimate.not_assessed] == ["monitoring-1"]
