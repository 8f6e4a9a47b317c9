"""Database writes for assessments. Each function is one transaction."""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from assessments.models import (
    Action,
    ActionStatus,
    Answer,
    AnswerChange,
    Assessment,
    Invitation,
    Membership,
    Role,
    ShareLink,
    Status,
    Team,
)
from assessments.planning import PlanItem
from playbook.models import AnswerOption, PlaybookVersion, Practice

INVITATION_LIFETIME = timedelta(days=7)


class AssessmentLocked(Exception):
    """Answers of a submitted assessment cannot change until a lead reopens it."""


class IncompleteAssessment(Exception):
    def __init__(self, challenges: Sequence[str]):
        self.challenges = tuple(challenges)
        super().__init__("Not enough answers in: " + ", ".join(self.challenges))


class InvitationInvalid(Exception):
    pass


@dataclass(frozen=True)
class AnswerInput:
    practice: Practice
    option: AnswerOption | None
    not_applicable_reason: str = ""
    not_applicable_detail: str = ""
    notes: str = ""
    # The revision the person saw when they chose this answer; None skips the conflict check.
    seen_revision: int | None = None

    def values(self) -> dict:
        return {
            "option": self.option,
            "not_applicable_reason": self.not_applicable_reason,
            "not_applicable_detail": self.not_applicable_detail if self.not_applicable_reason else "",
            "notes": self.notes,
        }


@dataclass(frozen=True)
class SaveResult:
    saved: tuple[Answer, ...] = ()
    unchanged: tuple[int, ...] = ()  # practice ids
    conflicts: tuple[Answer, ...] = field(default=())  # current answers someone else changed meanwhile

    def answer_for(self, practice: Practice) -> Answer | None:
        return next((a for a in (*self.saved, *self.conflicts) if a.practice_id == practice.pk), None)


def _snapshot(answer: Answer | None) -> dict | None:
    if answer is None:
        return None
    return {
        "level": answer.option.level if answer.option else None,
        "not_applicable_reason": answer.not_applicable_reason,
        "notes": answer.notes,
    }


@transaction.atomic
def create_assessment(
    *, team: Team, user: AbstractBaseUser, title: str, prefill_from: Assessment | None = None
) -> Assessment:
    """Start an assessment on the current playbook, optionally copying an earlier one's answers by practice slug."""
    playbook = PlaybookVersion.objects.get(is_current=True)
    assessment = Assessment.objects.create(team=team, playbook=playbook, title=title, created_by=user)
    if prefill_from is not None:
        practices = {p.slug: p for p in Practice.objects.filter(challenge__playbook=playbook)}
        options = {
            (o.practice_id, o.level): o for o in AnswerOption.objects.filter(practice__challenge__playbook=playbook)
        }
        copies = []
        for old in prefill_from.answers.select_related("practice", "option"):
            practice = practices.get(old.practice.slug)
            if practice is None or (old.is_not_applicable and not practice.allows_not_applicable):
                continue
            option = options[(practice.pk, old.option.level)] if old.option else None
            copies.append(
                Answer(
                    assessment=assessment,
                    practice=practice,
                    option=option,
                    not_applicable_reason=old.not_applicable_reason,
                    not_applicable_detail=old.not_applicable_detail,
                    notes=old.notes,
                    updated_by=user,
                )
            )
        Answer.objects.bulk_create(copies)
        # The audit trail starts with the copies, so it accounts for every answer the assessment opens with.
        AnswerChange.objects.bulk_create(
            AnswerChange(
                assessment=assessment,
                practice=copy.practice,
                changed_by=user,
                before=None,
                after=_snapshot(copy) | {"copied_from": prefill_from.title},
            )
            for copy in copies
        )
    return assessment


@transaction.atomic
def save_answers(*, assessment: Assessment, user: AbstractBaseUser, answers: Sequence[AnswerInput]) -> SaveResult:
    """Store the given answers, each only if it changed, and record every change in the audit trail.

    An answer whose `seen_revision` is older than the stored one was changed by
    someone else in the meantime: it is not overwritten but returned as a conflict.
    """
    if _lock_against_submission(assessment).is_submitted:
        raise AssessmentLocked()
    existing = {
        a.practice_id: a
        for a in Answer.objects.select_for_update(of=("self",))
        .select_related("option", "updated_by")
        .filter(assessment=assessment, practice__in=[i.practice for i in answers])
    }
    saved, unchanged, conflicts, changes = [], [], [], []
    for item in answers:
        values = item.values()
        answer = existing.get(item.practice.pk)
        if answer is None:
            if item.option is None and not item.not_applicable_reason and not item.notes:
                unchanged.append(item.practice.pk)
                continue
            try:
                with transaction.atomic():
                    answer = Answer.objects.create(
                        assessment=assessment, practice=item.practice, updated_by=user, **values
                    )
            except IntegrityError:  # someone answered this practice for the first time a moment earlier
                conflicts.append(
                    Answer.objects.select_related("option", "updated_by").get(
                        assessment=assessment, practice=item.practice
                    )
                )
                continue
            before = None
        else:
            if all(getattr(answer, name) == value for name, value in values.items()):
                unchanged.append(item.practice.pk)
                continue
            if item.seen_revision is not None and item.seen_revision != answer.revision:
                conflicts.append(answer)
                continue
            before = _snapshot(answer)
            for name, value in values.items():
                setattr(answer, name, value)
            answer.revision += 1
            answer.updated_by = user
            answer.save()
        saved.append(answer)
        changes.append(
            AnswerChange(
                assessment=assessment, practice=item.practice, changed_by=user, before=before, after=_snapshot(answer)
            )
        )
    AnswerChange.objects.bulk_create(changes)
    return SaveResult(tuple(saved), tuple(unchanged), tuple(conflicts))


def _lock_against_submission(assessment: Assessment) -> Assessment:
    """Saves to one assessment hold a shared lock on it, so they run side by side while a submission waits.

    An exclusive lock here would queue every autosave of a busy assessment behind the others.
    """
    rows = Assessment.objects.filter(pk=assessment.pk).only("status")
    if connection.vendor != "postgresql":
        return rows.select_for_update().get()
    sql, params = rows.query.sql_with_params()
    return Assessment.objects.raw(f"{sql} FOR SHARE", params)[0]


@transaction.atomic
def submit_assessment(
    *, assessment: Assessment, user: AbstractBaseUser, challenges_without_level: Sequence[str]
) -> None:
    if challenges_without_level:
        raise IncompleteAssessment(challenges_without_level)
    now = timezone.now()
    Assessment.objects.filter(pk=assessment.pk).update(
        status=Status.SUBMITTED, submitted_at=now, submitted_by=user, updated_at=now
    )


@transaction.atomic
def reopen_assessment(*, assessment: Assessment) -> None:
    Assessment.objects.filter(pk=assessment.pk).update(
        status=Status.DRAFT, submitted_at=None, submitted_by=None, updated_at=timezone.now()
    )


@transaction.atomic
def delete_assessment(*, assessment: Assessment) -> None:
    assessment.delete()


@transaction.atomic
def set_targets(*, assessment: Assessment, targets: dict[str, int]) -> None:
    Assessment.objects.filter(pk=assessment.pk).update(targets=targets, updated_at=timezone.now())


@transaction.atomic
def track_action(*, assessment: Assessment, item: PlanItem, user: AbstractBaseUser) -> Action:
    action, _ = Action.objects.get_or_create(
        assessment=assessment,
        practice_slug=item.practice_slug,
        defaults={
            "team": assessment.team,
            "challenge_slug": item.challenge_slug,
            "title": f"{item.practice_title}: {item.step.text}"[:300],
            "from_level": item.current_level,
            "created_by": user,
        },
    )
    return action


@transaction.atomic
def update_action(
    *, action: Action, owner: AbstractBaseUser | None, due_date: date | None, status: ActionStatus
) -> None:
    action.owner, action.due_date, action.status = owner, due_date, status
    action.save(update_fields=["owner", "due_date", "status", "updated_at"])


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


@transaction.atomic
def accept_invitation(*, token: str, user: AbstractBaseUser) -> Membership:
    invitation = Invitation.objects.select_for_update().filter(token=token).first()
    if invitation is None or invitation.accepted_at is not None:
        raise InvitationInvalid("This invitation link is not valid or has already been used.")
    if invitation.expires_at < timezone.now():
        raise InvitationInvalid("This invitation has expired; ask your team lead for a new one.")
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    # Other invitations to the same address are now pointless; left pending they would look unanswered.
    pending_invitations(team=invitation.team, email=invitation.email).delete()
    membership, _ = Membership.objects.get_or_create(
        team=invitation.team, user=user, defaults={"role": invitation.role}
    )
    return membership


class NotSubmitted(Exception):
    """Only a submitted assessment can be shared."""


SHARE_SALT = "assessments.share-link"


@transaction.atomic
def create_share_link(*, assessment: Assessment, label: str, days: int, user: AbstractBaseUser) -> ShareLink:
    if not assessment.is_submitted:
        raise NotSubmitted()
    return ShareLink.objects.create(
        assessment=assessment, label=label, created_by=user, expires_at=timezone.now() + timedelta(days=days)
    )


@transaction.atomic
def revoke_share_link(*, link: ShareLink) -> None:
    ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def share_token(link: ShareLink) -> str:
    """A signed token naming the link; the signature stops anyone from guessing other links' ids."""
    return signing.dumps(link.pk, salt=SHARE_SALT)


def active_share_link(token: str) -> ShareLink | None:
    try:
        link_id = signing.loads(token, salt=SHARE_SALT)
    except signing.BadSignature:
        return None
    link = ShareLink.objects.select_related("assessment").filter(pk=link_id).first()
    if link is None or not link.is_active or not link.assessment.is_submitted:
        return None
    return link
