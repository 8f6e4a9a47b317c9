"""Scores and plans of many assessments at once (the heatmap, the portfolio), each cached per revision of its answers.

Scoring an organisation of two hundred teams reads tens of thousands of answers; the pages that show them are read
far more often than the answers change. So each assessment's score (and plan, where asked for) is cached under a key
naming everything it is computed from: the assessment, its playbook version, targets and modules, and a fingerprint
of its answers (their number, the sum of their ids and of their revisions, and the newest change). Every change to
an answer raises its revision and `updated_at`, so a changed, added or removed answer makes a new key and the next
page scores that assessment afresh; the others are read from the cache.

Two queries whatever the number of assessments or how many are cached: the fingerprints (grouped by the database)
and the answers of the assessments not cached. Both run even when every score is cached, or there is none to score, so
that a page costs the same queries whatever the cache holds.

A page cached as a whole (the portfolio, the heatmap's table, a submitted assessment's results page) reads only
submitted assessments, and names them by each team's `submissions_revision` (counted up by
services.submissions_changed on every submission, reopening, deletion, restoring and change of targets), with no
fingerprint of their answers: nothing changes a submitted assessment's answers. Saving refuses
(services.save_answers raises AssessmentLocked), shared answer sets reach open assessments only (shared_answers), the
admin shows answers read-only, and changing them means reopening, which counts. In tests/assessments/,
test_portfolio_views.py checks the refusal and follows each change to the cached pages, test_shared_answers.py checks
that a set's changes leave submitted assessments as they were, and test_results_page_cache.py that answers changed
by reopening show once submitted again.
"""

import hashlib
import json
from collections.abc import Collection, Sequence

from django.core.cache import caches
from django.db.models import Count, Max, Sum

from assessments.models import Answer, Assessment
from assessments.results import ScoredPlan, load_scoring_answers, score_and_plan

SCORED_CACHE_SECONDS = 3600
NO_ASSESSMENT = 0  # no row has it: the answers query of a page whose scores are all cached finds nothing


def answer_fingerprints(assessment_ids: Collection[int]) -> dict[int, tuple]:
    """Each assessment's answers, named: one query, grouped by the database. No answers, no entry."""
    rows = (
        Answer.objects.filter(assessment__in=assessment_ids or [NO_ASSESSMENT])
        .values("assessment")
        .annotate(count=Count("pk"), ids=Sum("pk"), revisions=Sum("revision"), changed=Max("updated_at"))
        .order_by()
    )
    return {row["assessment"]: (row["count"], row["ids"], row["revisions"], row["changed"].isoformat()) for row in rows}


def content_key(prefix: str, parts) -> str:
    """A cache key naming `parts` (anything JSON can write, dates as text): equal parts, equal key."""
    named = hashlib.blake2b(json.dumps(parts, sort_keys=True, default=str).encode(), digest_size=16).hexdigest()
    return f"{prefix}:{named}"


def _key(assessment: Assessment, fingerprint: tuple, with_plan: bool) -> str:
    parts = (assessment.playbook_id, assessment.targets, assessment.modules, fingerprint, with_plan)
    return content_key(f"scored-plan:{assessment.pk}", parts)


def score_and_plan_cached(
    assessments: Sequence[Assessment], *, plan_for: Collection[int] = ()
) -> dict[int, ScoredPlan]:
    """What results.score_and_plan_many returns (the playbook selected with each assessment), from the cache where
    the answers have not changed since."""
    fingerprints = answer_fingerprints([a.pk for a in assessments])
    keys = {a.pk: _key(a, fingerprints.get(a.pk, ()), a.pk in plan_for) for a in assessments}
    cache = caches["fragments"]  # per process: a key names its content, so processes need not agree
    cached = cache.get_many(keys.values())
    missing = [a for a in assessments if keys[a.pk] not in cached]
    answers = load_scoring_answers([a.pk for a in missing] or [NO_ASSESSMENT])
    fresh = score_and_plan(missing, answers, plan_for=plan_for)
    cache.set_many({keys[pk]: scored for pk, scored in fresh.items()}, SCORED_CACHE_SECONDS)
    return {a.pk: cached.get(keys[a.pk]) or fresh[a.pk] for a in assessments}
