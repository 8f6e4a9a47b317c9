"""What a tracker is given and what it answers: frozen dataclasses, no database and no HTTP.

A `TrackerItem` is one plan step as an issue: the step in Markdown, the practice, the challenge, the levels from
and to, and an absolute guidance link. Its `external_key` is the tracker's own key (an issue number, an issue key,
a work item id) once it has been pushed, so that a second push updates the issue instead of opening another.

Reading back, a tracker says only whether its item is open or done (`ExternalStatus`), and `action_status`
turns that into a tracked action's status: done in the tracker is done here; an open item leaves an action
that is to do, doing or won't do as it is (those are the team's calls) and puts a done action back to to do,
since someone reopened the work.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from assessments.models import ActionStatus
from assessments.planning import PlanItem


@dataclass(frozen=True)
class TrackerItem:
    title: str
    body: str  # Markdown
    practice_slug: str
    challenge_title: str
    level_from: int
    level_to: int
    guidance_url: str  # absolute, so that it works from inside the tracker
    external_key: str | None = None


@dataclass(frozen=True)
class PushResult:
    external_key: str
    url: str


class ExternalStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


def action_status(external: ExternalStatus, current: str) -> str:
    """The status a tracked action takes when its tracker item is `external`."""
    if external == ExternalStatus.DONE:
        return ActionStatus.DONE
    return ActionStatus.TODO if current == ActionStatus.DONE else current


class TrackerClient(Protocol):
    def push(self, item: TrackerItem) -> PushResult: ...

    def status(self, external_key: str) -> ExternalStatus: ...


def item_for_plan_step(
    step: PlanItem, *, challenge_title: str, site_url: str, external_key: str | None = None
) -> TrackerItem:
    """A plan item as a tracker item; `site_url` makes its guidance link absolute, as the exports do."""
    level_to = step.current_level + 1
    return TrackerItem(
        title=f"{step.practice_title}: level {step.current_level} to {level_to}",
        body=step.step.text,
        practice_slug=step.practice_slug,
        challenge_title=challenge_title,
        level_from=step.current_level,
        level_to=level_to,
        guidance_url=site_url.rstrip("/") + step.guidance_anchor,
        external_key=external_key,
    )
