"""Read side of a workshop: the practices it covers and the room's tallies, in a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch

from playbook.models import AnswerOption, Practice
from workshops.models import Ballot, Decision, Participant, Workshop
from workshops.tally import Tally, VoteCount, tally_votes


@dataclass(frozen=True)
class BoardRow:
    practice: Practice
    tally: Tally
    decision: Decision | None


def workshop_practices(workshop: Workshop) -> list[Practice]:
    return list(
        Practice.objects.filter(
            challenge__playbook_id=workshop.assessment.playbook_id, challenge__slug__in=workshop.challenge_slugs
        )
        .select_related("challenge")
        .prefetch_related(Prefetch("options", queryset=AnswerOption.objects.order_by("level")))
        .order_by("challenge__order", "order")
    )


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
