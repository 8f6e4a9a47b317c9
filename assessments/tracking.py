"""Database writes for tracked actions: plan items a team has taken on. Each function is one transaction."""

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from assessments.models import Action, ActionStatus, Assessment
from assessments.planning import PlanItem


@transaction.atomic
def track_action(*, assessment: Assessment, item: PlanItem, user: AbstractBaseUser) -> Action:
    action, _ = Action.objects.get_or_create(
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
    return action


@transaction.atomic
def update_action(
    *, action: Action, owner: AbstractBaseUser | None, due_date: date | None, status: ActionStatus
) -> None:
    action.owner, action.due_date, action.status = owner, due_date, status
    action.save(update_fields=["owner", "due_date", "status", "updated_at"])
