import pytest

from integrations.trackers.types import TrackerItem


@pytest.fixture
def item() -> TrackerItem:
    return TrackerItem(
        title="Experiment tracking: level 1 to 2",
        body="Log every training run's parameters, data version and metrics to a shared tracker.",
        practice_slug="experiment-tracking",
        challenge_title="Reliance on notebooks",
        level_from=1,
        level_to=2,
        guidance_url="https://maturity.example.org/playbook/2026.1/notebooks/#experiment-tracking",
    )
