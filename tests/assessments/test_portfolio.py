"""The portfolio's aggregates: plain data in, plain data out, no database."""

from datetime import date, datetime

import pytest

from assessments.planning import PlanItem
from assessments.portfolio import (
    ChallengeLevel,
    FlaggedPractice,
    Quarter,
    SubmittedLevels,
    TeamFilter,
    TeamRow,
    build_portfolio,
    challenge_columns,
    common_plan_items,
    filter_choices,
    filter_teams,
    last_quarters,
    latest_submissions,
    level_distribution,
    median_text,
    open_flags,
    quarterly_medians,
    submissions_to_score,
)
from playbook.rules import NextStep

TODAY = date(2026, 6, 15)  # in 2026 Q2
A = TeamRow(1, "Alpha", business_unit="Retail", product_area="Payments", tags=("regulated", "cloud"))
B = TeamRow(2, "Bravo", business_unit="Retail", product_area="Lending", tags=("cloud",))
C = TeamRow(3, "Charlie", business_unit="Wholesale", product_area="Payments")
TEAMS = (A, B, C)


def challenge(slug="security", level=2, *, order=3, is_module=False, flagged=()) -> ChallengeLevel:
    return ChallengeLevel(
        slug=slug,
        title=slug.replace("-", " ").capitalize(),
        order=order,
        is_module=is_module,
        level=level,
        flagged=tuple(FlaggedPractice(s, s.capitalize()) for s in flagged),
    )


def submitted(team: TeamRow, on: date, *challenges: ChallengeLevel, assessment_id: int | None = None):
    at = datetime(on.year, on.month, on.day, 12)
    return SubmittedLevels(team.team_id, assessment_id or team.team_id * 100 + on.toordinal() % 100, at, challenges)


def plan_item(practice: str, *, challenge_slug="security", flagged=False, anchor="") -> PlanItem:
    return PlanItem(
        challenge_slug=challenge_slug,
        practice_slug=practice,
        practice_title=practice.capitalize(),
        current_level=1,
        target_level=2,
        step=NextStep("Do it", "low", "high"),
        is_flagged=flagged,
        weight=2,
        guidance_anchor=anchor or f"/playbook/v/{challenge_slug}/#{practice}",
        guidance_title=f"Guide to {practice}",
    )


# Filters


def test_filters_that_are_set_must_all_match():
    assert filter_teams(TEAMS, TeamFilter(business_unit="Retail")) == (A, B)
    assert filter_teams(TEAMS, TeamFilter(business_unit="Retail", product_area="Payments")) == (A,)
    assert filter_teams(TEAMS, TeamFilter(tag="cloud", product_area="Lending")) == (B,)


def test_no_filter_keeps_every_team():
    assert filter_teams(TEAMS, TeamFilter()) == TEAMS
    assert not TeamFilter().is_active


def test_a_tag_matches_only_a_whole_tag():
    assert filter_teams(TEAMS, TeamFilter(tag="regul")) == ()


def test_filter_choices_are_the_distinct_values_in_alphabetical_order_without_blanks():
    choices = filter_choices((*TEAMS, TeamRow(4, "Delta")))
    assert choices.business_units == ("Retail", "Wholesale")
    assert choices.product_areas == ("Lending", "Payments")
    assert choices.tags == ("cloud", "regulated")


def test_a_filter_describes_itself_in_words():
    assert TeamFilter(business_unit="Retail", tag="cloud").described() == "business unit Retail, tag cloud"


# Quarters


def test_the_last_eight_quarters_end_with_todays_and_cross_years():
    quarters = last_quarters(TODAY)
    assert [q.label for q in quarters] == [
        "2024 Q3", "2024 Q4", "2025 Q1", "2025 Q2", "2025 Q3", "2025 Q4", "2026 Q1", "2026 Q2",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("quarter", "first", "last"),
    [
        (Quarter(2026, 1), date(2026, 1, 1), date(2026, 3, 31)),
        (Quarter(2024, 1), date(2024, 1, 1), date(2024, 3, 31)),
        (Quarter(2026, 2), date(2026, 4, 1), date(2026, 6, 30)),
        (Quarter(2025, 4), date(2025, 10, 1), date(2025, 12, 31)),
    ],
)
def test_a_quarter_runs_from_its_first_to_its_last_day(quarter, first, last):
    assert (quarter.first_day, quarter.last_day) == (first, last)


def test_the_first_day_of_a_quarter_is_in_that_quarter():
    assert last_quarters(date(2026, 4, 1))[-1] == Quarter(2026, 2)
    assert last_quarters(date(2026, 3, 31))[-1] == Quarter(2026, 1)


# Latest submissions


def test_a_teams_latest_submission_is_its_most_recent():
    old = submitted(A, date(2025, 1, 5), challenge(level=1))
    new = submitted(A, date(2026, 2, 1), challenge(level=3))
    assert latest_submissions([new, old]) == {A.team_id: new}


def test_only_the_assessments_the_portfolio_reads_are_scored():
    quarters = last_quarters(TODAY)
    history = [
        (A.team_id, 1, datetime(2023, 5, 1)),  # before the window: still the latest by its first quarter's end
        (A.team_id, 2, datetime(2024, 8, 1)),  # superseded in the same quarter
        (A.team_id, 3, datetime(2024, 9, 1)),
        (A.team_id, 4, datetime(2026, 5, 1)),
        (B.team_id, 5, datetime(2022, 1, 1)),  # superseded before the window
        (B.team_id, 6, datetime(2023, 1, 1)),
    ]
    assert submissions_to_score(history, quarters) == {3, 4, 6}


def test_a_team_whose_only_submission_predates_the_window_is_still_read():
    assert submissions_to_score([(A.team_id, 7, datetime(2020, 1, 1))], last_quarters(TODAY)) == {7}


def test_a_tie_in_submission_time_reads_the_larger_id_as_the_latest_does():
    at = datetime(2026, 5, 1, 12)
    assert submissions_to_score([(A.team_id, 9, at), (A.team_id, 8, at)], ()) == {9}
    assert (
        latest_submissions([submitted(A, at.date(), assessment_id=8), submitted(A, at.date(), assessment_id=9)])[
            A.team_id
        ].assessment_id
        == 9
    )


# Level distribution


def test_the_distribution_counts_teams_per_level_and_every_row_adds_up_to_the_teams():
    latest = latest_submissions(
        [
            submitted(A, date(2026, 1, 10), challenge(level=2)),
            submitted(B, date(2026, 2, 10), challenge(level=2)),
            submitted(C, date(2026, 3, 10), challenge(level=None)),
        ]
    )
    (row,) = level_distribution(TEAMS, latest, challenge_columns(latest.values()))
    assert row.by_level == (0, 0, 2, 0, 0)
    assert (row.no_level, row.not_assessed, row.total) == (1, 0, 3)


def test_a_team_without_a_submission_or_without_the_module_is_not_assessed():
    latest = latest_submissions(
        [
            submitted(A, date(2026, 1, 10), challenge(level=1), challenge("genai", 3, order=10, is_module=True)),
            submitted(B, date(2026, 1, 11), challenge(level=4)),
        ]
    )
    core, module = level_distribution(TEAMS, latest, challenge_columns(latest.values()))
    assert (core.by_level, core.not_assessed) == ((0, 1, 0, 0, 1), 1)
    assert (module.by_level, module.not_assessed) == ((0, 0, 0, 1, 0), 2)


def test_core_challenges_come_before_modules_and_take_the_newest_title():
    older = submitted(A, date(2025, 1, 1), ChallengeLevel("security", "Security (old)", 3, False, 1))
    newer = submitted(
        B,
        date(2026, 1, 1),
        ChallengeLevel("genai", "Generative AI", 1, True, 2),
        ChallengeLevel("security", "Security practice", 3, False, 2),
        ChallengeLevel("users", "User engagement", 1, False, 2),
    )
    columns = challenge_columns([older, newer])
    assert [(c.slug, c.title) for c in columns] == [
        ("users", "User engagement"),
        ("security", "Security practice"),
        ("genai", "Generative AI"),
    ]


def test_levels_run_to_the_playbooks_top_level():
    latest = latest_submissions([submitted(A, date(2026, 1, 10), challenge(level=5))])
    (row,) = level_distribution([A], latest, challenge_columns(latest.values()), top_level=5)
    assert row.by_level == (0, 0, 0, 0, 0, 1)


# Open high-risk flags


def test_flags_come_from_the_latest_submission_only():
    fixed = submitted(A, date(2025, 6, 1), challenge(level=1, flagged=("secrets",)))
    now_fine = submitted(A, date(2026, 1, 1), challenge(level=3))
    still = submitted(B, date(2026, 1, 1), challenge(level=1, flagged=("secrets", "patching")))
    flags = open_flags(TEAMS, latest_submissions([fixed, now_fine, still]))
    assert [(f.team, f.count) for f in flags] == [(B, 2)]
    assert [p.slug for p in flags[0].challenges[0].flagged] == ["secrets", "patching"]


def test_teams_with_the_most_flags_come_first_then_by_name():
    latest = latest_submissions(
        [
            submitted(C, date(2026, 1, 1), challenge(level=1, flagged=("a",))),
            submitted(A, date(2026, 1, 1), challenge(level=1, flagged=("a",))),
            submitted(B, date(2026, 1, 1), challenge(level=1, flagged=("a", "b"))),
        ]
    )
    assert [f.team.name for f in open_flags(TEAMS, latest)] == ["Bravo", "Alpha", "Charlie"]


# Quarterly medians


def test_the_worked_example_of_the_module_docstring():
    a = submitted(A, date(2026, 2, 10), challenge(level=2))
    b_old = submitted(B, date(2025, 11, 3), challenge(level=3))
    b_new = submitted(B, date(2026, 5, 20), challenge(level=1))
    quarters = last_quarters(TODAY)
    medians = quarterly_medians(TEAMS, [a, b_old, b_new], challenge_columns([a, b_new]), quarters)
    by_quarter = {q.label: cell for q, cell in zip(quarters, medians.rows[0].cells, strict=True)}
    assert (by_quarter["2025 Q4"].median, by_quarter["2025 Q4"].teams) == (3.0, 1)
    assert (by_quarter["2026 Q1"].median, by_quarter["2026 Q1"].teams) == (2.5, 2)
    assert (by_quarter["2026 Q2"].median, by_quarter["2026 Q2"].teams) == (1.5, 2)
    assert (by_quarter["2025 Q3"].median, by_quarter["2025 Q3"].teams) == (None, 0)


def test_a_submission_on_a_quarters_last_day_counts_in_that_quarter():
    one = submitted(A, date(2026, 3, 31), challenge(level=4))
    medians = quarterly_medians(TEAMS, [one], challenge_columns([one]), [Quarter(2026, 1)])
    assert medians.rows[0].cells[0].median == 4.0


def test_a_submission_before_the_window_carries_into_its_first_quarter():
    one = submitted(A, date(2021, 1, 1), challenge(level=2))
    medians = quarterly_medians(TEAMS, [one], challenge_columns([one]), last_quarters(TODAY))
    assert [cell.median for cell in medians.rows[0].cells] == [2.0] * 8


def test_teams_without_a_level_leave_the_median_but_count_as_assessed():
    a = submitted(A, date(2026, 1, 1), challenge(level=None))
    b = submitted(B, date(2026, 1, 1), challenge(level=3))
    medians = quarterly_medians(TEAMS, [a, b], challenge_columns([a, b]), [Quarter(2026, 1)])
    assert (medians.rows[0].cells[0].median, medians.rows[0].cells[0].teams) == (3.0, 1)
    assert medians.teams_assessed == (2,)


def test_medians_cover_only_the_teams_given():
    a = submitted(A, date(2026, 1, 1), challenge(level=0))
    b = submitted(B, date(2026, 1, 1), challenge(level=4))
    medians = quarterly_medians([B], [a, b], challenge_columns([a, b]), [Quarter(2026, 1)])
    assert medians.rows[0].cells[0].median == 4.0


def test_medians_read_as_whole_or_half_levels():
    assert [median_text(m) for m in (2.0, 2.5, None)] == ["2", "2.5", "–"]


# Common plan items


def test_the_most_common_plan_items_rank_by_teams_then_high_risk_then_title():
    subs = [submitted(t, date(2026, 1, 1), challenge(level=1), assessment_id=t.team_id) for t in TEAMS]
    plans = {
        A.team_id: [plan_item("tests"), plan_item("secrets"), plan_item("docs")],
        B.team_id: [plan_item("tests"), plan_item("secrets", flagged=True)],
        C.team_id: [plan_item("tests"), plan_item("docs")],
    }
    items = common_plan_items(TEAMS, latest_submissions(subs), plans, challenge_columns(subs))
    assert [(i.practice_slug, i.teams, i.flagged_teams) for i in items] == [
        ("tests", 3, 0),
        ("secrets", 2, 1),
        ("docs", 2, 0),
    ]
    assert items[0].challenge_title == "Security"
    assert items[0].guidance_title == "Guide to tests"


def test_common_plan_items_read_only_each_teams_latest_plan_and_are_capped():
    old = submitted(A, date(2025, 1, 1), challenge(level=1), assessment_id=10)
    new = submitted(A, date(2026, 1, 1), challenge(level=1), assessment_id=11)
    plans = {10: [plan_item("old-step")], 11: [plan_item(f"step-{i}") for i in range(12)]}
    items = common_plan_items(TEAMS, latest_submissions([old, new]), plans, challenge_columns([new]), limit=10)
    assert len(items) == 10
    assert "old-step" not in {i.practice_slug for i in items}


def test_a_common_item_links_to_the_newest_versions_guidance():
    old = submitted(A, date(2025, 1, 1), challenge(level=1), assessment_id=1)
    new = submitted(B, date(2026, 1, 1), challenge(level=1), assessment_id=2)
    plans = {
        1: [plan_item("tests", anchor="/playbook/2026.1/x/#t")],
        2: [plan_item("tests", anchor="/playbook/2027.1/x/#t")],
    }
    (item,) = common_plan_items(TEAMS, latest_submissions([old, new]), plans, challenge_columns([new]))
    assert item.guidance_anchor == "/playbook/2027.1/x/#t"


# The whole portfolio


def test_the_portfolio_of_a_filter_reads_only_the_teams_it_keeps():
    subs = [
        submitted(A, date(2026, 1, 1), challenge(level=1, flagged=("secrets",)), assessment_id=1),
        submitted(B, date(2026, 1, 1), challenge(level=3), assessment_id=2),
        submitted(C, date(2026, 1, 1), challenge(level=0, flagged=("secrets",)), assessment_id=3),
    ]
    plans = {1: [plan_item("tests")], 2: [plan_item("tests")], 3: [plan_item("tests")]}
    portfolio = build_portfolio(TEAMS, subs, plans, today=TODAY, team_filter=TeamFilter(business_unit="Retail"))
    assert portfolio.teams == (A, B)
    assert portfolio.assessed == 2
    assert portfolio.distribution[0].by_level == (0, 1, 0, 1, 0)
    assert [f.team for f in portfolio.flags] == [A]
    assert portfolio.medians.rows[0].cells[-1].median == 2.0
    assert portfolio.common_items[0].teams == 2


def test_an_organisation_without_submissions_has_an_empty_portfolio():
    portfolio = build_portfolio(TEAMS, [], {}, today=TODAY)
    assert (portfolio.assessed, portfolio.columns, portfolio.flags, portfolio.common_items) == (0, (), (), ())
    assert len(portfolio.medians.quarters) == 8
    assert portfolio.medians.teams_assessed == (0,) * 8
