"""Fifty people voting on forty practices at once, through the real request path, on PostgreSQL."""

import random
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from assessments import services as assessment_services
from tests.factories import publish_synthetic_playbook
from workshops import services
from workshops.board import load_board, workshop_practices
from workshops.models import Ballot, Participant

PARTICIPANTS = 50
THREADS = 16


@pytest.mark.django_db(transaction=True)
def test_fifty_participants_answering_forty_practices_at_once_lose_nothing(team, lead):
    playbook = publish_synthetic_playbook(version="room-of-fifty", challenges=5, practices=8)
    assessment = assessment_services.create_assessment(team=team, user=lead, title="Big room")
    workshop = services.create_workshop(
        assessment=assessment,
        user=lead,
        title="All hands",
        challenge_slugs=[c.slug for c in playbook.challenges.all()],
        hours=1,
    )
    practices = workshop_practices(workshop)
    assert len(practices) == 40

    def participant(number: int) -> int:
        client, saved = Client(), 0
        try:
            joined = client.post("/join/", {"code": workshop.join_code, "display_name": f"Person {number}"})
            assert joined.status_code == 302
            order = practices[:]
            random.Random(number).shuffle(order)
            for practice in order:
                url = reverse("workshops:vote", args=[workshop.join_code, practice.slug])
                level = (number + practice.order) % 5
                response = client.post(url, {f"{practice.slug}-level": str(level)}, HTTP_HX_REQUEST="true")
                saved += response.status_code == 200 and "Vote saved" in response.text
            return saved
        finally:
            connection.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        saved = list(pool.map(participant, range(PARTICIPANTS)))
    elapsed = time.perf_counter() - started

    assert saved == [len(practices)] * PARTICIPANTS
    assert Participant.objects.filter(workshop=workshop).count() == PARTICIPANTS
    assert Ballot.objects.filter(workshop=workshop).count() == PARTICIPANTS * len(practices)
    rows, headcount = load_board(workshop)
    assert headcount.joined == headcount.present == PARTICIPANTS
    for row in rows:
        expected = [sum(1 for n in range(PARTICIPANTS) if (n + row.practice.order) % 5 == level) for level in range(5)]
        assert list(row.tally.counts) == expected
    print(f"\n{PARTICIPANTS} participants x {len(practices)} practices: {elapsed:.1f} s")
