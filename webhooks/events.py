"""The four webhook events, each emitted by the one service that makes it happen, inside its transaction."""

from datetime import datetime

from assessments.models import Action, Assessment
from assessments.scoring import AssessmentScore
from webhooks.models import EventType
from webhooks.payloads import action_data, assessment_reopened_data, assessment_submitted_data
from webhooks.services import emit


def assessment_submitted(assessment: Assessment, score: AssessmentScore, *, submitted_at: datetime) -> None:
    data = assessment_submitted_data(assessment, score, submitted_at=submitted_at)
    emit(team=assessment.team, event_type=EventType.ASSESSMENT_SUBMITTED, data=data)


def assessment_reopened(assessment: Assessment) -> None:
    emit(team=assessment.team, event_type=EventType.ASSESSMENT_REOPENED, data=assessment_reopened_data(assessment))


def action_created(action: Action) -> None:
    emit(team=action.team, event_type=EventType.ACTION_CREATED, data=action_data(action))


def action_status_changed(action: Action, *, previous_status: str) -> None:
    data = action_data(action, previous_status=previous_status)
    emit(team=action.team, event_type=EventType.ACTION_STATUS_CHANGED, data=data)
