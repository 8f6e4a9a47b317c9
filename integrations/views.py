"""The team's tracker: connect it, push plan items and tracked actions to it, and sync their status back."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

from assessments import access
from assessments.access import Capability
from assessments.models import Action
from assessments.results import build_results
from integrations import credentials, services
from integrations.forms import TrackerConnectionForm
from integrations.models import TrackerConnection
from integrations.trackers.errors import TrackerError

# What a failed push or sync can raise; each carries a message written for the page.
PROBLEMS = (TrackerError, credentials.CredentialsUnavailable, services.NotPushable)


@login_required
def tracker(request: HttpRequest, team_id: int) -> HttpResponse:
    team, team_access = access.get_team(request.user, team_id, Capability.MANAGE)
    form = TrackerConnectionForm(request.POST if request.method == "POST" else None)
    configured = credentials.is_configured()
    if request.method == "POST" and configured and form.is_valid():
        connection = services.connect(
            team=team,
            user=request.user,
            kind=form.cleaned_data["kind"],
            details=form.details(),
            token=form.cleaned_data["token"],
        )
        messages.success(request, f"Connected to {connection}. Push plan items from an assessment's results.")
        return redirect("integrations:tracker", team.pk)
    if form.errors:
        form.add_error(None, "Nothing was saved. For safety the token is not shown again: enter it once more.")
    connection = TrackerConnection.objects.filter(team=team).select_related("connected_by").first()
    context = {
        "team": team,
        "access": team_access,
        "form": form,
        "configured": configured,
        "missing_key": credentials.MISSING_KEY,
        "connection": connection,
        "linked": connection.links.count() if connection else 0,
    }
    return render(request, "integrations/tracker.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def disconnect(request: HttpRequest, team_id: int) -> HttpResponse:
    team, _ = access.get_team(request.user, team_id, Capability.MANAGE)
    connection = TrackerConnection.objects.filter(team=team).first()
    if connection is None:
        raise Http404("This team has no tracker connection")
    services.disconnect(connection=connection, user=request.user)
    messages.success(request, f"Disconnected {connection}. Its items stay in the tracker; the token is deleted here.")
    return redirect("integrations:tracker", team.pk)


@login_required
@require_POST
def push_plan_item(request: HttpRequest, pk: int, practice_slug: str) -> HttpResponse:
    assessment, _ = access.get_assessment(request.user, pk, Capability.MANAGE)
    item = build_results(assessment).plan_item(practice_slug)
    if item is None:
        raise Http404("That practice is not in the plan")
    back = f"{reverse('assessments:results', args=[pk])}#plan-{practice_slug}"
    try:
        _, pushed = services.push_plan_item(assessment=assessment, item=item, user=request.user)
    except PROBLEMS as error:
        messages.error(
            request, f"“{item.practice_title}” is tracked on the action list but was not pushed: {error.message}"
        )
        return redirect(back)
    messages.success(request, _pushed_message(item.practice_title, pushed))
    return redirect(back)


@login_required
@require_POST
def push_action(request: HttpRequest, team_id: int, action_id: int) -> HttpResponse:
    team, _ = access.get_team(request.user, team_id, Capability.MANAGE)
    action = Action.objects.filter(team=team, pk=action_id).select_related("assessment").first()
    if action is None:
        raise Http404("No such action")
    title = Truncator(action.title).words(10)
    try:
        pushed = services.push_action(action=action, user=request.user)
    except PROBLEMS as error:
        messages.error(request, f"“{title}” was not pushed: {error.message}")
    else:
        messages.success(request, _pushed_message(title, pushed))
    return redirect(f"{reverse('assessments:actions', args=[team.pk])}#action-{action.pk}")


@login_required
@require_POST
def sync(request: HttpRequest, team_id: int) -> HttpResponse:
    team, _ = access.get_team(request.user, team_id, Capability.MANAGE)
    try:
        report = services.sync(team=team, user=request.user)
    except PROBLEMS as error:
        messages.error(request, f"Nothing was synced: {error.message}")
        return redirect("assessments:actions", team.pk)
    summary = f"Read {report.checked} item{'s' if report.checked != 1 else ''} from the tracker"
    summary += f"; {len(report.updated)} action{'s' if len(report.updated) != 1 else ''} changed status."
    if report.updated:
        summary += " Changed: " + "; ".join(f"“{Truncator(t).words(8)}”" for t in report.updated) + "."
    if report.stopped:
        messages.warning(request, f"{summary} The sync stopped before the end, keeping what it read: {report.stopped}")
    else:
        messages.success(request, summary)
    for title in report.gone:
        messages.warning(
            request,
            f"“{Truncator(title).words(8)}” is no longer in the tracker (deleted or moved). Push it again to "
            "make a new item, or leave it: its status here is kept.",
        )
    return redirect("assessments:actions", team.pk)


def _pushed_message(title: str, pushed: services.Pushed) -> str:
    key = pushed.link.external_key
    if pushed.replaced_gone:
        return f"The earlier item for “{title}” had been deleted in the tracker, so it was pushed as a new one: {key}."
    verb = "Created" if pushed.created else "Updated"
    return f"{verb} {key} in the tracker for “{title}”."
