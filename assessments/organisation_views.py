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
from assessments.scored_cache import NO_ASSESSMENT, content_key, score_and_plan_cached
from playbook.models import PlaybookVersion
from playbook.published import load_practices

HEATMAP_CACHE_SECONDS = 3600


@login_required
def organisation_overview(request: HttpRequest, slug: str) -> HttpResponse:
    """A consultant's heatmap: each team's latest submitted levels by challenge.

    Two hundred teams' cells take far longer to score and render than to name, so the table is cached per process
    under a key naming everything it shows: each team's name, its latest submission and its `submissions_revision`,
    which counts every change to its submitted assessments, as for the portfolio (services.submissions_changed). The
    key is read from the teams' rows alone; the assessments are loaded, and scored, only to render the table afresh."""
    organisation, organisation_access = access.get_organisation(request.user, slug)
    # Each team's latest chosen once per team, as Assessment.objects.latest_submitted_per_team does once per
    # assessment: an estate's teams have ten each.
    newest = (
        Assessment.objects.filter(team=OuterRef("pk"), status=Status.SUBMITTED)
        .order_by("-submitted_at", "-pk")
        .values("pk")[:1]
    )
    teams = list(
        organisation.teams.filter(archived_at__isnull=True)
        .annotate(latest_id=Subquery(newest))
        .order_by("name", "pk")  # one organisation's teams: the default ordering would join it to sort by its name
        .values_list("pk", "name", "latest_id", "submissions_revision")
    )
    key = content_key("heatmap-table", teams)
    cache = caches["fragments"]  # per process: the key names the content, so processes need not agree
    table = cache.get(key)
    # A cached table needs nothing loaded or scored, but the same queries run (over no assessment), so the page costs
    # the same queries whatever the cache holds.
    latest_ids = [latest_id for _, _, latest_id, _ in teams if latest_id] if table is None else []
    latest = _latest_assessments(latest_ids)
    scored = score_and_plan_cached(list(latest.values()))
    if table is None:
        rows = [(Team(pk=pk, name=name, organisation=organisation), latest.get(pk)) for pk, name, _, _ in teams]
        table = _render_table(rows, {pk: one.score for pk, one in scored.items()})
        cache.set(key, table, HEATMAP_CACHE_SECONDS)
    context = {"organisation": organisation, "organisation_access": organisation_access}
    return render(request, "assessments/organisation_overview.html", context | {"table": mark_safe(table)})  # noqa: S308 (rendered by our template)


def _latest_assessments(assessment_ids: list[int]) -> dict[int, Assessment]:
    """The assessments to score, by team, with their playbook versions: two queries, even for none (each playbook
    version's row is read once, not once per team)."""
    assessments = list(
        Assessment.objects.filter(pk__in=assessment_ids or [NO_ASSESSMENT])
        .only("team", "playbook", "modules", "targets", "submitted_at")
        .order_by("pk")  # a stable order: a column takes its title from the first submission scored on it
    )
    playbooks = PlaybookVersion.objects.in_bulk({a.playbook_id for a in assessments} or [NO_ASSESSMENT])
    for assessment in assessments:
        assessment.playbook = playbooks[assessment.playbook_id]
    return {assessment.team_id: assessment for assessment in assessments}


def _render_table(rows: list[tuple[Team, Assessment | None]], scores: dict) -> str:
    columns = _columns([assessment for _, assessment in rows if assessment], scores)
    table_rows = []
    for team, assessment in rows:
        levels = {c.slug: c for c in scores[assessment.pk].challenges} if assessment else {}
        table_rows.append({"team": team, "assessment": assessment, "cells": [levels.get(slug) for slug in columns]})
    context = {"columns": columns, "rows": table_rows}
    return render_to_string("assessments/organisation_overview.html#heatmap-table", context)


def _columns(assessments: list[Assessment], scores: dict) -> dict[str, str]:
    """Every challenge the submissions were scored on, by slug with its title: the core challenges first, then the
    modules, each in its playbook's order, as the portfolio orders them (assessments.portfolio.challenge_columns)."""
    places: dict[str, tuple[bool, int]] = {}
    for playbook in {assessment.playbook_id: assessment.playbook for assessment in assessments}.values():
        for practice in load_practices(playbook):
            places.setdefault(practice.challenge.slug, (practice.challenge.is_module, practice.challenge.order))
    titles: dict[str, str] = {}
    for assessment in assessments:
        for challenge in scores[assessment.pk].challenges:
            titles.setdefault(challenge.slug, challenge.title)
    return {slug: titles[slug] for slug in sorted(titles, key=lambda slug: (places[slug], titles[slug]))}
