"""An organisation's overview for its consultants."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from assessments import access
from assessments.models import Assessment
from assessments.results import score_many


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
    scores = score_many(list(latest.values()))
    columns: dict[str, str] = {}
    for score in scores.values():
        for challenge in score.challenges:
            columns.setdefault(challenge.slug, challenge.title)
    rows = []
    for team in teams:
        assessment = latest.get(team.pk)
        levels = {c.slug: c for c in scores[assessment.pk].challenges} if assessment else {}
        rows.append({"team": team, "assessment": assessment, "cells": [levels.get(slug) for slug in columns]})
    return render(
        request,
        "assessments/organisation_overview.html",
        {"organisation": organisation, "organisation_access": organisation_access, "columns": columns, "rows": rows},
    )
