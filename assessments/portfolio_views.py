"""An organisation's portfolio for its stakeholders: the page, its PDF and its CSV, from the same numbers.

Loading costs the same few queries whatever the number of teams: the teams, their submitted assessments and playbook
versions, and the fingerprints and answers of the assessments the portfolio reads (the playbooks' practices are
cached per process, and each assessment's score and plan per revision of its answers: assessments.scored_cache). The
aggregates are the pure functions of `assessments.portfolio`.
"""

import csv
import io
from dataclasses import asdict, dataclass
from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from assessments import access
from assessments.exports import spreadsheet_safe
from assessments.forms import PortfolioFilterForm
from assessments.models import Assessment, Organisation, Status
from assessments.portfolio import (
    ChallengeLevel,
    FlaggedPractice,
    Portfolio,
    SubmittedLevels,
    TeamFilter,
    TeamRow,
    build_portfolio,
    filter_choices,
    filter_teams,
    last_quarters,
    median_text,
    submissions_to_score,
)
from assessments.report import render_pdf
from assessments.results import ScoredPlan, scoped_practices
from assessments.scored_cache import score_and_plan_cached
from audit.models import EventKind
from audit.services import record
from playbook.rules import TOP_LEVEL


@dataclass(frozen=True)
class LoadedPortfolio:
    organisation: Organisation
    portfolio: Portfolio
    level_names: tuple[str, ...]  # of the newest playbook version read; empty when no team has submitted
    generated_on: date

    @property
    def filter_query(self) -> str:
        """The filters as a query string, for the CSV and PDF links."""
        return urlencode({name: value for name, value in asdict(self.portfolio.team_filter).items() if value})


def team_rows(organisation: Organisation) -> list[TeamRow]:
    teams = organisation.teams.filter(archived_at__isnull=True).order_by("name")
    return [TeamRow(t.pk, t.name, t.business_unit, t.product_area, tuple(t.tags)) for t in teams]


def _scope(assessment: Assessment, scopes: dict) -> tuple[dict, dict]:
    """The assessment's practices by (challenge, practice) slug and its challenges by slug, made once per playbook
    version and choice of modules (`scopes` holds them): hundreds of assessments share a handful of scopes."""
    scope = (assessment.playbook_id, tuple(assessment.modules))
    if scope not in scopes:
        practices = {(p.challenge.slug, p.slug): p for p in scoped_practices(assessment)}
        scopes[scope] = practices, {p.challenge.slug: p.challenge for p in practices.values()}
    return scopes[scope]


def _submitted_levels(assessment: Assessment, scored: ScoredPlan, scopes: dict) -> SubmittedLevels:
    practices, challenges = _scope(assessment, scopes)
    return SubmittedLevels(
        team_id=assessment.team_id,
        assessment_id=assessment.pk,
        submitted_at=timezone.localtime(assessment.submitted_at),
        challenges=tuple(
            ChallengeLevel(
                slug=score.slug,
                title=score.title,
                order=challenges[score.slug].order,
                is_module=challenges[score.slug].is_module,
                level=score.level,
                flagged=tuple(FlaggedPractice(slug, practices[score.slug, slug].title) for slug in score.flagged),
            )
            for score in scored.score.challenges
        ),
    )


def load_portfolio(organisation: Organisation, teams: list[TeamRow], team_filter: TeamFilter) -> LoadedPortfolio:
    kept = {team.team_id for team in filter_teams(teams, team_filter)}
    submitted = list(
        Assessment.objects.filter(team_id__in=kept, status=Status.SUBMITTED, submitted_at__isnull=False)
        .only("team", "playbook", "submitted_at", "targets", "modules")
        .prefetch_related("playbook")  # a playbook version's row once, not once per assessment of an estate
        .order_by()
    )
    today = timezone.localdate()
    # Only what the portfolio reads is scored: each team's latest, and its latest by each quarter's end.
    dated = [(a.team_id, a.pk, timezone.localtime(a.submitted_at)) for a in submitted]
    needed = submissions_to_score(dated, last_quarters(today))
    read = [a for a in submitted if a.pk in needed]
    # Plans only of each team's latest: the common plan items read no other.
    scored = score_and_plan_cached(read, plan_for=submissions_to_score(dated, ()))
    newest = max(read, key=lambda a: a.submitted_at, default=None)
    scopes: dict = {}
    portfolio = build_portfolio(
        teams,
        [_submitted_levels(a, scored[a.pk], scopes) for a in read],
        {pk: one.plan for pk, one in scored.items()},
        today=today,
        team_filter=team_filter,
        top_level=newest.playbook.top_level if newest else TOP_LEVEL,
    )
    level_names = tuple(newest.playbook.level_names) if newest else ()
    return LoadedPortfolio(organisation, portfolio, level_names, today)


def _load(request: HttpRequest, slug: str) -> tuple[LoadedPortfolio, PortfolioFilterForm]:
    organisation, _ = access.get_organisation(request.user, slug)
    teams = team_rows(organisation)
    form = PortfolioFilterForm(request.GET or None, choices=filter_choices(teams))
    # A filter naming a value no team has any more shows every team, and the form says why.
    team_filter = TeamFilter(**form.cleaned_data) if form.is_valid() else TeamFilter()
    return load_portfolio(organisation, teams, team_filter), form


@login_required
def portfolio(request: HttpRequest, slug: str) -> HttpResponse:
    loaded, form = _load(request, slug)
    return render(request, "assessments/portfolio.html", {"loaded": loaded, "form": form, "link_base": ""})


def _attachment(content: bytes, content_type: str, loaded: LoadedPortfolio, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    filtered = "-filtered" if loaded.portfolio.team_filter.is_active else ""
    filename = f"mlops-portfolio-{loaded.organisation.slug}{filtered}-{loaded.generated_on:%Y-%m-%d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _note_download(request: HttpRequest, kind: EventKind, loaded: LoadedPortfolio, what: str) -> None:
    team_filter = loaded.portfolio.team_filter
    filters = f" ({team_filter.described()})" if team_filter.is_active else ""
    summary = f"{request.user.get_username()} downloaded the portfolio {what} of “{loaded.organisation.name}”{filters}"
    record(kind, summary, actor=request.user, organisation_id=loaded.organisation.pk)


@login_required
def portfolio_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    # Rendered in the request: the report queue caches per assessment revision, and a portfolio is a few pages.
    loaded, _ = _load(request, slug)
    html = render_to_string(
        "assessments/portfolio_pdf.html",
        {"loaded": loaded, "link_base": settings.SITE_URL, "site_url": settings.SITE_URL},
    )
    pdf, _pages = render_pdf(html)
    _note_download(request, EventKind.REPORT_DOWNLOADED, loaded, "PDF")
    return _attachment(pdf, "application/pdf", loaded, "pdf")


CSV_COLUMNS = (
    "section",
    "challenge",
    "module",
    "level",
    "quarter",
    "median",
    "team",
    "submitted",
    "practice",
    "teams",
    "high_risk_teams",
    "guidance_url",
)


def portfolio_rows(loaded: LoadedPortfolio, *, site_url: str) -> list[dict[str, str | int]]:
    """The CSV's rows: the same numbers as the page's tables, one section after another."""
    portfolio = loaded.portfolio
    rows: list[dict[str, str | int]] = []
    for counts in portfolio.distribution:
        challenge = {"challenge": counts.column.title, "module": "yes" if counts.column.is_module else "no"}
        levels = [(str(level), n) for level, n in enumerate(counts.by_level)]
        for level, teams in [*levels, ("no level", counts.no_level), ("not assessed", counts.not_assessed)]:
            rows.append({"section": "level_distribution", **challenge, "level": level, "teams": teams})
    for row in portfolio.medians.rows:
        challenge = {"challenge": row.column.title, "module": "yes" if row.column.is_module else "no"}
        for quarter, cell in zip(portfolio.medians.quarters, row.cells, strict=True):
            median = "" if cell.median is None else median_text(cell.median)
            rows.append(
                {
                    "section": "quarterly_median",
                    **challenge,
                    "quarter": quarter.label,
                    "median": median,
                    "teams": cell.teams,
                }
            )
    for flags in portfolio.flags:
        for challenge in flags.challenges:
            for practice in challenge.flagged:
                rows.append(
                    {
                        "section": "high_risk_flag",
                        "challenge": challenge.title,
                        "module": "yes" if challenge.is_module else "no",
                        "team": spreadsheet_safe(flags.team.name),
                        "submitted": f"{flags.submission.submitted_at:%Y-%m-%d}",
                        "practice": practice.title,
                    }
                )
    for item in portfolio.common_items:
        rows.append(
            {
                "section": "common_plan_item",
                "challenge": item.challenge_title,
                "practice": item.practice_title,
                "teams": item.teams,
                "high_risk_teams": item.flagged_teams,
                "guidance_url": site_url + item.guidance_anchor,
            }
        )
    return rows


@login_required
def portfolio_csv(request: HttpRequest, slug: str) -> HttpResponse:
    loaded, _ = _load(request, slug)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, restval="")
    writer.writeheader()
    writer.writerows(portfolio_rows(loaded, site_url=settings.SITE_URL))
    _note_download(request, EventKind.EXPORT_DOWNLOADED, loaded, "CSV")
    return _attachment(buffer.getvalue().encode("utf-8"), "text/csv; charset=utf-8", loaded, "csv")
