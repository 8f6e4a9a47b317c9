"""Team pages: the dashboard, history and comparison."""

from collections.abc import Sequence

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.paginator import Paginator
from django.db import DEFAULT_DB_ALIAS
from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone_name, localtime
from django.utils.translation import get_language

from assessments import access, services
from assessments.access import Capability
from assessments.charts import TrendSeries, trend_svg
from assessments.comparison import Change, action_outcomes, compare_practices, compare_scopes
from assessments.forms import CompareForm, NewAssessmentForm
from assessments.models import Action, Assessment, Status, Team, isolated
from assessments.onboarding_views import needs_first_run
from assessments.results import (
    action_record,
    build_results,
    challenge_versions,
    practice_levels,
    score_many,
    version_changes,
)
from assessments.scored_cache import content_key
from config.compiled_query import CompiledQuery
from playbook.models import PlaybookVersion

HOME_TEAMS_PER_PAGE = 20
HOME_ASSESSMENTS_PER_TEAM = 3
HOME_CARD_CACHE_SECONDS = 3600


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if needs_first_run(request.user):
        return redirect("assessments:first_run")
    # Bounded: an organisation viewer or consultant may see hundreds of teams; the heatmap and portfolio are the
    # overview of those, this page the way into one.
    teams = Paginator(access.visible_teams(request.user).filter(archived_at__isnull=True), HOME_TEAMS_PER_PAGE)
    page = teams.get_page(request.GET.get("page"))
    newest = _newest_assessments_of([team.pk for team in page.object_list])
    for team in page.object_list:
        team.access = access.access_to(team)
        team.newest_assessments = newest.get(team.pk, [])
    organisations = list(access.organisations_for(request.user))
    for organisation in organisations:
        organisation.access = access.access_to_organisation(organisation)
    context = {"page": page, "cards": team_cards(page.object_list), "organisations": organisations}
    return render(request, "assessments/home.html", context)


# What a card shows of an assessment, in the model's field order: Model.from_db reads a partial row in that order.
_CARD_ASSESSMENT_FIELDS = tuple(
    field.attname
    for field in Assessment._meta.concrete_fields
    if field.attname in {"id", "team_id", "title", "created_at", "submitted_at"}
)


def _newest_assessments(team_ids: list[int]) -> QuerySet:
    """Each team's HOME_ASSESSMENTS_PER_TEAM newest assessments (a team may have dozens), with what a card shows."""
    newest_first = Window(RowNumber(), partition_by=F("team_id"), order_by=(F("created_at").desc(), F("pk").desc()))
    return (
        Assessment.objects.filter(team_id__in=team_ids)
        .annotate(rank=newest_first)
        .filter(rank__lte=HOME_ASSESSMENTS_PER_TEAM)
        .order_by("team_id", "rank")
        .values_list(*_CARD_ASSESSMENT_FIELDS)
    )


# Compiled once per process and page length: built on each view (as a sliced Prefetch does), the window query for a
# page of twenty teams cost about 5 ms, against 1.2-1.7 ms compiled once (config/compiled_query.py).
_NEWEST_ASSESSMENTS = CompiledQuery(_newest_assessments)


def _newest_assessments_of(team_ids: list[int]) -> dict[int, list[Assessment]]:
    newest: dict[int, list[Assessment]] = {}
    for row in _NEWEST_ASSESSMENTS.rows(team_ids=team_ids):
        assessment = Assessment.from_db(DEFAULT_DB_ALIAS, _CARD_ASSESSMENT_FIELDS, row)
        newest.setdefault(assessment.team_id, []).append(assessment)
    return newest


def team_cards(teams: Sequence[Team]) -> list[SafeString]:
    """Each team's card on the home page, cached per process under a key naming everything it shows (the team, its
    organisation, whether the person may start an assessment, its newest assessments, and the language and time zone
    its dates are written in): a consultant's page of twenty teams renders only the cards that changed."""
    where = (get_language(), get_current_timezone_name())
    keys = {
        team.pk: content_key(
            "home-card",
            (
                team.pk,
                team.name,
                team.organisation.name,
                team.access.can_manage,
                [(a.pk, a.title, a.created_at, a.submitted_at) for a in team.newest_assessments],
                where,
            ),
        )
        for team in teams
    }
    cache = caches["fragments"]
    cached = cache.get_many(keys.values())
    fresh = {
        keys[team.pk]: render_to_string("assessments/home.html#team-card", {"team": team})
        for team in teams
        if keys[team.pk] not in cached
    }
    cache.set_many(fresh, HOME_CARD_CACHE_SECONDS)
    return [mark_safe(cached.get(keys[team.pk]) or fresh[keys[team.pk]]) for team in teams]  # noqa: S308 (our template's)


def _dashboard_rows(assessments: list[Assessment]) -> list[dict]:
    """Each assessment with its overall level and the change from the previous submitted one."""
    scores = score_many(assessments)
    rows, previous_level = [], None
    for assessment in sorted(assessments, key=lambda a: a.created_at):
        level = scores[assessment.pk].level
        trend = None
        if assessment.status == Status.SUBMITTED and level is not None:
            if previous_level is not None:
                trend = "up" if level > previous_level else "down" if level < previous_level else "same"
            previous_level = level
        rows.append({"assessment": assessment, "score": scores[assessment.pk], "trend": trend})
    return rows[::-1]


@login_required
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    team, team_access = access.get_team(request.user, team_id)
    assessments = list(team.assessments.select_related("playbook"))
    form = _new_assessment_form(team) if team_access.can_manage else None
    deleted = list(access.deleted_assessments(team)) if team_access.can_manage else []
    for assessment in deleted:
        assessment.restorable_until = services.restorable_until(assessment)
    context = {"team": team, "access": team_access, "rows": _dashboard_rows(assessments), "form": form}
    return render(request, "assessments/team_detail.html", context | {"deleted": deleted})


def _new_assessment_form(team, data=None) -> NewAssessmentForm:
    playbook = PlaybookVersion.objects.get(is_current=True)
    return NewAssessmentForm(
        data, previous=team.assessments.order_by("-created_at"), modules=playbook.challenges.filter(is_module=True)
    )


@login_required
def start_assessment(request: HttpRequest, team_id: int) -> HttpResponse:
    """The form is also on the team page; it posts here, and comes back here when the input needs fixing."""
    team, team_access = access.get_team(request.user, team_id, Capability.MANAGE)
    form = _new_assessment_form(team, request.POST or None)
    if request.method == "POST" and form.is_valid():
        assessment = services.create_assessment(team=team, user=request.user, **form.cleaned_data)
        messages.success(request, f"Started “{assessment.title}”.")
        return redirect(assessment)
    return render(request, "assessments/assessment_new.html", {"team": team, "access": team_access, "form": form})


def _history_page(request: HttpRequest, team, team_access, compare_form: CompareForm | None = None) -> HttpResponse:
    """The history page, with the compare form as given (bound, after a refused comparison) or at its defaults."""
    submitted = list(team.assessments.filter(status=Status.SUBMITTED).select_related("playbook").order_by("created_at"))
    scores = score_many(submitted)
    challenge_titles: dict[str, str] = {}
    for assessment in submitted:
        for challenge in scores[assessment.pk].challenges:
            challenge_titles.setdefault(challenge.slug, challenge.title)
    series = [
        TrendSeries(
            title,
            tuple(next((c.shown_score for c in scores[a.pk].challenges if c.slug == slug), None) for a in submitted),
        )
        for slug, title in challenge_titles.items()
    ]
    labels = [date_format(localtime(a.submitted_at), "j M Y") for a in submitted]
    # Columns are every challenge any of them covered, matched by slug: modules come and go between assessments.
    by_slug = {a.pk: {c.slug: c for c in scores[a.pk].challenges} for a in submitted}
    rows = [(a, scores[a.pk], [by_slug[a.pk].get(slug) for slug in challenge_titles]) for a in submitted]
    if compare_form is None:
        assessments = list(team.assessments.order_by("-created_at"))
        compare_form = CompareForm(assessments=assessments, initial=CompareForm.defaults(assessments))
    return render(
        request,
        "assessments/team_history.html",
        {
            "team": team,
            "access": team_access,
            "rows": rows,
            "columns": list(challenge_titles.values()),
            "version_changes": version_changes(submitted),
            "chart": trend_svg(series, labels, title=f"{isolated(team.name)}: challenge scores over time")
            if rows
            else "",
            "compare_form": compare_form,
            "can_compare": len(compare_form.assessments) > 1,
        },
    )


@login_required
def history(request: HttpRequest, team_id: int) -> HttpResponse:
    team, team_access = access.get_team(request.user, team_id)
    return _history_page(request, team, team_access)


@login_required
def compare(request: HttpRequest, team_id: int) -> HttpResponse:
    team, team_access = access.get_team(request.user, team_id)
    assessments = list(team.assessments.select_related("playbook", "team__organisation").order_by("-created_at"))
    form = CompareForm(request.GET, assessments=assessments)
    if not form.is_valid():
        messages.error(request, "Not compared; see the message beside the comparison form.")
        return _history_page(request, team, team_access, compare_form=form)
    before, after = sorted((form.cleaned_data["before"], form.cleaned_data["after"]), key=lambda a: a.created_at)
    before_results, after_results = build_results(before), build_results(after)
    deltas = compare_practices(practice_levels(before_results), practice_levels(after_results))
    scope = compare_scopes(*challenge_versions(before_results, after_results))
    outcomes = action_outcomes(
        [action_record(a) for a in Action.objects.filter(assessment=before)], {d.slug: d.after for d in deltas}
    )
    return render(
        request,
        "assessments/team_compare.html",
        {
            "team": team,
            "access": team_access,
            "before": before_results,
            "after": after_results,
            "improved": [d for d in deltas if d.change == Change.IMPROVED],
            "regressed": [d for d in deltas if d.change == Change.REGRESSED],
            "outcomes": outcomes,
            "scope": scope,
            "compare_form": CompareForm(assessments=assessments, initial={"before": before.pk, "after": after.pk}),
        },
    )
