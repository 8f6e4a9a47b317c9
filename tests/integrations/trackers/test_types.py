"""From plan item to tracker item, and from tracker status back to a tracked action's status."""

import pytest

from assessments.models import ActionStatus
from assessments.planning import PlanItem
from integrations.trackers.types import ExternalStatus, action_status, item_for_plan_step
from playbook.rules import NextStep


@pytest.mark.parametrize("current", list(ActionStatus))
def test_done_in_the_tracker_is_done_here(current):
    assert action_status(ExternalStatus.DONE, current) == ActionStatus.DONE


@pytest.mark.parametrize("current", [ActionStatus.TODO, ActionStatus.DOING, ActionStatus.WONT_DO])
def test_an_open_item_leaves_the_teams_own_status_alone(current):
    assert action_status(ExternalStatus.OPEN, current) == current


def test_an_item_reopened_in_the_tracker_puts_a_done_action_back_to_do():
    assert action_status(ExternalStatus.OPEN, ActionStatus.DONE) == ActionStatus.TODO


def test_a_plan_step_becomes_an_item_with_its_levels_and_an_absolute_guidance_link():
    step = PlanItem(
        challenge_slug="notebooks",
        practice_slug="experiment-tracking",
        practice_title="Experiment tracking",
        current_level=1,
        target_level=3,
        step=NextStep(text="Log every run.", effort="low", impact="high"),
        is_flagged=False,
        weight=3,
        guidance_anchor="/playbook/2026.1/notebooks/#experiment-tracking",
        guidance_title="Experiment tracking",
    )

    item = item_for_plan_step(step, challenge_title="Reliance on notebooks", site_url="https://maturity.example.org/")

    assert item.title == "Experiment tracking: level 1 to 2"
    assert (item.level_from, item.level_to) == (1, 2)
    assert item.body == "Log every run."
    assert item.guidance_url == "https://maturity.example.org/playbook/2026.1/notebooks/#experiment-tracking"
    assert item.external_key is None
