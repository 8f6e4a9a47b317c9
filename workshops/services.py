"""Database writes for workshops. Each function is one transaction."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments import services as assessment_services
from assessments.answering import choice_of
from assessments.models import Answer, Assessment
from playbook.models import AnswerOption, Practice
from workshops.models import Ballot, Decision, JoinAttempt, Participant, Workshop

# No look-alikes (0/O, 1/I/L, 2/Z, 5/S, 8/B), so the code reads well from the back of the room.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 8
# How often a participant's presence is written down: often enough for the board's "in the room" count,
# rarely enough that a room of phones polling every few seconds does not write on every poll.
PRESENCE_INTERVAL = timedelta(minutes=1)
# Guest joins and unknown or ended codes are counted per address over this window.
JOIN_WINDOW = timedelta(minutes=10)


class WorkshopFull(Exception):
    """Every place the facilitator set is taken."""


class TooManyJoins(Exception):
    """Too many guests joined, or too many codes were tried, from one address in JOIN_WINDOW."""


class WorkshopClosed(Exception):
    pass


class AnswerChangedMeanwhile(Exception):
    """Someone changed the practice's answer after the board was drawn; nothing was recorded."""

    def __init__(self, answer: Answer):
        super().__init__(f"answer {answer.pk} changed meanwhile")
        self.answer = answer


class AlreadyDecided(Exception):
    """The facilitator has recorded the room's answer; ballots on it no longer change."""


def new_join_code() -> str:
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{code[:4]}-{code[4:]}"


def normalise_code(typed: str) -> str:
    """Accept the code however it is typed: any case, with or without the hyphen or spaces."""
    letters = "".join(ch for ch in typed.upper() if ch.isalnum())
    return f"{letters[:4]}-{letters[4:]}" if len(letters) == CODE_LENGTH else letters


def create_workshop(
    *,
    assessment: Assessment,
    user: AbstractBaseUser,
    title: str,
    challenge_slugs: list[str],
    hours: int,
    max_participants: int = 60,
) -> Workshop:
    for _ in range(5):
        try:
            with transaction.atomic():
                return Workshop.objects.create(
                    assessment=assessment,
                    title=title,
                    challenge_slugs=challenge_slugs,
                    join_code=new_join_code(),
                    created_by=user,
                    expires_at=timezone.now() + timedelta(hours=hours),
                    max_participants=max_participants,
                )
        except IntegrityError:
            continue  # a code collision, at odds of about one in 150 billion: draw again
    raise RuntimeError("could not draw a unique join code")


def address_key(address: str) -> str:
    """A keyed hash of a client address: enough to count joins per address without keeping anyone's address."""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


def _take_a_place(workshop: Workshop) -> None:
    # The row lock makes joins to one workshop wait for each other, so the count and the cap agree.
    locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if Participant.objects.filter(workshop=workshop).count() >= locked.max_participants:
        raise WorkshopFull()


@transaction.atomic
def join_as_member(*, workshop: Workshop, user: AbstractBaseUser) -> Participant:
    """A team member's one place in the room, the same however often and from wherever they join."""
    participant = Participant.objects.filter(workshop=workshop, user=user).first()
    if participant is not None:
        mark_present(participant=participant)
        return participant
    _take_a_place(workshop)
    return Participant.objects.create(workshop=workshop, user=user, display_name=user.get_username()[:40])


@transaction.atomic
def join_as_guest(*, workshop: Workshop, display_name: str, address: str) -> Participant:
    _take_a_place(workshop)
    key = address_key(address)
    recent = Participant.objects.filter(joined_from=key, joined_at__gte=timezone.now() - JOIN_WINDOW).count()
    if recent >= settings.WORKSHOP_GUEST_JOINS_PER_ADDRESS:
        raise TooManyJoins()
    return Participant.objects.create(workshop=workshop, display_name=display_name, joined_from=key)


def too_many_codes_tried(*, address: str) -> bool:
    since = timezone.now() - JOIN_WINDOW
    return JoinAttempt.objects.filter(address=address_key(address), at__gte=since).count() >= (
        settings.WORKSHOP_CODE_ATTEMPTS_PER_ADDRESS
    )


@transaction.atomic
def record_code_that_led_nowhere(*, address: str) -> None:
    JoinAttempt.objects.filter(at__lt=timezone.now() - JOIN_WINDOW).delete()
    JoinAttempt.objects.create(address=address_key(address))


@transaction.atomic
def set_places(*, workshop: Workshop, max_participants: int) -> None:
    Workshop.objects.filter(pk=workshop.pk).update(max_participants=max_participants)


def mark_present(*, participant: Participant) -> None:
    """Note that the participant is still in the room: at most one write a minute, and no query at all while the
    row just loaded says they were noted recently."""
    now = timezone.now()
    if participant.last_seen_at >= now - PRESENCE_INTERVAL:
        return
    Participant.objects.filter(pk=participant.pk, last_seen_at__lt=now - PRESENCE_INTERVAL).update(last_seen_at=now)


@transaction.atomic
def cast_ballot(*, participant: Participant, practice: Practice, level: int | None, not_applicable: bool) -> Ballot:
    workshop = participant.workshop
    if not workshop.is_open:
        raise WorkshopClosed()
    if Decision.objects.filter(workshop=workshop, practice=practice).exists():
        raise AlreadyDecided()
    # A first vote and a changed one are the same single statement (INSERT ... ON CONFLICT DO UPDATE), instead of a
    # locking read, a write and a savepoint around them: a room of a hundred votes at once.
    [ballot] = Ballot.objects.bulk_create(
        [
            Ballot(
                participant=participant,
                workshop=workshop,
                practice=practice,
                level=None if not_applicable else level,
                not_applicable=not_applicable,
            )
        ],
        update_conflicts=True,
        unique_fields=["participant", "practice"],
        update_fields=["level", "not_applicable", "updated_at"],
    )
    return ballot


@transaction.atomic
def move_room(*, workshop: Workshop, practice: Practice | None) -> None:
    Workshop.objects.filter(pk=workshop.pk).update(current_practice=practice)


@dataclass(frozen=True)
class Recorded:
    decision: Decision
    replaced: str  # the assessment's earlier answer when the decision changed it ('2', 'na'); '' otherwise


@transaction.atomic
def record_decision(*, workshop: Workshop, answer: assessment_services.AnswerInput, user: AbstractBaseUser) -> Recorded:
    """Record the room's answer and write it into the assessment as that practice's answer.

    The answer's notes replace the stored notes: the board shows the existing notes in the form, so a facilitator
    who leaves them alone keeps them and one who empties the field means to clear them. With a `seen_revision`,
    an answer changed since the board was drawn raises AnswerChangedMeanwhile and nothing is recorded.
    """
    practice = answer.practice
    decision, _ = Decision.objects.update_or_create(
        workshop=workshop,
        practice=practice,
        defaults={
            "option": answer.option,
            "not_applicable": bool(answer.not_applicable_reason),
            "note": answer.notes,
            "recorded_by": user,
        },
    )
    # The board has no field for the not-applicable detail typed in the questionnaire; keep it while the reason stands.
    existing = Answer.objects.filter(assessment=workshop.assessment, practice=practice).first()
    if answer.not_applicable_reason and getattr(existing, "not_applicable_reason", "") == answer.not_applicable_reason:
        answer = replace(answer, not_applicable_detail=existing.not_applicable_detail)
    result = assessment_services.save_answers(assessment=workshop.assessment, user=user, answers=[answer])
    if result.conflicts or result.inherited:  # an inherited answer changes only once the team says it differs
        raise AnswerChangedMeanwhile((result.conflicts or result.inherited)[0])  # rolls the decision back
    before = _choice(getattr(existing, "option", None), getattr(existing, "not_applicable_reason", ""))
    after = _choice(answer.option, answer.not_applicable_reason)
    return Recorded(decision, before if before and before != after else "")


def _choice(option: AnswerOption | None, not_applicable_reason: str) -> str:
    return choice_of(getattr(option, "level", None), not_applicable=bool(not_applicable_reason))


@transaction.atomic
def close_workshop(*, workshop: Workshop) -> None:
    Workshop.objects.filter(pk=workshop.pk, closed_at__isnull=True).update(closed_at=timezone.now())
