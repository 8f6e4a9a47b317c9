"""Database writes for team membership and invitations. Each function is one transaction."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from assessments import sharing
from assessments.models import Invitation, Membership, Role, Team
from audit.models import EventKind
from audit.services import record

INVITATION_LIFETIME = timedelta(days=7)


class InvitationInvalid(Exception):
    pass


class LastLead(Exception):
    """A team keeps at least one lead: without one, nobody in it could manage members or assessments."""


@dataclass(frozen=True)
class MemberAdded:
    membership: Membership
    previous_role: str | None  # None when the user was not in the team before


def _only_lead(team: Team, membership: Membership) -> bool:
    # Locking the team's lead rows makes two leads demoting each other at once queue, so one of them stays.
    leads = list(Membership.objects.select_for_update().filter(team=team, role=Role.LEAD).values_list("pk", flat=True))
    return leads == [membership.pk]


class NotInOrganisation(Exception):
    """Only people already in one of the organisation's teams can be added by username; others are invited."""


class AddingYourself(Exception):
    """Nobody adds themselves to a team: a consultant would keep the role after leaving the organisation."""


def organisation_user(*, team: Team, username: str) -> AbstractBaseUser:
    """The user with this username among the people of the team's organisation (any of its teams).

    Looking further would tell a lead which usernames exist elsewhere on the installation, so the error is the
    same whether the username is unknown or belongs to someone outside the organisation.
    """
    user = (
        get_user_model()
        .objects.filter(username=username, memberships__team__organisation_id=team.organisation_id)
        .distinct()
        .first()
    )
    if user is None:
        raise NotInOrganisation()
    return user


@transaction.atomic
def add_member(*, team: Team, user: AbstractBaseUser, role: Role, by: AbstractBaseUser | None) -> MemberAdded:
    """Add a user to the team, or change their role if they are in it already (which the caller should say).

    `by` is who asked (None for automatic rules such as company sign-in). Nobody joins a team by adding themselves;
    a lead may change their own role (stepping down, once there is another lead).
    """
    membership = Membership.objects.select_for_update().filter(team=team, user=user).first()
    who = by.get_username() if by is not None else "A sign-in rule"
    if membership is None:
        if by is not None and by.pk == user.pk:
            raise AddingYourself()
        membership = Membership.objects.create(team=team, user=user, role=role)
        summary = f"{who} added {user.get_username()} to {team.name} as {membership.get_role_display().lower()}"
        record(EventKind.MEMBER_ADDED, summary, actor=by, actor_name=who, team=team)
        return MemberAdded(membership, None)
    previous_role = membership.role
    if previous_role == Role.LEAD and role != Role.LEAD and _only_lead(team, membership):
        raise LastLead()
    membership.role = role
    membership.save(update_fields=["role"])
    if previous_role != role:
        summary = (
            f"{who} changed {user.get_username()}'s role in {team.name} from {Role(previous_role).label.lower()}"
            f" to {membership.get_role_display().lower()}"
        )
        record(EventKind.ROLE_CHANGED, summary, actor=by, actor_name=who, team=team)
    return MemberAdded(membership, previous_role)


@transaction.atomic
def remove_member(*, membership: Membership, by: AbstractBaseUser, revoke_share_links: bool = False) -> int:
    """Remove someone from the team, and with `revoke_share_links` stop every live share link of the team's
    assessments (links they copied would otherwise keep working until they expire). Returns the links revoked."""
    if membership.role == Role.LEAD and _only_lead(membership.team, membership):
        raise LastLead()
    membership.delete()
    team = membership.team
    record(
        EventKind.MEMBER_REMOVED,
        f"{by.get_username()} removed {membership.user.get_username()} from {team.name}",
        actor=by,
        team=team,
    )
    if not revoke_share_links:
        return 0
    return sharing.revoke_share_links(links=sharing.live_share_links(team), by=by)


class AlreadyMember(Exception):
    def __init__(self, username: str):
        self.username = username
        super().__init__(f"{username} is already in the team")


def pending_invitations(*, team: Team, email: str):
    """The team's unaccepted invitations to this address (expired ones included), newest first."""
    return Invitation.objects.filter(team=team, email__iexact=email, accepted_at__isnull=True).order_by("-created_at")


@transaction.atomic
def invite(*, team: Team, email: str, role: Role, invited_by: AbstractBaseUser) -> Invitation:
    """Invite an address to the team; inviting it again replaces the pending invitation instead of adding another.

    Each sending has a new token, so a link from an earlier email (perhaps for another role) stops working.
    """
    member = Membership.objects.filter(team=team, user__email__iexact=email).select_related("user").first()
    if member is not None:
        raise AlreadyMember(member.user.get_username())
    Team.objects.select_for_update().get(pk=team.pk)  # one invitation at a time per team, so no duplicates
    pending_invitations(team=team, email=email).delete()
    invitation = Invitation.objects.create(
        team=team,
        email=email,
        role=role,
        invited_by=invited_by,
        token=secrets.token_urlsafe(32),
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    summary = f"{invited_by.get_username()} invited {email} to {team.name} as {invitation.get_role_display().lower()}"
    record(EventKind.INVITATION_SENT, summary, actor=invited_by, team=team)
    return invitation


@transaction.atomic
def revoke_invitation(*, invitation: Invitation, by: AbstractBaseUser) -> None:
    if Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).delete()[0]:
        summary = f"{by.get_username()} withdrew the invitation of {invitation.email} to {invitation.team.name}"
        record(EventKind.INVITATION_REVOKED, summary, actor=by, team=invitation.team)


def send_invitation(*, invitation: Invitation, link: str) -> None:
    inviter = invitation.invited_by.get_username() if invitation.invited_by else "A team lead"
    send_mail(
        subject=f"Join {invitation.team.name} on MLOps Maturity Assessment",
        message=(
            f"{inviter} invited you to join {invitation.team.name} as {invitation.get_role_display().lower()}.\n\n"
            f"Accept within 7 days: {link}\n\nIf you were not expecting this, ignore this email."
        ),
        from_email=None,
        recipient_list=[invitation.email],
    )


@dataclass(frozen=True)
class NewAccount:
    """A username and password chosen on the invitation page (already validated by Django's sign-up form)."""

    username: str
    password: str


class InvitationForAnotherAddress(InvitationInvalid):
    """An invitation is for one email address: a signed-in account must have it, and an address that already has
    an account signs in with it rather than making a second one."""


@transaction.atomic
def accept_invitation(
    *, token: str, user: AbstractBaseUser | None = None, new_account: NewAccount | None = None
) -> Membership:
    """Join the team an invitation names, as `user` or as a new account made from `new_account`.

    The link is checked first, so an expired or used link creates no account; the account and its membership
    are made together or not at all.
    """
    invitation = Invitation.objects.select_for_update().filter(token=token).select_related("team").first()
    if invitation is None or invitation.accepted_at is not None:
        raise InvitationInvalid("This invitation link is not valid or has already been used.")
    if invitation.expires_at < timezone.now():
        raise InvitationInvalid("This invitation has expired; ask your team lead for a new one.")
    if user is not None and user.email.casefold() != invitation.email.casefold():
        raise InvitationForAnotherAddress(
            "This invitation was sent to another email address than your account's. Sign out and open the link "
            "again to accept it with that address, or ask the team lead to invite your account's address."
        )
    if user is None and get_user_model().objects.filter(email__iexact=invitation.email).exists():
        raise InvitationForAnotherAddress(
            "An account already uses the invited address: sign in with it, then open the link again."
        )
    if user is None:
        user = get_user_model().objects.create_user(
            username=new_account.username, email=invitation.email, password=new_account.password
        )
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    # Other invitations to the same address are now pointless; left pending they would look unanswered.
    pending_invitations(team=invitation.team, email=invitation.email).delete()
    membership, _ = Membership.objects.get_or_create(
        team=invitation.team, user=user, defaults={"role": invitation.role}
    )
    summary = f"{user.get_username()} accepted the invitation of {invitation.email} to {invitation.team.name}"
    record(EventKind.INVITATION_ACCEPTED, summary, actor=user, team=invitation.team)
    return membership
