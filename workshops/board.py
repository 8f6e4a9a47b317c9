"""Read side of a workshop: the practices it covers and the room's tallies, in a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Count

from assessments.results import load_practices
from playbook.models import Practice
from workshops.models import Ballot, Decision, Participant, Workshop
from workshops.tally import Tally, VoteCount, tally_votes


@dataclass(frozen=True)
class BoardRow:
    practice: Practice
    tally: Tally
    decision: Decision | None


def workshop_practices(workshop: Workshop) -> list[Practice]:
    """The practices of the workshop's challenges, from the per-process cache of the published playbook."""
    chosen = set(workshop.challenge_slugs)
    return [p for p in load_practices(workshop.assessment.playbook) if p.challenge.slug in chosen]


def load_board(workshop: Workshop) -> tuple[list[BoardRow], int]:
    """Every practice with its anonymous tally and decision, and how many people joined."""
    practices = workshop_practices(workshop)
    rows = (
        Ballot.objects.filter(workshop=workshop)
        .values("practice_id", "level", "not_applicable")
        .annotate(votes=Count("id"))
        .order_by()
    )
    tallies = tally_votes((VoteCount(**row) for row in rows), [p.pk for p in practices])
    decisions = {d.practice_id: d for d in Decision.objects.filter(workshop=workshop).select_related("option")}
    joined = Participant.objects.filter(workshop=workshop).count()
    return [BoardRow(p, tallies[p.pk], decisions.get(p.pk)) for p in practices], joined
