"""The team's tracked actions: everyone reads them, leads assign them, owners report progress."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

from assessments import access, tracking
from assessments.forms import ActionForm
from assessments.models import Action, Role
from integrations.models import TrackerConnection

ACTIONS_PER_PAGE = 30


def _action_forms(team, user, team_access, page, data=None, only: Action | None = None) -> list[ActionForm]:
    """Forms for one page of the team's actions; with `only`, the posted one first and the others fresh."""
    # Owners do the work, so viewers (who only read) are not offered.
    owners = get_user_model().objects.filter(memberships__team=team, memberships__role__in=[Role.LEAD, Role.MEMBER])
    members = {u.pk: u for u in owners.order_by("username")}

    def form_for(action, data=None):
        form = ActionForm(
            data,
            instance_action=action,
            members=members,
            prefix=f"action-{action.pk}",
            status_only=not team_access.can_manage,
        )
        form.editable = access.may_update_action(user, team_access, action)
        return form

    forms = [form_for(a) for a in page.object_list if a != only]
    if only is not None:
        forms.insert(0, form_for(only, data))
    return forms


@login_required
def actions(request: HttpRequest, team_id: int) -> HttpResponse:
    team, team_access = access.get_team(request.user, team_id)
    page = _page(team, request.GET.get("page"))
    forms = _action_forms(team, request.user, team_access, page)
    return render(request, "assessments/team_actions.html", _context(team, team_access, forms, page))


def _page(team, number):
    actions = Action.objects.filter(team=team).select_related("owner", "assessment", "tracker_link")
    return Paginator(actions, ACTIONS_PER_PAGE).get_page(number)


def _context(team, team_access, forms: list[ActionForm], page) -> dict:
    # The tracker connection offers "push" on each action and "sync" for all, to those who manage the team.
    tracker = TrackerConnection.objects.filter(team=team).first() if team_access.can_manage else None
    return {"team": team, "access": team_access, "forms": forms, "tracker": tracker, "page": page}


@login_required
@require_POST
def update_action(request: HttpRequest, team_id: int, action_id: int) -> HttpResponse:
    team, team_access = access.get_team(request.user, team_id)
    action = Action.objects.filter(team=team, pk=action_id).first()
    if action is None:
        raise Http404("No such action")
    if not access.may_update_action(request.user, team_access, action):
        raise PermissionDenied("Only a team lead or the action's owner may update it")
    page = _page(team, request.GET.get("page"))
    forms = _action_forms(team, request.user, team_access, page, request.POST, only=action)
    if forms[0].is_valid():
        changes = {"owner": action.owner, "due_date": action.due_date} | forms[0].cleaned_data
        tracking.update_action(action=action, **changes)
        messages.success(request, f"Updated “{Truncator(action.title).words(10)}”.")
        return redirect("assessments:actions", team_id)
    messages.error(request, "The action was not updated; see the message beside it.")
    return render(request, "assessments/team_actions.html", _context(team, team_access, forms, page))
