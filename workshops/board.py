"""Read side of a workshop: the practices it covers and the room's tallies, in a fixed number of queries."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q, prefetch_related_objects
from django.utils import timezone

from assessments.models import Answer, Assessment
from assessments.results import load_answers
from playbook.models import Practice
from playbook.published import load_practices
from workshops.models import Ballot, Decision, Participant, Workshop
from workshops.tally import Tally, VoteCount, tally_votes

# Someone whose ballot page has not polled for this long has left (closed the tab, locked the phone, rejoined).
PRESENT_WITHIN = timedelta(minutes=5)


@dataclass(frozen=True)
class BoardRow:
    practice: Practice
    tally: Tally
    decision: Decision | None


def workshop_practices(workshop: Workshop) -> list[Practice]:
    """The practices of the workshop's challenges, from the per-process cache of the published playbook."""
    chosen = set(workshop.challenge_slugs)
    return [p for p in load_practices(workshop.assessment.playbook) if p.challenge.slug in chosen]


@dataclass(frozen=True)
class Headcount:
    joined: int  # everyone who ever joined, including rejoins from a new device
    present: int  # of those, seen in the last PRESENT_WITHIN
    guests: int  # joined with a name rather than a login
    guest_addresses: int  # how many addresses the guests joined from: many guests from one may be one person


def load_board(workshop: Workshop) -> tuple[list[BoardRow], Headcount]:
    """Every practice with its anonymous tally and decision, and how many people are in the room."""
    practices = workshop_practices(workshop)
    rows = (
        Ballot.objects.filter(workshop=workshop)
        .values("practice_id", "level", "not_applicable")
        .annotate(votes=Count("id"))
        .order_by()
    )
    tallies = tally_votes((VoteCount(**row) for row in rows), [p.pk for p in practices])
    decisions = {d.practice_id: d for d in Decision.objects.filter(workshop=workshop).select_related("option")}
    guest = Q(user__isnull=True, joined_from__gt="")
    headcount = Participant.objects.filter(workshop=workshop).aggregate(
        joined=Count("id"),
        present=Count("id", filter=Q(last_seen_at__gte=timezone.now() - PRESENT_WITHIN)),
        guests=Count("id", filter=guest),
        guest_addresses=Count("joined_from", filter=guest, distinct=True),
    )
    return [BoardRow(p, tallies[p.pk], decisions.get(p.pk)) for p in practices], Headcount(**headcount)


def current_answers(assessment: Assessment) -> dict[int, Answer]:
    """The assessment's answers by practice id, with who last changed each (the board's cards name them): one query
    more than the answers, whatever the number of practices."""
    answers = load_answers(assessment)
    prefetch_related_objects(list(answers.values()), "updated_by")
    return answers
