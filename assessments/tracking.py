"""Database writes for tracked actions: plan items a team has taken on. Each function is one transaction."""

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from assessments.models import Action, ActionStatus, Assessment
from assessments.planning import PlanItem
from webhooks import events as webhook_events


@transaction.atomic
def track_action(*, assessment: Assessment, item: PlanItem, user: AbstractBaseUser) -> Action:
    action, created = Action.objects.get_or_create(
        assessment=assessment,
        practice_slug=item.practice_slug,
        defaults={
            "team": assessment.team,
            "challenge_slug": item.challenge_slug,
            "title": f"{item.practice_title}: {item.step.text}"[:300],
            "from_level": item.current_level,
            "created_by": user,
        },
    )
    if created:
        webhook_events.action_created(action)
    return action


@transaction.atomic
def update_action(
    *, action: Action, owner: AbstractBaseUser | None, due_date: date | None, status: ActionStatus
) -> None:
    previous_status = action.status
    action.owner, action.due_date, action.status = owner, due_date, status
    action.save(update_fields=["owner", "due_date", "status", "updated_at"])
    if status != previous_status:
        webhook_events.action_status_changed(action, previous_status=previous_status)
