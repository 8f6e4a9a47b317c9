"""What a write to an answer is given, and how a change to one is recorded: shared by the services that change
answers (assessments.services, assessments.shared_answers)."""

from dataclasses import dataclass

from assessments.models import Answer, SharedAnswer
from playbook.models import AnswerOption, Practice


class AssessmentLocked(Exception):
    """Answers of a submitted assessment cannot change until a lead reopens it."""


@dataclass(frozen=True)
class AnswerInput:
    practice: Practice
    option: AnswerOption | None
    not_applicable_reason: str = ""
    not_applicable_detail: str = ""
    notes: str = ""
    # The revision the person saw when they chose this answer; None skips the conflict check.
    seen_revision: int | None = None

    def values(self) -> dict:
        return {
            "option": self.option,
            "not_applicable_reason": self.not_applicable_reason,
            "not_applicable_detail": self.not_applicable_detail if self.not_applicable_reason else "",
            "notes": self.notes,
        }


def answer_snapshot(answer: Answer | SharedAnswer | None) -> dict | None:
    """An answer as the audit trail and change notices record it."""
    if answer is None:
        return None
    return {
        "level": answer.option.level if answer.option else None,
        "not_applicable_reason": answer.not_applicable_reason,
        "notes": answer.notes,
    }
