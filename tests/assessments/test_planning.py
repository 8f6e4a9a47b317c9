"""Remediation planning on hand-built cases, without a database."""

from assessments.planning import (
    Horizon,
    PlanItem,
    PracticeGuide,
    default_target,
    group_by_horizon,
    horizon_of,
    plan_remediation,
    resolve_targets,
)
from assessments.scoring import ChallengeAnswers, PracticeAnswer, score_assessment
from playbook.rules import NextStep, ScoringRules

RULES = ScoringRules()


def guide(slug, level, *, weight=1, challenge="c", na=False):
    return PracticeGuide(
        challenge_slug=challenge,
        practice_slug=slug,
        practice_title=slug.title(),
        weight=weight,
        level=level,
        not_applicable=na,
        next_steps={lvl: NextStep(f"{slug} step from {lvl}", "low", "high") for lvl in range(4)},
        guidance_anchor=f"/playbook/v/{challenge}/#{slug}",
        guidance_title=f"Guide {slug}",
    )


def score_of(guides, critical=()):
    by_challenge = {}
    for g in guides:
        by_challenge.setdefault(g.challenge_slug, []).append(
            PracticeAnswer(
                g.practice_slug, g.practice_title, g.weight, g.practice_slug in critical, g.level, g.not_applicable
            )
        )
    return score_assessment([ChallengeAnswers(slug, slug, tuple(p)) for slug, p in by_challenge.items()], RULES)


def test_default_target_is_one_level_up_and_never_above_four():
    assert [default_target(level) for level in (None, 0, 2, 3, 4)] == [1, 1, 3, 4, 4]


def test_chosen_targets_override_the_default():
    guides = [guide("a", 2, challenge="x"), guide("b", 2, challenge="y")]
    assert resolve_targets(score_of(guides), {"x": 4}) == {"x": 4, "y": 3}


def test_practices_below_target_get_the_step_from_their_current_level():
    guides = [guide("a", 1), guide("b", 3)]
    plan = plan_remediation(score_of(guides), guides, {"c": 3})
    assert [(item.practice_slug, item.step.text) for item in plan] == [("a", "a step from 1")]
    assert plan[0].guidance_anchor == "/playbook/v/c/#a"


def test_flagged_practices_come_first_then_weight_then_gap():
    guides = [
        guide("light", 0, weight=1),
        guide("heavy", 2, weight=3),
        guide("heavy-far", 0, weight=3),
        guide("crit", 1),
    ]
    plan = plan_remediation(score_of(guides, critical={"crit"}), guides, {"c": 3})
    assert [item.practice_slug for item in plan] == ["crit", "heavy-far", "heavy", "light"]
    assert plan[0].is_flagged


def test_not_applicable_and_unanswered_practices_are_not_planned():
    guides = [guide("na", None, na=True), guide("blank", None), guide("low", 0)]
    plan = plan_remediation(score_of(guides), guides, {"c": 2})
    assert [item.practice_slug for item in plan] == ["low"]


def test_a_practice_at_the_target_needs_nothing():
    guides = [guide("done", 4)]
    assert plan_remediation(score_of(guides), guides, {"c": 4}) == ()


def item(*, flagged=False, weight=1, effort="medium", impact="medium"):
    return PlanItem("c", "p", "P", 1, 2, NextStep("do", effort, impact), flagged, weight, "/g#p", "G")


def test_high_risk_items_and_quick_wins_are_for_now():
    assert horizon_of(item(flagged=True, effort="high", impact="low")) == Horizon.NOW
    assert horizon_of(item(effort="low", impact="high")) == Horizon.NOW


def test_essential_or_high_impact_items_come_next_and_the_rest_later():
    assert horizon_of(item(weight=3)) == Horizon.NEXT
    assert horizon_of(item(impact="high", effort="high")) == Horizon.NEXT
    assert horizon_of(item(weight=2, effort="low", impact="low")) == Horizon.LATER


def test_grouping_keeps_the_priority_order_within_each_horizon():
    plan = [item(weight=3), item(flagged=True), item(), item(weight=3, impact="low")]
    groups = group_by_horizon(plan)
    assert groups[Horizon.NOW] == (plan[1],)
    assert groups[Horizon.NEXT] == (plan[0], plan[3])
    assert groups[Horizon.LATER] == (plan[2],)


def test_a_flagged_practice_stays_in_the_plan_now_whatever_the_target():
    guides = [guide("risky", 1), guide("fine", 2)]
    score = score_of(guides, critical={"risky"})
    plan = plan_remediation(score, guides, {"c": 1})  # a target at the flagged level itself
    assert [item.practice_slug for item in plan] == ["risky"]
    assert plan[0].target_level == 2 and horizon_of(plan[0]) == Horizon.NOW
