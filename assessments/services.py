"""Database writes for assessments. Each function is one transaction."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from assessments.models import Answer, Assessment, Status, Team
from playbook.models import AnswerOption, PlaybookVersion, Practice


class AssessmentLocked(Exception):
    """Answers of a submitted assessment cannot change until a lead reopens it."""


class IncompleteAssessment(Exception):
    def __init__(self, challenges: Sequence[str]):
        self.challenges = tuple(challenges)
        super().__init__("Not enough answers in: " + ", ".join(self.challenges))


@dataclass(frozen=True)
class AnswerInput:
    practice: Practice
    option: AnswerOption | None
    not_applicable_reason: str = ""
    not_applicable_detail: str = ""
    notes: str = ""


@transaction.atomic
def create_assessment(*, team: Team, user: AbstractBaseUser, title: str) -> Assessment:
    playbook = PlaybookVersion.objects.get(is_current=True)
    return Assessment.objects.create(team=team, playbook=playbook, title=title, created_by=user)


@transaction.atomic
def save_answers(*, assessment: Assessment, user: AbstractBaseUser, answers: Sequence[AnswerInput]) -> int:
    """Store the given answers; returns how many changed. Unchanged answers are not rewritten."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.is_submitted:
        raise AssessmentLocked()
    existing = {
        a.practice_id: a
        for a in Answer.objects.select_for_update().filter(
            assessment=assessment, practice__in=[i.practice for i in answers]
        )
    }
    changed = 0
    for item in answers:
        values = {
            "option": item.option,
            "not_applicable_reason": item.not_applicable_reason,
            "not_applicable_detail": item.not_applicable_detail if item.not_applicable_reason else "",
            "notes": item.notes,
        }
        answer = existing.get(item.practice.pk)
        if answer is None:
            if item.option is None and not item.not_applicable_reason and not item.notes:
                continue
            Answer.objects.create(assessment=assessment, practice=item.practice, updated_by=user, **values)
        else:
            if all(getattr(answer, field) == value for field, value in values.items()):
                continue
            for field, value in values.items():
                setattr(answer, field, value)
            answer.revision += 1
            answer.updated_by = user
            answer.save()
        changed += 1
    if changed:
        locked.save(update_fields=["updated_at"])
    return changed


@transaction.atomic
def submit_assessment(
    *, assessment: Assessment, user: AbstractBaseUser, challenges_without_level: Sequence[str]
) -> None:
    if challenges_without_level:
        raise IncompleteAssessment(challenges_without_level)
    Assessment.objects.filter(pk=assessment.pk).update(
        status=Status.SUBMITTED, submitted_at=timezone.now(), submitted_by=user, updated_at=timezone.now()
    )


@transaction.atomic
def reopen_assessment(*, assessment: Assessment) -> None:
    Assessment.objects.filter(pk=assessment.pk).update(status=Status.DRAFT, submitted_at=None, submitted_by=None)
