"""Database writes for team membership and invitations. Each function is one transaction."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from assessments.models import Invitation, Membership, Role, Team

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


@transaction.atomic
def add_member(*, team: Team, user: AbstractBaseUser, role: Role) -> MemberAdded:
    """Add a user to the team, or change their role if they are in it already (which the caller should say)."""
    membership = Membership.objects.select_for_update().filter(team=team, user=user).first()
    if membership is None:
        return MemberAdded(Membership.objects.create(team=team, user=user, role=role), None)
    previous_role = membership.role
    if previous_role == Role.LEAD and role != Role.LEAD and _only_lead(team, membership):
        raise LastLead()
    membership.role = role
    membership.save(update_fields=["role"])
    return MemberAdded(membership, previous_role)


@transaction.atomic
def remove_member(*, membership: Membership) -> None:
    if membership.role == Role.LEAD and _only_lead(membership.team, membership):
        raise LastLead()
    membership.delete()


class AlreadyMember(Exception):
    def __init__(self, username: str):
        self.username = username
        super().__init__(f"{username} is already in the team")


def pending_invitations(*, team: Team, email: str):
    """The team's unaccepted invitations to this address (expired ones included), newest first."""
    return Invitation.objects.filter(team=team, email__iexact=email, accepted_at__isnull=True).order_by("-created_at")


@transaction.atomic
def invite(*, team: Team, email: str, role: Role, invited_by: AbstractBaseUser) -> Invitation:
    """Invite an address to the team; inviting it again refreshes the pending invitation instead of adding another.

    The refreshed invitation keeps its token, so the link in the first email works too, for another full week.
    """
    member = Membership.objects.filter(team=team, user__email__iexact=email).select_related("user").first()
    if member is not None:
        raise AlreadyMember(member.user.get_username())
    Team.objects.select_for_update().get(pk=team.pk)  # one invitation at a time per team, so no duplicates
    pending = list(pending_invitations(team=team, email=email))
    expires_at = timezone.now() + INVITATION_LIFETIME
    if not pending:
        return Invitation.objects.create(
            team=team,
            email=email,
            role=role,
            invited_by=invited_by,
            token=secrets.token_urlsafe(32),
            expires_at=expires_at,
        )
    invitation, *duplicates = pending
    Invitation.objects.filter(pk__in=[d.pk for d in duplicates]).delete()
    invitation.role, invitation.invited_by, invitation.expires_at = role, invited_by, expires_at
    invitation.save(update_fields=["role", "invited_by", "expires_at"])
    return invitation


@transaction.atomic
def revoke_invitation(*, invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).delete()


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


@transaction.atomic
def accept_invitation(
    *, token: str, user: AbstractBaseUser | None = None, new_account: NewAccount | None = None
) -> Membership:
    """Join the team an invitation names, as `user` or as a new account made from `new_account`.

    The link is checked first, so an expired or used link creates no account; the account and its membership
    are made together or not at all.
    """
    invitation = Invitation.objects.select_for_update().filter(token=token).first()
    if invitation is None or invitation.accepted_at is not None:
        raise InvitationInvalid("This invitation link is not valid or has already been used.")
    if invitation.expires_at < timezone.now():
        raise InvitationInvalid("This invitation has expired; ask your team lead for a new one.")
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
    return membership
