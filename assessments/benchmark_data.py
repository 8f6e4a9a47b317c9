"""The benchmark's data: every opted-in team's latest submitted assessment, scored, in a fixed number of queries.

Every results page of an opted-in organisation reads the pool, and scoring it reads every answer of every
contributing assessment, so the scored pool is cached, and so are the figures worked out from it (a handful per
challenge, where an estate's pool holds thousands of contributions). The cache key is a fingerprint of the teams that
may contribute (the live teams of opted-in organisations): their number, the sum of their ids and the sum of their
`submissions_revision`, which counts every submission, reopening, deletion and restoring of a team's assessments
(services.submissions_changed). Any of those, archiving a team or an organisation opting in or out changes the
fingerprint, so the next page reads the new pool at once; answers of a submitted assessment cannot change without
reopening it. The fingerprint is one query over the teams (about 1,200 rows on the benchmark's estate), where
summing up the assessments themselves read ten times as many. Entries expire after `BENCHMARK_CACHE_SECONDS`,
which also bounds the unlikely case of two changes between reads leaving the same fingerprint. The cache is each
process's own memory (CACHES["fragments"]): a key that names what it was computed from needs no agreement between
processes, and a hit costs no query of its own.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db.models import Count, F, QuerySet, Sum
from django.urls import reverse

from assessments import access
from assessments.access import TeamAccess
from assessments.benchmark import (
    BenchmarkRow,
    ChallengeBenchmark,
    Contribution,
    benchmark_challenges,
    compare,
    contributions_of,
    effective_minimum,
)
from assessments.models import Assessment, Team
from assessments.results import score_many
from assessments.scoring import AssessmentScore

BENCHMARK_CACHE_SECONDS = 300


@dataclass(frozen=True)
class TeamBenchmark:
    """What the results page and the PDF show: one row per challenge of the assessment."""

    rows: tuple[BenchmarkRow, ...]
    minimum: int

    @property
    def has_figures(self) -> bool:
        return any(row.benchmark.is_shown for row in self.rows)


def minimum_organisations() -> int:
    return effective_minimum(settings.BENCHMARK_MINIMUM_ORGANISATIONS)


def _latest_per_team() -> QuerySet[Assessment]:
    return (
        Assessment.objects.latest_submitted_per_team()
        .filter(team__organisation__benchmark_opt_in=True, team__archived_at__isnull=True)
        .select_related("playbook")
        .annotate(organisation_id=F("team__organisation_id"))
        .order_by()
    )


def pool_fingerprint() -> str:
    """Names the pool as it is now (one query over the teams, not their assessments): pages that show the benchmark
    put it in their own cache keys."""
    teams = Team.objects.filter(organisation__benchmark_opt_in=True, archived_at__isnull=True)
    fingerprint = teams.aggregate(count=Count("pk"), ids=Sum("pk"), revisions=Sum("submissions_revision"))
    return f"{fingerprint['count']}:{fingerprint['ids'] or 0}:{fingerprint['revisions'] or 0}"


def load_contributions(fingerprint: str | None = None) -> tuple[Contribution, ...]:
    """The pool: one query when cached, four when not (fingerprint, latest assessments, practices, answers);
    one fewer when the caller has the fingerprint already."""
    cache = caches["fragments"]
    key = f"benchmark:contributions:{fingerprint or pool_fingerprint()}"
    contributions = cache.get(key)
    if contributions is None:
        latest = list(_latest_per_team())
        scores = score_many(latest)
        contributions = tuple(
            contribution
            for assessment in latest
            for contribution in contributions_of(assessment.organisation_id, assessment.team_id, scores[assessment.pk])
        )
        cache.set(key, contributions, BENCHMARK_CACHE_SECONDS)
    return contributions


def shows_benchmark(assessment: Assessment) -> bool:
    return assessment.is_submitted and assessment.team.organisation.benchmark_opt_in


def load_figures(fingerprint: str | None = None) -> dict[str, ChallengeBenchmark]:
    """Every challenge's figures, cached beside the pool they come from: a page reads a handful of figures, not the
    thousands of contributions of an estate."""
    cache = caches["fragments"]
    fingerprint = fingerprint or pool_fingerprint()
    minimum = minimum_organisations()
    key = f"benchmark:figures:{minimum}:{fingerprint}"
    figures = cache.get(key)
    if figures is None:
        figures = benchmark_challenges(load_contributions(fingerprint), minimum)
        cache.set(key, figures, BENCHMARK_CACHE_SECONDS)
    return figures


def benchmark_for(
    assessment: Assessment, score: AssessmentScore, *, fingerprint: str | None = None
) -> TeamBenchmark | None:
    """The benchmark beside a submitted assessment of an opted-in organisation; None otherwise, without a query.
    With the pool's `fingerprint` (pool_fingerprint) already known, no query either when the figures are cached."""
    if not shows_benchmark(assessment):
        return None
    minimum = minimum_organisations()
    return TeamBenchmark(compare(score, load_figures(fingerprint), minimum), minimum)


def opt_in_url(assessment: Assessment, team_access: TeamAccess) -> str:
    """Where the organisation opts in, for whoever runs it from this page (its admins and consultants); "" for the
    others, who are told to ask an admin. (A lead who is also an admin acts here as the lead: the home page links.)"""
    if team_access.role not in (access.ORGANISATION_ADMIN, access.CONSULTANT):
        return ""
    return reverse("assessments:organisation_settings", args=[assessment.team.organisation.slug])
