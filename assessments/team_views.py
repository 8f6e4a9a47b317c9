"""Team pages: dashboard, members and invitations, actions, history and comparison."""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.text import Truncator
from django.utils.timezone import localtime
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from assessments import access, services
from assessments.access import Capability
from assessments.charts import TrendSeries, trend_svg
from assessments.comparison import Change, action_outcomes, compare_practices
from assessments.forms import ActionForm, CompareForm, InvitationForm, MemberForm, NewAssessmentForm
from assessments.models import Action, Assessment, Invitation, Membership, Role, Status
from assessments.results import action_record, build_results, practice_levels, score_many


@login_required
def home(request: HttpRequest) -> HttpResponse:
    teams = access.visible_teams(request.user).prefetch_related(
        Prefetch("assessments", queryset=Assessment.objects.order_by("-created_at"))
    )
    organisations = request.user.consulting_organisations.all()
    return render(request, "assessments/home.html", {"teams": teams, "organisations": organisations})


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
@never_cache
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    team, team_access = access.get_team(request.user, team_id)
    assessments = list(team.assessments.select_related("playbook"))
    form = NewAssessmentForm(request.POST or None, previous=team.assessments.all())
    if request.method == "POST":
        access.get_team(request.user, team_id, Capability.MANAGE)
        if form.is_valid():
            assessment = services.create_assessment(
                team=team,
                user=request.user,
                title=form.cleaned_data["title"],
                prefill_from=form.cleaned_data["prefill_from"],
            )
            messages.success(request, f"Started “{assessment.title}”.")
            return redirect(assessment)
    return render(
        request,
        "assessments/team_detail.html",
        {"team": team, "access": team_access, "rows": _dashboard_rows(assessments), "form": form},
    )


def _member_added_message(added: services.MemberAdded, team) -> str:
    """Says plainly when adding someone changed the role they already had."""
    username, role = added.membership.user.get_username(), added.membership.get_role_display()
    if added.previous_role is None:
        return f"{username} is now in {team.name} as a {role}."
    if added.previous_role == added.membership.role:
        return f"{username} was already a {role} in {team.name}; nothing changed."
    return f"{username} was a {Role(added.previous_role).label} and is now a {role} in {team.name}."


def _add_member(request: HttpRequest, team, form: MemberForm) -> bool:
    """True once the user is in the team; otherwise the form carries the reason."""
    user = get_user_model().objects.filter(username=form.cleaned_data["username"]).first()
    if user is None:
        form.add_error("username", "No user has that username; invite them by email instead.")
        return False
    try:
        added = services.add_member(team=team, user=user, role=form.cleaned_data["role"])
    except services.LastLead:
        form.add_error("role", f"{user.get_username()} is the only team lead; make someone else a lead first.")
        return False
    messages.success(request, _member_added_message(added, team))
    return True


def _invite(request: HttpRequest, team, form: InvitationForm) -> bool:
    """True once the invitation is sent (or sent again); otherwise the form carries the reason."""
    email = form.cleaned_data["email"]
    resending = services.pending_invitations(team=team, email=email).exists()
    try:
        invitation = services.invite(team=team, email=email, role=form.cleaned_data["role"], invited_by=request.user)
    except services.AlreadyMember as error:
        form.add_error("email", f"{email} belongs to {error.username}, who is already in {team.name}.")
        return False
    link = request.build_absolute_uri(reverse("assessments:accept_invitation", args=[invitation.token]))
    services.send_invitation(invitation=invitation, link=link)
    sent = "sent again" if resending else "sent"
    until = date_format(localtime(invitation.expires_at), "j M Y")
    messages.success(request, f"Invitation {sent} to {invitation.email}; the link works until {until}.")
    return True


@login_required
@never_cache
def members(request: HttpRequest, team_id: int) -> HttpResponse:
    team, team_access = access.get_team(request.user, team_id, Capability.MANAGE)
    member_form, invite_form = MemberForm(), InvitationForm()
    if request.method == "POST" and "add" in request.POST:
        member_form = MemberForm(request.POST)
        if member_form.is_valid() and _add_member(request, team, member_form):
            return redirect("assessments:members", team_id)
    elif request.method == "POST" and "invite" in request.POST:
        invite_form = InvitationForm(request.POST)
        if invite_form.is_valid() and _invite(request, team, invite_form):
            return redirect("assessments:members", team_id)
    return render(
        request,
        "assessments/team_members.html",
        {
            "team": team,
            "access": team_access,
            "memberships": team.memberships.select_related("user"),
            "invitations": team.invitations.filter(accepted_at__isnull=True),
            "member_form": member_form,
            "invite_form": invite_form,
        },
    )


@login_required
@require_POST
def remove_member(request: HttpRequest, team_id: int, membership_id: int) -> HttpResponse:
    team, _ = access.get_team(request.user, team_id, Capability.MANAGE)
    membership = Membership.objects.filter(team=team, pk=membership_id).select_related("user").first()
    if membership is None:
        raise Http404("No such member")
    username = membership.user.get_username()
    if membership.user_id == request.user.pk:
        messages.error(request, "You cannot remove yourself; ask another lead.")
        return redirect("assessments:members", team_id)
    try:
        services.remove_member(membership=membership)
    except services.LastLead:
        messages.error(request, f"{username} is the only team lead; make someone else a lead first.")
    else:
        messages.success(request, f"Removed {username} from {team.name}.")
    return redirect("assessments:members", team_id)


@login_required
@require_POST
def revoke_invitation(request: HttpRequest, team_id: int, invitation_id: int) -> HttpResponse:
    team, _ = access.get_team(request.user, team_id, Capability.MANAGE)
    invitation = Invitation.objects.filter(team=team, pk=invitation_id, accepted_at__isnull=True).first()
    if invitation is None:
        raise Http404("No such invitation")
    services.revoke_invitation(invitation=invitation)
    messages.success(request, f"The invitation to {invitation.email} is withdrawn; its link no longer works.")
    return redirect("assessments:members", team_id)


@never_cache
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the token is the credential. A new user picks a username and password here."""
    invitation = Invitation.objects.select_related("team").filter(token=token, accepted_at__isnull=True).first()
    signup_form = None
    if invitation is not None and request.method == "POST":
        if request.user.is_authenticated:
            user = request.user
        else:
            signup_form = UserCreationForm(request.POST)
            user = signup_form.save() if signup_form.is_valid() else None
        if user is not None:
            try:
                services.accept_invitation(token=token, user=user)
            except services.InvitationInvalid as error:
                messages.error(request, str(error))
                return redirect("assessments:home" if request.user.is_authenticated else "login")
            if not request.user.is_authenticated:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to {invitation.team.name}.")
            return redirect(invitation.team)
    elif invitation is not None and not request.user.is_authenticated:
        signup_form = UserCreationForm()
    return render(
        request,
        "assessments/invitation_accept.html",
        {"invitation": invitation, "signup_form": signup_form, "expired": invitation and invitation.is_expired},
        status=200 if invitation else 404,
    )


def _may_update(action: Action, user, team_access) -> bool:
    """Leads update any action; a member updates the status of an action they own."""
    return team_access.can_manage or (team_access.can_answer and action.owner_id == user.pk)


def _action_forms(team, user, team_access, data=None, only: Action | None = None) -> list[ActionForm]:
    """The team's action forms; with `only`, the posted one first and the others fresh."""
    members = {u.pk: u for u in get_user_model().objects.filter(memberships__team=team).order_by("username")}

    def form_for(action, data=None):
        form = ActionForm(
            data,
            instance_action=action,
            members=members,
            prefix=f"action-{action.pk}",
            status_only=not team_access.can_manage,
        )
        form.editable = _may_update(action, user, team_access)
        return form

    forms = [form_for(a) for a in Action.objects.filter(team=team).select_related("owner", "assessment") if a != only]
    if only is not None:
        forms.insert(0, form_for(only, data))
    return forms


@login_required
@never_cache
def actions(request: HttpRequest, team_id: int) -> HttpResponse:
    team, team_access = access.get_team(request.user, team_id)
    context = {"team": team, "access": team_access, "forms": _action_forms(team, request.user, team_access)}
    return render(request, "assessments/team_actions.html", context)


@login_required
@require_POST
def update_action(request: HttpRequest, team_id: int, action_id: int) -> HttpResponse:
    team, team_access = access.get_team(request.user, team_id)
    action = Action.objects.filter(team=team, pk=action_id).first()
    if action is None:
        raise Http404("No such action")
    if not _may_update(action, request.user, team_access):
        raise PermissionDenied("Only a team lead or the action's owner may update it")
    forms = _action_forms(team, request.user, team_access, request.POST, only=action)
    if forms[0].is_valid():
        changes = {"owner": action.owner, "due_date": action.due_date} | forms[0].cleaned_data
        services.update_action(action=action, **changes)
        messages.success(request, f"Updated “{Truncator(action.title).words(10)}”.")
        return redirect("assessments:actions", team_id)
    messages.error(request, "The action was not updated; see the message beside it.")
    return render(request, "assessments/team_actions.html", {"team": team, "access": team_access, "forms": forms})


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
            tuple(next((c.score for c in scores[a.pk].challenges if c.slug == slug), None) for a in submitted),
        )
        for slug, title in challenge_titles.items()
    ]
    labels = [f"{a.submitted_at or a.created_at:%d %b %Y}" for a in submitted]
    if compare_form is None:
        assessments = list(team.assessments.order_by("-created_at"))
        compare_form = CompareForm(assessments=assessments, initial=CompareForm.defaults(assessments))
    return render(
        request,
        "assessments/team_history.html",
        {
            "team": team,
            "access": team_access,
            "rows": [(a, scores[a.pk]) for a in submitted],
            "chart": trend_svg(series, labels, title=f"{team.name}: challenge scores over time") if submitted else "",
            "compare_form": compare_form,
            "can_compare": len(compare_form.assessments) > 1,
        },
    )


@login_required
@never_cache
def history(request: HttpRequest, team_id: int) -> HttpResponse:
    team, team_access = access.get_team(request.user, team_id)
    return _history_page(request, team, team_access)


@login_required
@never_cache
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
            "compare_form": CompareForm(assessments=assessments, initial={"before": before.pk, "after": after.pk}),
        },
    )


@login_required
@never_cache
def organisation_overview(request: HttpRequest, slug: str) -> HttpResponse:
    """A consultant's heatmap: each team's latest submitted levels by challenge."""
    organisation = request.user.consulting_organisations.filter(slug=slug).first()
    if organisation is None:
        raise Http404("No such organisation")
    teams = list(organisation.teams.all())
    latest: dict[int, Assessment] = {}
    for assessment in (
        Assessment.objects.filter(team__in=teams, status=Status.SUBMITTED)
        .select_related("playbook")
        .order_by("team_id", "-submitted_at")
    ):
        latest.setdefault(assessment.team_id, assessment)
    scores = score_many(list(latest.values()))
    columns: dict[str, str] = {}
    for score in scores.values():
        for challenge in score.challenges:
            columns.setdefault(challenge.slug, challenge.title)
    rows = []
    for team in teams:
        assessment = latest.get(team.pk)
        levels = {c.slug: c for c in scores[assessment.pk].challenges} if assessment else {}
        rows.append({"team": team, "assessment": assessment, "cells": [levels.get(slug) for slug in columns]})
    return render(
        request,
        "assessments/organisation_overview.html",
        {"organisation": organisation, "columns": columns, "rows": rows},
    )


@login_required
@never_cache
def session_status(request: HttpRequest) -> JsonResponse:
    """Who is signed in and when the session ends; pages use it to warn before a long form times out."""
    return JsonResponse(
        {"username": request.user.get_username(), "expires_at": request.session.get_expiry_date().isoformat()}
    )
