"""The results page's content, cached per revision of everything it shows.

The content (all of the page but the navigation bar and messages) is a function of: the assessment (title, team,
status, targets, modules, playbook version), its answers, the actions the team tracks and took on earlier, the
team's tracker, the benchmark pool, and three things about the viewer's role: whether they manage the team (the
targets and tracking forms), whether they read notes, and the "prepared by" a consultant's report form starts with.
The cache key names every one of them. The answers are named by a fingerprint (their number, the sum of their ids
and revisions, and the newest change) that every change to an answer moves, since each change raises its revision
and `updated_at`; the benchmark pool by its own fingerprint. So no change can leave an old page in the cache: the
next request computes a new key and renders afresh.

A key costs two queries where the page used to load the same rows in full: the answers' fingerprint and the
earlier actions, which are shown as they are. A submitted assessment's answers need no fingerprint (_answers_named),
so its key costs the one. The CSRF token is the one per-person part: the cached HTML holds a
placeholder that each response replaces with its own token.
"""

import hashlib
import json
import zlib
from dataclasses import astuple

from django.core.cache import caches
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from assessments import access
from assessments.access import TeamAccess
from assessments.benchmark_data import benchmark_for, opt_in_url, pool_fingerprint, shows_benchmark
from assessments.comparison import action_outcomes
from assessments.forms import ReportLinesForm, TargetsForm
from assessments.models import Action, Assessment, person_name
from assessments.results import AssessmentResults, action_record_of, build_results, practice_levels
from assessments.scored_cache import answer_fingerprints
from config.compiled_query import CompiledQuery, columns_of, instance_of
from integrations.models import TrackerConnection, TrackerLink

CONTENT_CACHE_SECONDS = 3600
# Stands in the cached HTML where each response's own CSRF token goes; never a valid token.
CSRF_PLACEHOLDER = "csrf-placeholder-of-the-cached-results"


def _prepared_by(request: HttpRequest, team_access: TeamAccess) -> str:
    # A consultant usually signs the reports they hand over.
    return person_name(request.user) if team_access.role == access.CONSULTANT else ""


def _cache_key(assessment: Assessment, team_access: TeamAccess, prepared_by: str, shown: dict) -> str:
    playbook = assessment.playbook
    parts = [
        assessment.pk,
        assessment.title,
        assessment.team_id,
        assessment.team.name,
        assessment.status,
        json.dumps(assessment.targets, sort_keys=True),
        json.dumps(assessment.modules),
        playbook.pk,
        playbook.version,
        team_access.can_manage,
        team_access.sees_notes,
        prepared_by,
        _answers_named(assessment),
        shown["benchmark_pool"],
        shown["benchmark_opt_in_url"],
        sorted(shown["tracked"]),
        (shown["tracker"].pk, shown["tracker"].kind) if shown["tracker"] else None,
        sorted(shown["pushed"]),
        [astuple(record) for record in shown["earlier"]],
    ]
    return "results-content:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _answers_named(assessment: Assessment) -> tuple | None:
    """What names the assessment's answers in the key. A submitted assessment's answers cannot change until it is
    reopened, and reopening and submitting again each count up its team's `submissions_revision` (scored_cache says
    what keeps that true), so that count names them with no query. An open one's are named by their fingerprint."""
    if assessment.is_submitted:
        return ("submitted", assessment.team.submissions_revision)
    return answer_fingerprints([assessment.pk]).get(assessment.pk)


def _actions_shown(assessment_id: int, team_id: int) -> QuerySet:
    """The plan items taken on from this assessment and the team's actions from its earlier ones, in one query,
    each with whether it is pushed to the team's tracker (a team has one, and its links go with it)."""
    created_at = Assessment.with_deleted.filter(pk=assessment_id).values("created_at")
    pushed = TrackerLink.objects.filter(action_id=OuterRef("pk"), connection__team_id=team_id)
    return (
        Action.objects.filter(
            Q(assessment_id=assessment_id) | Q(team_id=team_id, assessment__created_at__lt=Subquery(created_at))
        )
        .annotate(pushed=Exists(pushed))
        .values_list("assessment_id", "title", "practice_slug", "from_level", "status", "pushed")
    )


def _tracker(team_id: int) -> QuerySet:
    return TrackerConnection.objects.filter(team_id=team_id).order_by().values_list(*columns_of(TrackerConnection))


# Read on every request, cached page or not: compiled once per process, where building and compiling the querysets
# each time cost more than running them (config/compiled_query.py).
_ACTIONS_SHOWN = CompiledQuery(_actions_shown)
_TRACKER = CompiledQuery(_tracker)


def _shown(assessment: Assessment, team_access: TeamAccess) -> dict:
    """What the page shows besides the results: read on every request, as cheaply as before the cache."""
    tracker = None
    if team_access.can_manage:
        rows = _TRACKER.rows(team_id=assessment.team_id)
        tracker = instance_of(TrackerConnection, iter(rows[0])) if rows else None
    actions = _ACTIONS_SHOWN.rows(assessment_id=assessment.pk, team_id=assessment.team_id)
    this_assessments = [row for row in actions if row[0] == assessment.pk]
    return {
        "tracked": {practice_slug for _, _, practice_slug, *_ in this_assessments},
        "tracker": tracker,
        "pushed": {practice_slug for _, _, practice_slug, *_, pushed in this_assessments if pushed and tracker},
        "earlier": [
            action_record_of(title, practice_slug, from_level, status)
            for assessment_id, title, practice_slug, from_level, status, _ in actions
            if assessment_id != assessment.pk
        ],
        "benchmark_pool": pool_fingerprint() if shows_benchmark(assessment) else "",
        "benchmark_opt_in_url": opt_in_url(assessment, team_access),
    }


def _render(
    assessment: Assessment,
    team_access: TeamAccess,
    prepared_by: str,
    shown: dict,
    results: AssessmentResults,
    targets_form: TargetsForm | None,
) -> str:
    level_names = assessment.playbook.level_names
    context = {
        "assessment": assessment,
        "access": team_access,
        "results": results,
        "targets_form": targets_form or TargetsForm(challenges=results.challenges, level_names=level_names),
        "tracked": shown["tracked"],
        "hide_notes": not team_access.sees_notes,
        "tracker": shown["tracker"],
        "pushed": shown["pushed"],
        "earlier_actions": action_outcomes(shown["earlier"], {p.slug: p.level for p in practice_levels(results)}),
        "benchmark": benchmark_for(assessment, results.score, fingerprint=shown["benchmark_pool"] or None),
        "benchmark_opt_in_url": shown["benchmark_opt_in_url"],
        "lines_form": ReportLinesForm(initial={"prepared_by": prepared_by}),
        "csrf_token": CSRF_PLACEHOLDER,
    }
    return render_to_string("assessments/results.html#results-content", context)


def results_content(
    request: HttpRequest,
    assessment: Assessment,
    team_access: TeamAccess,
    *,
    results: AssessmentResults | None = None,
    targets_form: TargetsForm | None = None,
) -> SafeString:
    """The page's content for this request. A rejected targets form (bound) is shown as typed, never cached."""
    prepared_by = _prepared_by(request, team_access)
    shown = _shown(assessment, team_access)
    if targets_form is not None:
        html = _render(assessment, team_access, prepared_by, shown, results or build_results(assessment), targets_form)
    else:
        cache = caches["fragments"]  # per process: a key names its content, so processes need not agree
        key = _cache_key(assessment, team_access, prepared_by, shown)
        stored = cache.get(key)
        if stored is None:
            html = _render(assessment, team_access, prepared_by, shown, results or build_results(assessment), None)
            # Compressed: a page of forty practices with notes is a hundred kilobytes, a tenth of that compressed,
            # and the cache is bounded by its number of entries, not their size.
            cache.set(key, zlib.compress(html.encode(), 1), CONTENT_CACHE_SECONDS)
        else:
            html = zlib.decompress(stored).decode()
    return mark_safe(html.replace(CSRF_PLACEHOLDER, get_token(request)))  # noqa: S308 - our own template
