"""An organisation's overview for its consultants."""

from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from assessments import access
from assessments.models import Assessment, Status, Team
from assessments.scored_cache import content_key, score_and_plan_cached

HEATMAP_CACHE_SECONDS = 3600


@login_required
def organisation_overview(request: HttpRequest, slug: str) -> HttpResponse:
    """A consultant's heatmap: each team's latest submitted levels by challenge.

    Two hundred teams' cells take far longer to score and render than to name, so the table is cached per process
    under a key naming everything it shows: each team's name and latest submission (its playbook version, modules and
    time; a submitted assessment's answers never change, as assessments.scored_cache explains)."""
    organisation, organisation_access = access.get_organisation(request.user, slug)
    # Each team's latest chosen once per team, as Assessment.objects.latest_submitted_per_team does once per
    # assessment: an estate's teams have ten each.
    newest = (
        Assessment.objects.filter(team=OuterRef("pk"), status=Status.SUBMITTED)
        .order_by("-submitted_at", "-pk")
        .values("pk")[:1]
    )
    teams = list(organisation.teams.filter(archived_at__isnull=True).annotate(latest_id=Subquery(newest)))
    latest = {
        assessment.team_id: assessment
        for assessment in Assessment.objects.filter(pk__in=[team.latest_id for team in teams if team.latest_id])
        .only("team", "playbook", "modules", "targets", "submitted_at")
        .prefetch_related("playbook")  # a playbook version's row once, not once per team
        .order_by("pk")
    }
    shown = [(a.pk, a.playbook_id, a.modules, a.submitted_at) for a in latest.values()]
    named = ([(team.pk, team.name, team.latest_id) for team in teams], shown)
    key = content_key("heatmap-table", named)
    cache = caches["fragments"]  # per process: the key names the content, so processes need not agree
    table = cache.get(key)
    # A cached table needs nothing scored, but the same queries run (over no assessment), so the page costs the same
    # queries whatever the cache holds.
    scored = score_and_plan_cached(list(latest.values()) if table is None else [])
    if table is None:
        table = _render_table(teams, latest, {pk: one.score for pk, one in scored.items()})
        cache.set(key, table, HEATMAP_CACHE_SECONDS)
    context = {"organisation": organisation, "organisation_access": organisation_access}
    return render(request, "assessments/organisation_overview.html", context | {"table": mark_safe(table)})  # noqa: S308 (rendered by our template)


def _render_table(teams: list[Team], latest: dict[int, Assessment], scores: dict) -> str:
    columns: dict[str, str] = {}
    for score in scores.values():
        for challenge in score.challenges:
            columns.setdefault(challenge.slug, challenge.title)
    rows = []
    for team in teams:
        assessment = latest.get(team.pk)
        levels = {c.slug: c for c in scores[assessment.pk].challenges} if assessment else {}
        rows.append({"team": team, "assessment": assessment, "cells": [levels.get(slug) for slug in columns]})
    return render_to_string("assessments/organisation_overview.html#heatmap-table", {"columns": columns, "rows": rows})
