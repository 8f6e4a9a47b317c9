"""An organisation's overview for its consultants."""

import hashlib
import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from assessments import access
from assessments.models import Assessment
from assessments.scored_cache import score_and_plan_cached


@login_required
def organisation_overview(request: HttpRequest, slug: str) -> HttpResponse:
    """A consultant's heatmap: each team's latest submitted levels by challenge."""
    organisation, organisation_access = access.get_organisation(request.user, slug)
    teams = list(organisation.teams.filter(archived_at__isnull=True))
    latest = {
        assessment.team_id: assessment
        for assessment in Assessment.objects.latest_submitted_per_team()
        .filter(team__in=teams)
        .select_related("playbook")
    }
    scores = {pk: scored.score for pk, scored in score_and_plan_cached(list(latest.values())).items()}
    columns: dict[str, str] = {}
    for score in scores.values():
        for challenge in score.challenges:
            columns.setdefault(challenge.slug, challenge.title)
    rows = []
    for team in teams:
        assessment = latest.get(team.pk)
        levels = {c.slug: c for c in scores[assessment.pk].challenges} if assessment else {}
        rows.append({"team": team, "assessment": assessment, "cells": [levels.get(slug) for slug in columns]})
    context = {"organisation": organisation, "organisation_access": organisation_access, "columns": columns}
    return render(
        request, "assessments/organisation_overview.html", context | {"rows": rows, "table": _table_key(columns, rows)}
    )


def _table_key(columns: dict[str, str], rows: list[dict]) -> str:
    """Names everything the heatmap's table shows, which is cached under it: two hundred teams' cells take far
    longer to render than to name."""
    shown = [
        list(columns.items()),
        [
            (
                row["team"].pk,
                row["team"].name,
                row["assessment"].pk if row["assessment"] else None,
                row["assessment"].submitted_at.isoformat() if row["assessment"] else None,
                [(cell.slug, cell.title, cell.level, bool(cell.flagged)) if cell else None for cell in row["cells"]],
            )
            for row in rows
        ],
    ]
    return hashlib.sha256(json.dumps(shown).encode()).hexdigest()
