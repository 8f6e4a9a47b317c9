"""What each webhook event says: plain dictionaries built from objects already loaded, serialised once by emit.

Payloads carry ids, titles, levels, statuses and links back to the app, never people's names or notes: the receiver
is another system, and whoever follows a link signs in to see more. Example, an action's status change:

    {"id": "7d6c…", "type": "action.status_changed", "created_at": "2027-03-01T10:00:00+00:00",
     "team": {"id": 3, "name": "Fraud Detection", "url": "https://…/teams/3/"},
     "data": {"action": {"id": 12, "title": "…", "status": "done", "previous_status": "doing", …}}}
"""

import json
from datetime import datetime
from uuid import UUID

from django.urls import reverse

from assessments.models import Action, Assessment, Status, Team
from assessments.scoring import AssessmentScore
from config.site import absolute_url


def envelope(*, event_id: UUID, event_type: str, created_at: datetime, team: Team, data: dict) -> dict:
    return {
        "id": str(event_id),
        "type": event_type,
        "created_at": created_at.isoformat(),
        "team": {"id": team.pk, "name": team.name, "url": absolute_url(team.get_absolute_url())},
        "data": data,
    }


def serialise(body: dict) -> str:
    """The body as sent: kept byte for byte, so a redelivery sends exactly what the first delivery did."""
    return json.dumps(body, ensure_ascii=False)


def _assessment(assessment: Assessment, status: str | None = None) -> dict:
    # The services update the status in the database, not on the object they were given: they pass the new one.
    return {
        "id": assessment.pk,
        "title": assessment.title,
        "status": status or assessment.status,
        "url": absolute_url(assessment.get_absolute_url()),
    }


def assessment_submitted_data(assessment: Assessment, score: AssessmentScore, *, submitted_at: datetime) -> dict:
    levels = [{"challenge": c.slug, "title": c.title, "level": c.level} for c in score.challenges]
    described = _assessment(assessment, Status.SUBMITTED) | {
        "submitted_at": submitted_at.isoformat(),
        "results_url": absolute_url(reverse("assessments:results", args=[assessment.pk])),
    }
    return {
        "assessment": described,
        "level": score.level,
        "challenges": levels,
        "high_risk_practices": list(score.flagged),
    }


def assessment_reopened_data(assessment: Assessment) -> dict:
    return {"assessment": _assessment(assessment, Status.DRAFT)}


def action_data(action: Action, *, previous_status: str | None = None) -> dict:
    described = {
        "id": action.pk,
        "title": action.title,
        "status": action.status,
        "challenge": action.challenge_slug,
        "practice": action.practice_slug,
        "from_level": action.from_level,
        "due_date": action.due_date.isoformat() if action.due_date else None,
        "url": absolute_url(reverse("assessments:actions", args=[action.team_id])),
    }
    if previous_status is not None:
        described["previous_status"] = previous_status
    return {"action": described, "assessment": _assessment(action.assessment)}
