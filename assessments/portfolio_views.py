"""An organisation's portfolio for its stakeholders: the page, its PDF and its CSV, from the same numbers.

Loading costs the same few queries whatever the number of teams or what the cache holds: the teams, their
submitted assessments with their playbook versions, and the fingerprints and answers of those scored (the playbooks'
practices are cached per process, each assessment's score and plan per revision of its answers:
assessments.scored_cache). The aggregates are the pure functions of `assessments.portfolio`.

Two years of two hundred teams' submissions take far longer to score and aggregate than to name, so the computed
portfolio is cached per process under a key naming everything it is computed from (`name_portfolio`): the day, which
decides the quarters, the filters, and the teams, each with its `submissions_revision`, which every submission,
reopening, deletion, restoring and change of targets counts up (services.submissions_changed; a submitted
assessment's answers never change, as assessments.scored_cache explains). Any change to one of them makes a new key,
named without reading a single assessment. The page's sections are cached as HTML under the same key, so a page read
from the cache unpickles one string, not thousands of objects.
"""

import csv
import io
from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

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
from assessments.scored_cache import content_key, score_and_plan_cached
from audit.models import EventKind
from audit.services import record
from playbook.rules import TOP_LEVEL


def query_of(team_filter: TeamFilter) -> str:
    """The filters as a query string, for the CSV and PDF links."""
    return urlencode({name: value for name, value in asdict(team_filter).items() if value})


@dataclass(frozen=True)
class LoadedPortfolio:
    organisation: Organisation
    portfolio: Portfolio
    level_names: tuple[str, ...]  # of the newest playbook version read; empty when no team has submitted
    generated_on: date

    @property
    def filter_query(self) -> str:
        return query_of(self.portfolio.team_filter)


def team_rows(organisation: Organisation) -> list[TeamRow]:
    teams = organisation.teams.filter(archived_at__isnull=True).order_by("name")
    rows = teams.values_list("pk", "name", "business_unit", "product_area", "tags", "submissions_revision")
    return [TeamRow(pk, name, unit, area, tuple(tags), revision) for pk, name, unit, area, tags, revision in rows]


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


PORTFOLIO_CACHE_SECONDS = 3600


@dataclass(frozen=True)
class NamedPortfolio:
    """What a portfolio is computed from, and the key naming all of it."""

    teams: list[TeamRow]
    team_filter: TeamFilter
    today: date  # decides the quarters
    key: str


def name_portfolio(teams: list[TeamRow], team_filter: TeamFilter) -> NamedPortfolio:
    """No query: each team's row names its submitted assessments by its `submissions_revision`, which every
    submission, reopening, deletion, restoring and change of targets counts up (services.submissions_changed)."""
    today = timezone.localdate()
    rows = [(t.team_id, t.name, t.business_unit, t.product_area, t.tags, t.submissions_revision) for t in teams]
    parts = (today, asdict(team_filter), rows)
    return NamedPortfolio(teams, team_filter, today, content_key("portfolio", parts))


def _read_submitted(team_ids: Collection[int]) -> list[Assessment]:
    """The teams' submitted assessments, with their playbook versions: one query, even for no team."""
    # No team has id 0: an empty list would skip the query, and the page would cost less when cached.
    submitted = Assessment.objects.filter(
        team_id__in=list(team_ids) or [0], status=Status.SUBMITTED, submitted_at__isnull=False
    )
    fields = ("team", "playbook", "submitted_at", "targets", "modules")
    return list(submitted.select_related("playbook").only(*fields).defer("playbook__scoring_method").order_by("pk"))


def compute_portfolio(
    organisation: Organisation, named: NamedPortfolio, *, wanted: bool = True
) -> LoadedPortfolio | None:
    """The portfolio `named` names, from the cache or computed. Three queries, whether it is cached or not wanted
    (the page's HTML is cached): they then run over no assessment, so a page costs the same whatever the cache holds."""
    cache = caches["fragments"]  # per process: the key names the content, so processes need not agree
    computed = cache.get(named.key) if wanted else None
    kept = [team.team_id for team in filter_teams(named.teams, named.team_filter)]
    submitted = _read_submitted(kept if wanted and computed is None else ())
    here = timezone.get_current_timezone()
    dated = [(a.team_id, a.pk, a.submitted_at.astimezone(here)) for a in submitted]
    # Only what the portfolio reads is scored: each team's latest, and its latest by each quarter's end; and only
    # the latest are planned, as the common plan items read no other.
    needed = submissions_to_score(dated, last_quarters(named.today))
    read = [assessment for assessment in submitted if assessment.pk in needed]
    scored = score_and_plan_cached(read, plan_for=submissions_to_score(dated, ()) if read else ())
    if wanted and computed is None:
        newest = max(read, key=lambda a: a.submitted_at, default=None)
        scopes: dict = {}
        portfolio = build_portfolio(
            named.teams,
            [_submitted_levels(a, scored[a.pk], scopes) for a in read],
            {pk: one.plan for pk, one in scored.items()},
            today=named.today,
            team_filter=named.team_filter,
            top_level=newest.playbook.top_level if newest else TOP_LEVEL,
        )
        computed = portfolio, tuple(newest.playbook.level_names) if newest else ()
        cache.set(named.key, computed, PORTFOLIO_CACHE_SECONDS)
    return LoadedPortfolio(organisation, *computed, named.today) if computed else None


def load_portfolio(organisation: Organisation, teams: list[TeamRow], team_filter: TeamFilter) -> LoadedPortfolio:
    return compute_portfolio(organisation, name_portfolio(teams, team_filter))


def _filtered(request: HttpRequest, slug: str) -> tuple[Organisation, list[TeamRow], TeamFilter, PortfolioFilterForm]:
    organisation, _ = access.get_organisation(request.user, slug)
    teams = team_rows(organisation)
    form = PortfolioFilterForm(request.GET or None, choices=filter_choices(teams))
    # A filter naming a value no team has any more shows every team, and the form says why.
    team_filter = TeamFilter(**form.cleaned_data) if form.is_valid() else TeamFilter()
    return organisation, teams, team_filter, form


def _load(request: HttpRequest, slug: str) -> LoadedPortfolio:
    organisation, teams, team_filter, _ = _filtered(request, slug)
    return load_portfolio(organisation, teams, team_filter)


def _filters_html(context: dict) -> SafeString:
    """The filter form, cached per process under a key naming all it shows: the organisation, the values its teams
    offer, what was asked (errors follow from those) and the language. Rendering three selects of an estate's values
    through the form templates took a third of a page whose sections come from the cache."""
    form, organisation = context["form"], context["organisation"]
    asked = [(name, form.data.getlist(name)) for name in form.fields] if form.is_bound else None
    choices = [form.fields[name].choices for name in form.fields]
    key = content_key("portfolio-filters", (organisation.slug, choices, asked, get_language()))
    cache = caches["fragments"]
    if (html := cache.get(key)) is None:
        html = render_to_string("assessments/portfolio.html#filters", context)
        cache.set(key, html, PORTFOLIO_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 (our template's)


@login_required
def portfolio(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, teams, team_filter, form = _filtered(request, slug)
    named = name_portfolio(teams, team_filter)
    # The sections' HTML, cached under the portfolio's key: a page read from the cache builds no portfolio objects.
    cache, sections_key = caches["fragments"], f"portfolio-page:{named.key}"
    sections = cache.get(sections_key)
    loaded = compute_portfolio(organisation, named, wanted=sections is None)
    if sections is None:
        sections = render_to_string("assessments/portfolio.html#sections", {"loaded": loaded, "link_base": ""})
        cache.set(sections_key, sections, PORTFOLIO_CACHE_SECONDS)
    context = {"organisation": organisation, "form": form, "team_filter": team_filter}
    context |= {"filters": _filters_html(context), "filter_query": query_of(team_filter)}
    context["sections"] = mark_safe(sections)  # noqa: S308 (our template's)
    return render(request, "assessments/portfolio.html", context)


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
    loaded = _load(request, slug)
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
    loaded = _load(request, slug)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, restval="")
    writer.writeheader()
    writer.writerows(portfolio_rows(loaded, site_url=settings.SITE_URL))
    _note_download(request, EventKind.EXPORT_DOWNLOADED, loaded, "CSV")
    return _attachment(buffer.getvalue().encode("utf-8"), "text/csv; charset=utf-8", loaded, "csv")
