"""Team members and invitations: a lead adds, removes and invites people; invitees accept by link."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.http import urlencode
from django.utils.timezone import localtime
from django.views.decorators.http import require_http_methods, require_POST

from assessments import access, membership, sharing
from assessments.access import Capability
from assessments.forms import InvitationForm, MemberForm
from assessments.models import Invitation, Membership, Role
from config.site import absolute_url


def _member_added_message(added: membership.MemberAdded, team) -> str:
    """Says plainly when adding someone changed the role they already had."""
    username, role = added.membership.user.get_username(), added.membership.get_role_display()
    if added.previous_role is None:
        return f"{username} is now in {team.name} as a {role}."
    if added.previous_role == added.membership.role:
        return f"{username} was already a {role} in {team.name}; nothing changed."
    return f"{username} was a {Role(added.previous_role).label} and is now a {role} in {team.name}."


def _add_member(request: HttpRequest, team, form: MemberForm) -> bool:
    """True once the user is in the team; otherwise the form carries the reason."""
    try:
        user = membership.organisation_user(team=team, username=form.cleaned_data["username"])
        added = membership.add_member(team=team, user=user, role=form.cleaned_data["role"], by=request.user)
    except membership.NotInOrganisation:
        form.add_error(
            "username",
            f"Nobody in {team.organisation.name} has that username. Invite them by email instead: they join once "
            "they accept.",
        )
        return False
    except membership.AddingYourself:
        form.add_error("username", "You cannot add yourself to a team; ask one of its leads.")
        return False
    except membership.LastLead:
        form.add_error("role", f"{user.get_username()} is the only team lead; make someone else a lead first.")
        return False
    messages.success(request, _member_added_message(added, team))
    return True


def _invite(request: HttpRequest, team, form: InvitationForm) -> bool:
    """True once the invitation is sent (or sent again); otherwise the form carries the reason."""
    email = form.cleaned_data["email"]
    resending = membership.pending_invitations(team=team, email=email).exists()
    try:
        invitation = membership.invite(team=team, email=email, role=form.cleaned_data["role"], invited_by=request.user)
    except membership.AlreadyMember as error:
        form.add_error("email", f"{email} belongs to {error.username}, who is already in {team.name}.")
        return False
    link = absolute_url(reverse("assessments:accept_invitation", args=[invitation.token]))
    membership.send_invitation(invitation=invitation, link=link)
    until = date_format(localtime(invitation.expires_at), "j M Y")
    if resending:
        messages.success(
            request,
            f"Invitation sent again to {invitation.email} with a new link, which works until {until}; "
            "the link in the earlier email no longer works.",
        )
    else:
        messages.success(request, f"Invitation sent to {invitation.email}; the link works until {until}.")
    return True


@login_required
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
@require_http_methods(["GET", "POST"])
def remove_member(request: HttpRequest, team_id: int, membership_id: int) -> HttpResponse:
    """A confirmation page first: it says what removing does not undo, and offers to revoke the team's links."""
    team, _ = access.get_team(request.user, team_id, Capability.MANAGE)
    member = Membership.objects.filter(team=team, pk=membership_id).select_related("user").first()
    if member is None:
        raise Http404("No such member")
    username = member.user.get_username()
    if member.user_id == request.user.pk:
        messages.error(request, "You cannot remove yourself; ask another lead.")
        return redirect("assessments:members", team_id)
    if request.method == "GET":
        live_links = sharing.live_share_links(team)
        context = {"team": team, "member": member, "live_links": live_links}
        return render(request, "assessments/member_remove.html", context)
    try:
        revoked = membership.remove_member(
            membership=member, by=request.user, revoke_share_links="revoke_share_links" in request.POST
        )
    except membership.LastLead:
        messages.error(request, f"{username} is the only team lead; make someone else a lead first.")
    else:
        also = f" and revoked {revoked} share link{pluralize(revoked)}" if revoked else ""
        messages.success(request, f"Removed {username} from {team.name}{also}.")
    return redirect("assessments:members", team_id)


@login_required
@require_POST
def revoke_invitation(request: HttpRequest, team_id: int, invitation_id: int) -> HttpResponse:
    team, _ = access.get_team(request.user, team_id, Capability.MANAGE)
    invitation = Invitation.objects.filter(team=team, pk=invitation_id, accepted_at__isnull=True).first()
    if invitation is None:
        raise Http404("No such invitation")
    membership.revoke_invitation(invitation=invitation, by=request.user)
    messages.success(request, f"The invitation to {invitation.email} is withdrawn; its link no longer works.")
    return redirect("assessments:members", team_id)


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the token is the credential. A new user picks a username and password here."""
    invitation = Invitation.objects.select_related("team").filter(token=token, accepted_at__isnull=True).first()
    signup_form = None
    if invitation is not None and request.method == "POST":
        signed_in = request.user.is_authenticated
        signup_form = None if signed_in else UserCreationForm(request.POST)
        if signed_in or signup_form.is_valid():
            new_account = None
            if not signed_in:
                data = signup_form.cleaned_data
                new_account = membership.NewAccount(data["username"], data["password1"])
            try:
                joined = membership.accept_invitation(
                    token=token, user=request.user if signed_in else None, new_account=new_account
                )
            except membership.InvitationForAnotherAddress as error:
                messages.error(request, str(error))
                if signed_in:
                    return redirect("assessments:home")
                return redirect(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
            except membership.InvitationInvalid as error:
                messages.error(request, str(error))
                return redirect("assessments:home" if signed_in else "account_login")
            if not signed_in:
                login(request, joined.user, backend="django.contrib.auth.backends.ModelBackend")
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
